"""Query parameters read the same way by every handler."""
from __future__ import annotations

from typing import Any

from ...core.errors import malformed, quoted

TRUE = frozenset({"true", "1"})
FALSE = frozenset({"false", "0"})


def bool_arg(handler: Any, name: str, default: bool) -> bool:
    """The boolean query parameter ``name`` of ``handler``'s request: ``true``/``1`` or
    ``false``/``0`` (any case), ``default`` when it is absent or empty; anything else is a 400
    naming the parameter (a typo must not silently mean false)."""
    value = handler.get_argument(name, None)
    if value is None or value == "":
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise malformed(f"query parameter {name!r} must be true or false (or 1 or 0), not {quoted(value)}")
