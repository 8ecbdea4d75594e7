from tests.services.mlflow_client import mlflow_server  # noqa: F401  (fixture)
