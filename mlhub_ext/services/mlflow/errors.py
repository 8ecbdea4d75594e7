"""MLflow's error shape ``{"error_code": ..., "message": ...}`` and its HTTP statuses.

One table maps ML Hub's error codes to MLflow's (:data:`FROM_MLHUB`); MLflow's own codes
carry the statuses MLflow's server gives them (``mlflow/exceptions.py``), which decide what
MLflow's client retries (429 and 5xx) and what it raises at once.
"""
from __future__ import annotations

from typing import Any

from ...core.errors import ErrorCode, MLHubError

STATUS: dict[str, int] = {
    "INVALID_PARAMETER_VALUE": 400,
    "BAD_REQUEST": 400,
    "RESOURCE_ALREADY_EXISTS": 400,
    "INVALID_STATE": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "RESOURCE_DOES_NOT_EXIST": 404,
    "ENDPOINT_NOT_FOUND": 404,
    "REQUEST_LIMIT_EXCEEDED": 429,
    "INTERNAL_ERROR": 500,
    "NOT_IMPLEMENTED": 501,
    "TEMPORARILY_UNAVAILABLE": 503,
    "RESOURCE_EXHAUSTED": 507,
}

FROM_MLHUB: dict[ErrorCode, str] = {
    ErrorCode.MALFORMED: "BAD_REQUEST",
    ErrorCode.INVALID: "INVALID_PARAMETER_VALUE",
    ErrorCode.NOT_FOUND: "RESOURCE_DOES_NOT_EXIST",
    ErrorCode.METHOD_NOT_ALLOWED: "ENDPOINT_NOT_FOUND",
    ErrorCode.CONFLICT: "RESOURCE_ALREADY_EXISTS",
    ErrorCode.UNAUTHENTICATED: "UNAUTHENTICATED",
    ErrorCode.FORBIDDEN: "PERMISSION_DENIED",
    ErrorCode.RATE_LIMITED: "REQUEST_LIMIT_EXCEEDED",
    ErrorCode.TOO_LARGE: "INVALID_PARAMETER_VALUE",
    ErrorCode.SCHEMA_OUTDATED: "TEMPORARILY_UNAVAILABLE",
    ErrorCode.UNAVAILABLE: "TEMPORARILY_UNAVAILABLE",
    ErrorCode.INSUFFICIENT_STORAGE: "RESOURCE_EXHAUSTED",
    ErrorCode.INTERNAL: "INTERNAL_ERROR",
}


class MlflowError(Exception):
    """An error as MLflow's server reports it: ``error_code`` (MLflow's name) and a message."""

    def __init__(self, error_code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.message = message
        self.status = status if status is not None else STATUS.get(error_code, 500)

    def to_json(self) -> dict[str, Any]:
        return {"error_code": self.error_code, "message": self.message}


def from_mlhub(exc: MLHubError) -> MlflowError:
    """The MLflow form of an ML Hub error (same message; a 413 stays a 400 as in MLflow)."""
    return MlflowError(FROM_MLHUB.get(exc.code, "INTERNAL_ERROR"), exc.message)


def invalid(message: str) -> MlflowError:
    return MlflowError("INVALID_PARAMETER_VALUE", message)


def not_found(message: str) -> MlflowError:
    return MlflowError("RESOURCE_DOES_NOT_EXIST", message)


def not_implemented(route: str) -> MlflowError:
    return MlflowError("NOT_IMPLEMENTED",
                       f"ML Hub does not serve MLflow's {route!r}: see docs/mlflow.md for the supported endpoints "
                       "(tracing, GenAI, prompts, webhooks, scorers and gateway routes are not served)")
