"""The shared `mlhub serve` of this package (see tests/tracking_fixtures.py)."""
from tests.tracking_fixtures import shared_server, tracking  # noqa: F401
