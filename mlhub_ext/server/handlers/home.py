"""``GET /home``: the overview the lab's home panel shows, in one answer."""
from __future__ import annotations

import threading
from typing import Any

from ...core.home import HomeService
from ...store.home import SqlHomeStore
from .base import MLHubAPIMixin, api

_lock = threading.Lock()


def home_service(settings: dict[str, Any]) -> HomeService:
    """The home service of this application, built on first use over the registry's database."""
    svc = settings.get("mlhub.home")
    if svc is None:
        with _lock:
            svc = settings.get("mlhub.home")
            if svc is None:
                svc = settings["mlhub.home"] = HomeService(SqlHomeStore(settings["mlhub.registry"].store))
    return svc


class HomeHandler(MLHubAPIMixin):
    @api
    async def get(self) -> None:
        arg = self.get_argument  # type: ignore[attr-defined]
        body = await self.call(home_service(self.settings).overview, self.acting_user(), arg("days", None),
                               arg("limit", None))
        self.write_json(body)
