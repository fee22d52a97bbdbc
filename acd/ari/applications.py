"""`/applications`: Stasis applications and their event subscriptions."""

from __future__ import annotations

from collections.abc import Sequence

from acd.ari.http import AriHttp, seg
from acd.ari.models_generated import Application

__all__ = ["Applications"]


class Applications:
    """Typed calls on `/ari/applications`."""

    def __init__(self, http: AriHttp) -> None:
        self._http = http

    async def list(self) -> list[Application]:
        reply = await self._http.request("GET", "/applications")
        return [Application.from_json(a) for a in reply]

    async def get(self, app: str) -> Application:
        reply = await self._http.request("GET", f"/applications/{seg(app)}")
        return Application.from_json(reply)

    async def subscribe(self, app: str, event_source: str | Sequence[str]) -> Application:
        """Subscribe to e.g. ``"channel:ID"``, ``"bridge:ID"``, ``"endpoint:PJSIP/1001"``."""
        reply = await self._http.request(
            "POST", f"/applications/{seg(app)}/subscription", params=_source(event_source)
        )
        return Application.from_json(reply)

    async def unsubscribe(self, app: str, event_source: str | Sequence[str]) -> Application:
        reply = await self._http.request(
            "DELETE", f"/applications/{seg(app)}/subscription", params=_source(event_source)
        )
        return Application.from_json(reply)


def _source(event_source: str | Sequence[str]) -> dict[str, str]:
    value = event_source if isinstance(event_source, str) else ",".join(event_source)
    return {"eventSource": value}
