"""What every wire model shares: the two base classes, the field rules the core checks
(names, users, tags, versions) and the error shape.

Request models (:class:`Request`) parse bodies at the HTTP edge; response models
(:class:`Response`) describe what handlers write. Both are the source of the OpenAPI
document's ``components.schemas`` (:mod:`mlhub_ext.server.openapi`), and through it of the
lab's TypeScript types (``labextension/api/schema.ts``).
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ...core.validation import MAX_TAGS, MAX_VERSION, NAME_RE, USER_RE


def optional(description: str | None = None, **kw: Any) -> Any:
    """A field a body or answer may leave out. It is not nullable (an explicit ``null`` is
    refused unless the type says ``| None``); the OpenAPI document lists it without a
    default. Patches tell "left out" from "sent" with ``model_fields_set``."""
    return Field(None, description=description, **kw)   # the document drops a default of None


class Request(BaseModel):
    """A JSON request body. Unknown fields are ignored unless a subclass forbids them."""

    model_config = ConfigDict(extra="ignore")

    def given(self) -> dict[str, Any]:
        """The fields the client sent (a patch's changes), as plain JSON values."""
        return self.model_dump(mode="json", include=self.model_fields_set)


class StrictRequest(Request):
    """A request body whose unknown fields are refused (422 naming them)."""

    model_config = ConfigDict(extra="forbid")


class Response(BaseModel):
    """A JSON answer. Handlers write the entities' ``to_json()``; this describes it."""


Name = Annotated[str, Field(pattern=NAME_RE.pattern, max_length=128)]
User = Annotated[str, Field(pattern=USER_RE.pattern, max_length=128)]
Tags = Annotated[list[Annotated[str, Field(min_length=1, max_length=128)]], Field(max_length=MAX_TAGS)]
Version = Annotated[int, Field(ge=1, le=MAX_VERSION)]
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
