"""`/endpoints`: SIP endpoints (agents' softphones) and their state."""

from __future__ import annotations

import builtins

from acd.ari.http import AriHttp, seg
from acd.ari.models_generated import Endpoint

__all__ = ["Endpoints"]


class Endpoints:
    """Typed calls on `/ari/endpoints`."""

    def __init__(self, http: AriHttp) -> None:
        self._http = http

    async def list(self) -> list[Endpoint]:
        return [Endpoint.from_json(e) for e in await self._http.request("GET", "/endpoints")]

    async def list_by_tech(self, tech: str) -> builtins.list[Endpoint]:
        reply = await self._http.request("GET", f"/endpoints/{seg(tech)}")
        return [Endpoint.from_json(e) for e in reply]

    async def get(self, tech: str, resource: str) -> Endpoint:
        reply = await self._http.request("GET", f"/endpoints/{seg(tech)}/{seg(resource)}")
        return Endpoint.from_json(reply)
