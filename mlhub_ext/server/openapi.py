"""The OpenAPI 3 document of the REST API (``GET /mlhub/api/v1/openapi.json``), generated.

Its ``components.schemas`` are generated from the pydantic models of :mod:`.schemas` (the
same models the handlers parse bodies with); its ``paths`` come from the operations table
:func:`mlhub_ext.server.operations.paths`, which names those models. The lab's TypeScript
types (``labextension/api/schema.ts``) are generated from this document in turn
(``scripts/gen_api_types.sh``; ``make lint`` checks they are current).

The document declares OpenAPI 3.0.3, whose schema dialect is not JSON Schema 2020-12:
:func:`~.schemas.oas30.to_openapi30` rewrites pydantic's output (``anyOf [X, null]`` becomes ``nullable``,
``const`` an ``enum``, numeric ``exclusiveMinimum`` the boolean form, titles dropped).
"""
from __future__ import annotations

from typing import Any

from ..version import __version__
from ..core.validation import MAX_INT
from .operations import ERRORS, PUBLIC_PATHS, WRITE_METHODS, Operations, error_answer
from .schemas.base import Name, User
from .schemas.oas30 import component_schemas, field_schema

Schema = dict[str, Any]


def with_common_answers(all_paths: dict[str, Schema]) -> dict[str, Schema]:
    """Add the answers the shared handler wrapper can give to any operation, so no operation
    leaves them out: 401 on every authenticated one, 403, 429 and 507 on every write (a
    read-only API token; the per-user rate limit; a full or read-only artifact storage) and
    400 and 413 on every one that takes a JSON body (not JSON, not an object, nested too
    deep; too large: docs/api.md "Limits")."""
    for path, ops in all_paths.items():
        if path in PUBLIC_PATHS:
            continue
        for method, op in ops.items():
            codes = {"401"}
            if method in WRITE_METHODS:
                codes |= {"403", "429", "507"}
            if "application/json" in op.get("requestBody", {}).get("content", {}):
                codes |= {"400", "413"}   # also: nested deeper than 64 levels; above 32 MiB
            for code in sorted(codes - set(op["responses"])):
                op["responses"][code] = error_answer(ERRORS[code])
    return all_paths


def _param_rules() -> dict[tuple[str, str], Schema]:
    return {
        ("query", "limit"): {"minimum": 1, "maximum": 1000},
        ("query", "offset"): {"minimum": 0, "maximum": MAX_INT},
        ("path", "user"): field_schema(User),
        ("path", "stage"): field_schema(Name),
    }


def with_parameter_rules(all_paths: dict[str, Schema]) -> dict[str, Schema]:
    """State every paging bound and name pattern on the parameters that carry them, in one
    place: ``limit`` 1-1000 (unless an operation says otherwise), ``offset`` 0 to 2**63-1,
    and project, dataset and model names, stages and users as the core checks them."""
    rules, name = _param_rules(), field_schema(Name)
    for path, ops in all_paths.items():
        for op in ops.values():
            for p in op.get("parameters", []):
                rule = rules.get((p["in"], p["name"]))
                if p["in"] == "path" and p["name"] == "name" and "/artifacts/" not in path:
                    rule = name
                if rule:
                    p["schema"] = {**rule, **p["schema"]}   # an operation's own bound wins
    return all_paths


def openapi_document(server_url: str = "/mlhub/api/v1") -> Schema:
    """The whole document; ``server_url`` is where the API is mounted."""
    ops = Operations()
    all_paths = ops.paths()
    return {
        "openapi": "3.0.3",
        "info": {"title": "ML Hub API", "version": __version__,
                 "description": "Projects, runs, params and metrics of the ML Hub registry. "
                                "Errors are {\"error\": {\"code\", \"message\"}}. Non-finite floats are "
                                "the strings \"NaN\", \"Infinity\" and \"-Infinity\"."},
        "servers": [{"url": server_url}],
        "components": {
            "schemas": component_schemas(sorted(ops.models, key=lambda m: m.__name__)),
            "securitySchemes": {"token": {"type": "apiKey", "in": "header", "name": "Authorization",
                                          "description": "`token <API token>`"}},
        },
        "security": [{"token": []}],
        "paths": with_parameter_rules(with_common_answers(all_paths)),
    }


if __name__ == "__main__":   # scripts/gen_api_types.sh: the document on stdout
    import json
    import sys

    json.dump(openapi_document(), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
