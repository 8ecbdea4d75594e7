"""Checks on names and request bodies shared by every entry point."""
from __future__ import annotations

import re
from typing import Any

from .errors import invalid, quoted

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
USER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,127}$")
MAX_TAGS = 64


def check_name(kind: str, name: Any) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise invalid(
            f"{kind} name {quoted(name)} is not valid: use 1-128 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    return name


def check_user(name: Any) -> str:
    if not isinstance(name, str) or not USER_RE.match(name):
        raise invalid(f"user name {quoted(name)} is not valid")
    return name


def check_tags(tags: Any) -> list[str]:
    if tags is None:
        return []
    if not isinstance(tags, list) or not all(isinstance(t, str) and 0 < len(t) <= 128 for t in tags):
        raise invalid("tags must be a list of non-empty strings of at most 128 characters")
    if len(tags) > MAX_TAGS:
        raise invalid(f"at most {MAX_TAGS} tags per run")
    return list(dict.fromkeys(tags))


def check_mapping(field: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise invalid(f"{field} must be an object with string keys")
    return value


# The largest integer the registry's databases hold (64-bit signed columns). A larger number
# in a request is refused as invalid here, never handed to the database (where it overflows).
MAX_INT = 2**63 - 1
# Version numbers (of datasets and models) are 32-bit columns.
MAX_VERSION = 2**31 - 1
_INT_TEXT = re.compile(r"[+-]?[0-9]+")


def check_int(what: str, value: Any, minimum: int = 0, maximum: int = MAX_INT) -> int:
    """``value`` as an int in ``[minimum, maximum]``: an int (not a bool), a float without a
    fraction, or a string of ASCII digits with an optional sign. Anything else, e.g. ``1.5``,
    ``1e400`` (which JSON parsers read as infinity), ``"\u00b2"`` or ``2**64``, raises ``invalid``
    naming ``what``."""
    n: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        n = value
    elif isinstance(value, float) and value.is_integer():
        n = int(value)
    elif isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()) and len(value) <= 40:
        n = int(value)
    if n is None or not minimum <= n <= maximum:
        raise invalid(f"{what} must be an integer from {minimum} to {maximum}, not {quoted(value)}")
    return n


def check_paging(limit: Any, offset: Any, max_limit: int = 1000) -> tuple[int, int]:
    lim = check_int("limit", limit, 1, max_limit) if limit not in (None, "") else 50
    off = check_int("offset", offset, 0) if offset not in (None, "") else 0
    return lim, off


def only_keys(body: dict[str, Any], allowed: set[str], what: str) -> None:
    extra = set(body) - allowed
    if extra:
        raise invalid(f"unknown field(s) for {what}: {', '.join(sorted(extra))}; allowed: {', '.join(sorted(allowed))}")


def check_artifact_name(name: Any) -> str:
    """A relative path of plain segments: no '..', no absolute paths, no backslashes."""
    if not isinstance(name, str) or not 0 < len(name) <= 512:
        raise invalid("artifact name must be a string of 1-512 characters")
    parts = name.split("/")
    if name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts) or "\x00" in name:
        raise invalid(f"artifact name {quoted(name)} must be a relative path without '..', '.' or empty segments")
    return name
