import pickle

from mlhub_ext.core.errors import HTTP_STATUS, ErrorCode, MLHubError


def test_every_code_has_a_status():
    assert set(HTTP_STATUS) == set(ErrorCode)


def test_errors_survive_pickling():
    e = pickle.loads(pickle.dumps(MLHubError(ErrorCode.RATE_LIMITED, "slow down", retry_after=3)))
    assert (e.code, e.message, e.details, e.http_status) == (ErrorCode.RATE_LIMITED, "slow down", {"retry_after": 3}, 429)


def test_json_round_trip():
    e = MLHubError.from_json(MLHubError(ErrorCode.CONFLICT, "exists").to_json(), 409)
    assert (e.code, e.message) == (ErrorCode.CONFLICT, "exists")
    assert MLHubError.from_json({"error": {"code": "weird"}}, 500).code == ErrorCode.INTERNAL
