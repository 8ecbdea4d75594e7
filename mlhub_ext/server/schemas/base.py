"""What every wire model shares: the two base classes, the field rules the core checks
(names, users, tags, versions) and the error shape.

Request models (:class:`Request`) parse bodies at the HTTP edge; response models
(:class:`Response`) describe what handlers write. Both are the source of the OpenAPI
document's ``components.schemas`` (:mod:`mlhub_ext.server.openapi`), and through it of the
lab's TypeScript types (``labextension/api/schema.ts``).
"""
from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from ...core.errors import MLHubError, invalid, quoted
from ...core.validation import MAX_TAGS, MAX_VERSION, NAME_RE, USER_RE

R = TypeVar("R", bound="Request")


def optional(description: str | None = None, **kw: Any) -> Any:
    """A field a body or answer may leave out. It is not nullable (an explicit ``null`` is
    refused unless the type says ``| None``); the OpenAPI document lists it without a
    default. Patches tell "left out" from "sent" with ``model_fields_set``."""
    return Field(None, description=description, **kw)   # the document drops a default of None


class Request(BaseModel):
    """A JSON request body. Unknown fields are ignored unless a subclass forbids them."""

    model_config = ConfigDict(extra="ignore")
    # How an error message names the body: "unknown field(s) for a new run: ..."
    what: ClassVar[str] = "the request body"

    def given(self) -> dict[str, Any]:
        """The fields the client sent (a patch's changes), by name, as parsed (JSON values:
        request models hold no nested models)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class StrictRequest(Request):
    """A request body whose unknown fields are refused (422 naming them)."""

    model_config = ConfigDict(extra="forbid")


class Response(BaseModel):
    """A JSON answer. Handlers write the entities' ``to_json()``; this describes it."""


# Names and users are domain rules the core checks with its own messages (which quote the
# value and say what is allowed): the document states them, the models do not check them.
Name = Annotated[str, Field(json_schema_extra={"pattern": NAME_RE.pattern, "maxLength": 128})]
User = Annotated[str, Field(json_schema_extra={"pattern": USER_RE.pattern, "maxLength": 128})]
Tags = Annotated[list[Annotated[str, Field(min_length=1, max_length=128)]], Field(max_length=MAX_TAGS)]


def _not_bool(value: Any) -> Any:
    """JSON's true is not the number 1 (pydantic's lax int would take it)."""
    if isinstance(value, bool):
        raise ValueError("Input should be an integer")
    return value


# Lax otherwise: "3" and 3.0 are 3, as the core's check_int reads them.
Integer = Annotated[int, BeforeValidator(_not_bool)]
Version = Annotated[int, Field(ge=1, le=MAX_VERSION), BeforeValidator(_not_bool)]
Sha256 = Annotated[str, Field(pattern="^[0-9a-fA-F]{64}$")]
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Visibility = Literal["private", "public"]
Role = Literal["read", "edit", "manage", "owner"]
GrantableRole = Literal["read", "edit", "manage"]
NumberOrNonFinite = float | Literal["NaN", "Infinity", "-Infinity"]
Object = dict[str, Any]


class ErrorDetail(Response):
    code: str
    message: str
    details: Object = optional()


class Error(Response):
    """Every 4xx and 5xx answer: ``{"error": {"code", "message"}}``."""

    error: ErrorDetail


class Handshake(Response):
    version: str = optional()
    mode: str = optional()
    user: str = optional()


def parse(model: type[R], body: dict[str, Any]) -> R:
    """``body`` (a decoded JSON object) as ``model``; 422 ``invalid`` naming the first field
    that does not fit: ``field 'project' is required``, ``unknown field(s) for a new run: x;
    allowed: ...``, ``field 'tags[0]': String should have at most 128 characters, not '…'``."""
    try:
        return model.model_validate(body)
    except ValidationError as e:
        raise body_error(model, e) from None


def body_error(model: type[Request], error: ValidationError) -> MLHubError:
    """The one error a refused body answers, in the API's words (see :func:`parse`)."""
    problems = error.errors(include_url=False)
    extra = [str(p["loc"][0]) for p in problems if p["type"] == "extra_forbidden" and len(p["loc"]) == 1]
    if extra:
        allowed = sorted(f.alias or name for name, f in model.model_fields.items())
        return invalid(f"unknown field(s) for {model.what}: {', '.join(sorted(extra))}; allowed: {', '.join(allowed)}")
    first = problems[0]
    where = _location(first["loc"])
    if first["type"] == "missing":
        return invalid(f"field {where!r} is required", field=where)
    message = first["msg"].removeprefix("Value error, ")
    return invalid(f"field {where!r}: {message}, not {quoted(first['input'])}", field=where)


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
