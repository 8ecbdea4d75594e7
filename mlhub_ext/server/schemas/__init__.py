"""The wire contract: pydantic request and response models at the HTTP edge, one module per
resource (:mod:`.projects`, :mod:`.runs`, :mod:`.run_table`, :mod:`.datasets`, :mod:`.models`,
:mod:`.me`, :mod:`.home`).

Handlers parse bodies with the request models (:func:`.base.parse`: a 422 naming the field);
:mod:`mlhub_ext.server.openapi` generates the OpenAPI document's schemas from all of them
(:mod:`.oas30` writes them in OpenAPI 3.0's dialect), and ``scripts/gen_api_types.sh`` the
lab's TypeScript types from the document. A new field is added here, once.
"""
