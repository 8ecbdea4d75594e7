"""The typed wire contract: the pydantic models at the HTTP edge, the OpenAPI document
generated from them, the operations table against the tornado routes, and the errors a
body that does not fit its model answers."""
from __future__ import annotations

import json
import re

import pytest
from openapi_spec_validator import validate
from tornado.httpclient import HTTPClientError

from mlhub_ext.server.openapi import openapi_document
from mlhub_ext.server.operations import Operations
from mlhub_ext.server.routes import API_TABLE, PUBLIC_TABLE
from mlhub_ext.server.schemas.base import Request, parse
from mlhub_ext.server.schemas.oas30 import to_openapi30
from mlhub_ext.server.schemas.runs import NewRun, RunPatch
from mlhub_ext.server.stream import StreamHandlerMixin

METHODS = ("get", "post", "put", "patch", "delete")


def _to_openapi(pattern: str) -> str:
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern) or "/"


def test_every_route_has_an_operation_and_every_operation_a_route() -> None:
    operations = Operations().paths()
    routes = {_to_openapi(p): {m for m in METHODS if m in vars(mixin)}
              for p, mixin in API_TABLE + PUBLIC_TABLE + [("/stream", StreamHandlerMixin)]}
    documented = {(path, m) for path, ops in operations.items() for m in ops}
    served = {(path, m) for path, ms in routes.items() for m in ms}
    assert served - documented == set(), "routes without an operation in server/operations.py"
    assert documented - served == set(), "operations without a route in server/routes.py"


def test_every_named_schema_is_generated_and_every_reference_resolves() -> None:
    doc = openapi_document()
    validate(doc)
    schemas = doc["components"]["schemas"]
    refs = set(re.findall(r'"#/components/schemas/(\w+)"', json.dumps(doc)))
    assert refs <= set(schemas), refs - set(schemas)
    text = json.dumps(schemas)
    # OpenAPI 3.0.3's dialect: no JSON Schema 2020-12 spellings left over from pydantic.
    for spelling in ('"type": "null"', '"const"', '"$defs"', '"prefixItems"', '"title"'):
        assert spelling not in text, spelling
    # Every request body is a model the handlers parse with.
    bodies = {op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
              for ops in doc["paths"].values() for op in ops.values()
              if "application/json" in op.get("requestBody", {}).get("content", {})}
    import mlhub_ext.server.schemas as pkg
    from pkgutil import iter_modules
    from importlib import import_module

    models = {name: obj for m in iter_modules(pkg.__path__) for name, obj in
              vars(import_module(f"{pkg.__name__}.{m.name}")).items() if isinstance(obj, type)}
    for body in bodies:
        assert issubclass(models[body], Request), body


def test_nullable_fields_follow_openapi_30() -> None:
    assert to_openapi30({"anyOf": [{"type": "string"}, {"type": "null"}], "title": "X"}) == \
        {"type": "string", "nullable": True}
    assert to_openapi30({"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}], "description": "d"}) == \
        {"allOf": [{"$ref": "#/components/schemas/A"}], "description": "d", "nullable": True}
    assert to_openapi30({"anyOf": [{"enum": ["a"], "type": "string"}, {"type": "null"}]}) == \
        {"enum": ["a", None], "type": "string", "nullable": True}
    assert to_openapi30({"type": "number", "exclusiveMinimum": 0}) == \
        {"type": "number", "minimum": 0, "exclusiveMinimum": True}
    assert to_openapi30({"const": "x", "type": "string"}) == {"enum": ["x"], "type": "string"}
    schemas = openapi_document()["components"]["schemas"]
    assert schemas["Run"]["properties"]["finished_at"] == {"type": "string", "format": "date-time",
                                                            "nullable": True}
    assert schemas["Model"]["properties"]["latest"]["nullable"] is True
    # A field that may be left out is not nullable: null is refused, absence is fine.
    assert "nullable" not in schemas["NewRun"]["properties"]["notes"]
    assert "notes" not in schemas["NewRun"]["required"]


def test_a_body_that_does_not_fit_names_the_field() -> None:
    from mlhub_ext.core.errors import ErrorCode, MLHubError

    cases = [
        (NewRun, {}, "field 'project' is required"),
        (NewRun, {"project": "p", "tags": ["ok", ""]}, "field 'tags[1]': String should have at least 1 character"),
        (NewRun, {"project": "p", "notes": None}, "field 'notes': Input should be a valid string, not None"),
        (NewRun, {"project": "p", "colour": 1}, "unknown field(s) for a new run: colour; allowed: config, name, "
                                                "notes, project, provenance, tags"),
        (RunPatch, {"status": "paused"}, "field 'status': Input should be 'running', 'finished', 'failed' or "
                                         "'killed', not 'paused'"),
    ]
    for model, body, says in cases:
        with pytest.raises(MLHubError) as e:
            parse(model, body)
        assert e.value.code == ErrorCode.INVALID and e.value.message.startswith(says), e.value.message
    assert parse(RunPatch, {"notes": "n"}).given() == {"notes": "n"}   # a patch: only what was sent


async def _call(jp_fetch, method: str, *path: str, body=None, query=None):  # type: ignore[no-untyped-def]
    data = json.dumps(body) if body is not None else (b"" if method in ("POST", "PUT", "PATCH") else None)
    try:
        resp = await jp_fetch("mlhub", "api", "v1", *path, method=method, body=data, params=query or {},
                              allow_nonstandard_methods=True)
    except HTTPClientError as e:
        assert e.response is not None
        return e.code, json.loads(e.response.body)
    return resp.code, json.loads(resp.body) if resp.body else None


async def test_bad_bodies_answer_4xx_json_naming_the_field(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    code, err = await _call(jp_fetch, "POST", "runs", body={"project": "p", "tags": "baseline"})
    assert code == 422 and err["error"]["code"] == "invalid"
    assert err["error"]["message"].startswith("field 'tags': Input should be a valid list")
    assert err["error"]["details"] == {"field": "tags"}
    code, err = await _call(jp_fetch, "POST", "projects", body={"description": "no name"})
    assert (code, err["error"]["message"]) == (422, "field 'name' is required")
    code, run = await _call(jp_fetch, "POST", "runs", body={"project": "p"})
    assert code == 201
    code, err = await _call(jp_fetch, "PATCH", "runs", run["id"], body={"name": "x" * 300})
    assert code == 422 and err["error"]["message"].startswith("field 'name': String should have at most 256")
    code, err = await _call(jp_fetch, "POST", "runs", run["id"], "metrics", body={"seq": True, "metrics": {}})
    assert code == 422 and err["error"]["message"].startswith("field 'seq'")
    code, err = await _call(jp_fetch, "PUT", "projects", "p", "members", "bob", body={"role": "owner"})
    assert code == 422 and err["error"]["message"].startswith("field 'role': Input should be 'read', 'edit' or")
    # Domain rules stay the core's, in its words.
    code, err = await _call(jp_fetch, "POST", "projects", body={"name": "bad name!"})
    assert code == 422 and err["error"]["message"].startswith("project name 'bad name!' is not valid")


async def test_boolean_query_parameters_are_strict(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    assert (await _call(jp_fetch, "GET", "runs", query={"desc": "0"}))[0] == 200
    assert (await _call(jp_fetch, "GET", "runs", query={"desc": "TRUE"}))[0] == 200
    code, err = await _call(jp_fetch, "GET", "runs", query={"desc": "yes"})
    assert code == 400 and err["error"]["message"] == \
        "query parameter 'desc' must be true or false (or 1 or 0), not 'yes'"
    code, err = await _call(jp_fetch, "GET", "models", "m", "versions", query={"archived": "maybe"})
    assert code == 400 and "'archived'" in err["error"]["message"]

