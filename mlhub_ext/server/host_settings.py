"""What every host of the registry (the Jupyter extension, ``mlhub serve``) puts in the tornado
application settings: the one :class:`~mlhub_ext.services.container.Services` object and the
few HTTP-side values derived from the same :class:`~mlhub_ext.services.settings.Settings`."""
from __future__ import annotations

from typing import Any

from ..services.container import SETTINGS_KEY, Services
from .ratelimit import RateLimiter
from .stream import StreamHub


def host_settings(services: Services, api_base: str) -> dict[str, Any]:
    """Tornado settings for the API under ``api_base`` (e.g. ``/mlhub/api/v1``)."""
    settings = services.settings
    return {
        SETTINGS_KEY: services,
        "mlhub.mode": settings.mode,
        "mlhub.local_user": settings.local_user,
        "mlhub.api_base": api_base,
        "mlhub.rate_limiter": RateLimiter(settings.rate_limit, settings.rate_burst),
        "mlhub.stream_hub": StreamHub(services.registry, services.fanout),
    }
