"""The OpenAPI document validates and matches the routes the server really has."""
from __future__ import annotations

import json
import re

from openapi_spec_validator import validate

from mlhub_ext.server.openapi import openapi_document
from mlhub_ext.server.routes import API_TABLE, PUBLIC_TABLE
from mlhub_ext.server.stream import StreamHandlerMixin

METHODS = ("get", "post", "put", "patch", "delete")


def _to_openapi(pattern: str) -> str:
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern) or "/"


def test_document_is_valid_openapi():
    validate(openapi_document())


def test_document_matches_routes():
    doc = openapi_document()["paths"]
    routes = {}
    for pattern, mixin in API_TABLE + PUBLIC_TABLE + [("/stream", StreamHandlerMixin)]:
        implemented = {m for m in METHODS if m in vars(mixin)}
        routes[_to_openapi(pattern)] = implemented
    assert set(routes) == set(doc), set(routes) ^ set(doc)
    for path, methods in routes.items():
        assert methods == set(doc[path]), (path, methods, set(doc[path]))


async def test_served_document_and_docs_page(jp_fetch):
    resp = await jp_fetch("mlhub", "api", "v1", "openapi.json")
    doc = json.loads(resp.body)
    validate(doc)
    assert doc["servers"][0]["url"].endswith("/mlhub/api/v1")
    page = await jp_fetch("mlhub", "api", "v1", "docs")
    html = page.body.decode()
    assert "swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    js = await jp_fetch("mlhub", "api", "v1", "docs", "static", "swagger-ui-bundle.js")
    assert len(js.body) > 100_000


def test_every_operation_documents_the_answers_every_handler_can_give():
    """Found by the API fuzzer: operations built by hand left out 401, writes never listed the
    rate limit's 429, and bodies the 400 of malformed JSON."""
    doc = openapi_document()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            if path in ("/openapi.json", "/docs"):
                assert "401" not in codes, (method, path)
                continue
            if path == "/stream":   # the WebSocket: not the REST wrapper's answers
                continue
            assert "401" in codes, (method, path)
            assert ("429" in codes) == (method in ("post", "put", "patch", "delete")), (method, path)
            if "application/json" in op.get("requestBody", {}).get("content", {}):
                assert "400" in codes, (method, path)
            for code, answer in op["responses"].items():
                if code >= "400":
                    assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "413" in doc["paths"]["/uploads"]["post"]["responses"]
    assert "413" in doc["paths"]["/uploads/{upload_id}/chunks/{offset}"]["put"]["responses"]
    inferences = doc["paths"]["/models/{name}/versions/{version}/inferences"]["get"]["responses"]["200"]["content"]
    assert set(inferences) == {"application/json", "text/csv"}


def test_document_states_the_rules_the_server_checks():
    """Found by the API fuzzer's positive cases: the document allowed names, limits, versions
    and fields the server refuses, so valid-by-the-document requests got 422s."""
    doc = openapi_document()
    paths, schemas = doc["paths"], doc["components"]["schemas"]
    assert paths["/openapi.json"]["get"]["security"] == [] and paths["/docs"]["get"]["security"] == []

    def param(path: str, method: str, name: str) -> dict:
        return next(p["schema"] for p in paths[path][method]["parameters"] if p["name"] == name)

    assert param("/projects", "get", "limit") == {"type": "integer", "default": 50, "minimum": 1, "maximum": 1000}
    assert param("/projects", "get", "offset")["maximum"] == 2**63 - 1
    assert param("/models/{name}/versions/{version}/inferences", "get", "limit")["maximum"] == 10_000
    for path in ("/projects/{name}", "/datasets/{name}", "/models/{name}"):
        assert param(path, "get", "name")["pattern"] == "^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"
    assert "pattern" not in param("/runs/{run_id}/artifacts/{name}", "get", "name")   # a relative path
    assert schemas["NewProject"]["properties"]["name"]["pattern"] == "^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"
    for name in ("ProjectPatch", "RunPatch", "NewRun", "Params", "MetricBatch", "DatasetPatch", "ModelPatch",
                 "ModelVersionPatch"):
        assert schemas[name]["additionalProperties"] is False, name
    for name, prop in (("Rollback", "version"), ("Promotion", "version"), ("NewEvaluation", "version")):
        assert schemas[name]["properties"][prop]["minimum"] == 1, name
    assert schemas["CompleteUpload"]["required"] == ["sha256"]
    chunk = paths["/uploads/{upload_id}/chunks/{offset}"]["put"]["parameters"]
    assert next(p for p in chunk if p["name"] == "X-Chunk-SHA256")["required"] is True
    assert schemas["Registration"]["additionalProperties"] is False
    assert schemas["NewRun"]["properties"]["name"] == {"type": "string", "minLength": 1, "maxLength": 256}
    assert param("/jobs", "get", "state")["enum"] == ["queued", "running", "finished", "failed", "aborted"]


async def test_a_card_versions_evaluation_and_report_match_the_document(jp_fetch):
    """Found by the API fuzzer: a version imported from a model card has no evaluation, and
    its evaluation and report answered {"evaluation": null}, which the document did not allow."""
    from openapi_schema_validator import OAS30Validator

    doc = openapi_document()
    card = "---\nlicense: mit\nlibrary_name: sklearn\n---\n# carded\nA card without weights.\n"
    await jp_fetch("mlhub", "api", "v1", "models", method="POST", body=json.dumps({"card": card, "name": "carded"}))
    for what, schema in (("evaluation", "ModelEvaluation"), ("report", "ModelReport")):
        got = json.loads((await jp_fetch("mlhub", "api", "v1", "models", "carded", "versions", "1", what)).body)
        assert got["evaluation"] is None
        OAS30Validator({"$ref": f"#/components/schemas/{schema}", "components": doc["components"]}).validate(got)
