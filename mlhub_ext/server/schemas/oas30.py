"""Pydantic's JSON Schema (2020-12) in the dialect of OpenAPI 3.0, which the document declares."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

Schema = dict[str, Any]
REF_TEMPLATE = "#/components/schemas/{model}"


def field_schema(annotation: Any) -> Schema:
    """The OpenAPI 3.0 schema of one annotated type (a path parameter, a header)."""
    return to_openapi30(TypeAdapter(annotation).json_schema(ref_template=REF_TEMPLATE))


def component_schemas(models: list[type[BaseModel]]) -> dict[str, Schema]:
    """The OpenAPI 3.0 schemas of ``models`` and every model they contain, by class name."""
    _, defs = models_json_schema([(m, "validation") for m in models], ref_template=REF_TEMPLATE)
    return {name: to_openapi30(s) for name, s in sorted(defs.get("$defs", {}).items())}


def to_openapi30(schema: Any) -> Any:
    """A JSON Schema 2020-12 node (as pydantic writes it) in OpenAPI 3.0's dialect."""
    if not isinstance(schema, dict):
        return schema
    out: Schema = {}
    for key, value in schema.items():
        if key == "title" or (key == "default" and value is None):   # None: the field may be left out
            continue
        if key == "properties":
            out[key] = {name: to_openapi30(s) for name, s in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = to_openapi30(value)
        elif key in ("anyOf", "oneOf", "allOf"):
            out[key] = [to_openapi30(s) for s in value]
        elif key == "const":
            out["enum"] = [value]
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
            out["minimum" if key == "exclusiveMinimum" else "maximum"] = value
            out[key] = True
        else:
            out[key] = value
    variants = out.get("anyOf")
    if variants and {"type": "null"} in variants:
        rest = [v for v in variants if v != {"type": "null"}]
        del out["anyOf"]
        if len(rest) == 1 and "$ref" not in rest[0]:
            out = {**rest[0], **out}
        else:
            out = {**({"allOf": rest} if len(rest) == 1 else {"anyOf": rest}), **out}
        out["nullable"] = True
        if "enum" in out and None not in out["enum"]:   # 3.0.3: an enum lists null to allow it
            out["enum"] = [*out["enum"], None]
    if "$ref" in out and len(out) > 1:   # 3.0: a $ref's siblings are ignored, so wrap it
        out = {"allOf": [{"$ref": out.pop("$ref")}], **out}
    return out
