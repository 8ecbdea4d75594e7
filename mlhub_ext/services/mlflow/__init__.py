"""MLflow's REST API translated onto ML Hub's registry (no HTTP here).

Every endpoint is a function ``fn(registry, user, request) -> dict``: ``request`` is the
decoded JSON body (POST) or the query arguments (GET; a repeated argument is a list, every
value a string, as MLflow's client sends them); the answer is MLflow's JSON. Errors are
:class:`~.errors.MlflowError` (MLflow's ``error_code`` and HTTP status); ML Hub's
``MLHubError`` is translated by :func:`~.errors.from_mlhub`.

The mapping (docs/mlflow.md): experiment ↔ project (experiment id = the project's stable
number), MLflow run ↔ ML Hub run, key/value tags ↔ ``provenance["mlflow"]["tags"]``.
"""
