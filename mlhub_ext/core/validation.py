"""Checks on names and request bodies shared by every entry point."""
from __future__ import annotations

import re
from typing import Any

from .errors import invalid

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
USER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,127}$")
MAX_TAGS = 64


def check_name(kind: str, name: Any) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise invalid(
            f"{kind} name {name!r} is not valid: use 1-128 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    return name


def check_user(name: Any) -> str:
    if not isinstance(name, str) or not USER_RE.match(name):
        raise invalid(f"user name {name!r} is not valid")
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


def check_paging(limit: Any, offset: Any, max_limit: int = 1000) -> tuple[int, int]:
    try:
        lim = int(limit) if limit not in (None, "") else 50
        off = int(offset) if offset not in (None, "") else 0
    except (TypeError, ValueError):
        raise invalid("limit and offset must be integers") from None
    if not 1 <= lim <= max_limit:
        raise invalid(f"limit must be between 1 and {max_limit}")
    if off < 0:
        raise invalid("offset must be >= 0")
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
        raise invalid(f"artifact name {name!r} must be a relative path without '..', '.' or empty segments")
    return name
