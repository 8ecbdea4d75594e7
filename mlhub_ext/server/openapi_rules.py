"""Schemas of the values the core checks accept (:mod:`mlhub_ext.core.validation`), shared by
every part of the OpenAPI document, so that clients and the API fuzzer
(tests/server/test_fuzz_api.py) see the rules the server applies."""
from __future__ import annotations

from typing import Any

from ..core.validation import MAX_TAGS, MAX_VERSION, NAME_RE, USER_RE

Schema = dict[str, Any]

NAME: Schema = {"type": "string", "pattern": NAME_RE.pattern, "maxLength": 128}
USER: Schema = {"type": "string", "pattern": USER_RE.pattern, "maxLength": 128}
TAGS: Schema = {"type": "array", "maxItems": MAX_TAGS, "items": {"type": "string", "minLength": 1, "maxLength": 128}}
VERSION: Schema = {"type": "integer", "minimum": 1, "maximum": MAX_VERSION}
SHA256: Schema = {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}
