"""OpenAPI entries of the caller's profile and API tokens (``/me``, ``/me/tokens``)."""
from __future__ import annotations

from typing import Any, Callable

Schema = dict[str, Any]
TS = {"type": "string", "format": "date-time", "nullable": True}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Schema] = {
    "Holding": {"type": "object", "required": ["kind", "name", "owner", "role"], "properties": {
        "kind": {"type": "string", "enum": ["project", "dataset", "model"]},
        "name": {"type": "string"}, "owner": {"type": "string"},
        "visibility": {"type": "string", "enum": ["private", "public"]},
        "count": {"type": "integer", "description": "runs of a project, versions of a dataset or model"},
        "size": {"type": "integer", "description": "bytes stored: run artifacts, dataset files, model artifacts"},
        "updated_at": TS,
        "role": {"type": "string", "enum": ["read", "edit", "manage", "owner"]},
        "via": {"type": "string", "description": "the member name granting the role: the caller or group:<hub group>"}}},
    "ApiToken": {"type": "object", "required": ["id", "name", "scope", "prefix"], "properties": {
        "id": {"type": "integer"}, "user": {"type": "string"},
        "name": {"type": "string", "description": "what the token is for"},
        "prefix": {"type": "string", "description": "the token's first characters, to recognise it"},
        "scope": {"type": "string", "enum": ["read", "write"],
                  "description": "read: GET requests only (any write is 403); write: everything the user may do"},
        "created_at": TS, "expires_at": TS, "last_used_at": TS, "revoked_at": TS}},
    "NewApiToken": {"type": "object", "required": ["name"], "additionalProperties": False, "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "expires_in_days": {"type": "number", "nullable": True, "exclusiveMinimum": True, "minimum": 0,
                            "maximum": 3650, "description": "null or absent: never expires"},
        "scope": {"type": "string", "enum": ["read", "write"], "default": "write"}}},
    "CreatedApiToken": {"allOf": [_ref("ApiToken"), {"type": "object", "required": ["token"], "properties": {
        "token": {"type": "string", "description": "the token's value: shown this once, stored only hashed"}}}]},
    "ApiTokenList": {"type": "object", "properties": {"tokens": {"type": "array", "items": _ref("ApiToken")}}},
    "Me": {"type": "object", "required": ["name", "mode"], "properties": {
        "name": {"type": "string", "description": "the registry user acting"},
        "mode": {"type": "string", "enum": ["local", "hub", "standalone"]},
        "groups": {"type": "array", "items": {"type": "string"}, "description": "hub groups (GitHub teams as org:team)"},
        "hub": {"type": "object", "nullable": True, "properties": {
            "name": {"type": "string"}, "admin": {"type": "boolean"},
            "groups": {"type": "array", "items": {"type": "string"}}}},
        "github": {"type": "object", "nullable": True, "properties": {
            "login": {"type": "string"}, "url": {"type": "string"}, "avatar_url": {"type": "string"}}},
        "token": {"allOf": [_ref("ApiToken")], "nullable": True,
                  "description": "the ML Hub API token this request came with, if any"},
        "projects": {"type": "array", "items": _ref("Holding")},
        "datasets": {"type": "array", "items": _ref("Holding")},
        "models": {"type": "array", "items": _ref("Holding")},
        "shared_with_me": {"type": "array", "items": _ref("Holding")},
        "storage": {"type": "object", "properties": {k: {"type": "integer"} for k in
                                                     ("projects", "datasets", "models", "total")}}}},
}


def me_paths(op: Callable[..., Schema], param: Callable[..., Schema]) -> dict[str, Schema]:
    token_id = [param("token_id", desc="the token's id (from GET /me/tokens)")]
    return {
        "/me": {"get": op("Who the caller is, what they own (with sizes) and what was shared with them",
                          "Me", errors=("401",))},
        "/me/tokens": {
            "get": op("The caller's ML Hub API tokens that are not revoked (never their values)", "ApiTokenList",
                      errors=("401",)),
            "post": op("Create an API token for the caller; its value is in this answer only", "CreatedApiToken",
                       "NewApiToken", "201", errors=("400", "401", "403", "422")),
        },
        "/me/tokens/{token_id}": {
            "delete": op("Revoke one of the caller's tokens: it is refused (401) from now on", None, status="204",
                         params=token_id, errors=("401", "403", "404")),
        },
    }
