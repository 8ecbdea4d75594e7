"""``GET /home``: the overview the lab's home panel shows, in one answer."""
from __future__ import annotations

from .base import MLHubAPIMixin, api


class HomeHandler(MLHubAPIMixin):
    @api
    async def get(self) -> None:
        arg = self.get_argument  # type: ignore[attr-defined]
        body = await self.call(self.services.home.overview, self.acting_user(), arg("days", None),
                               arg("limit", None))
        self.write_json(body)
