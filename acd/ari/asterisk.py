"""`/asterisk`: system info, ping, global variables, modules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from acd.ari.http import AriHttp, seg
from acd.ari.models_generated import AsteriskInfo, AsteriskPing, Module, Variable

__all__ = ["Asterisk", "InfoSection"]

InfoSection = Literal["build", "system", "config", "status"]


class Asterisk:
    """Typed calls on `/ari/asterisk`."""

    def __init__(self, http: AriHttp) -> None:
        self._http = http

    async def info(self, only: Sequence[InfoSection] | None = None) -> AsteriskInfo:
        params = {"only": ",".join(only) if only else None}
        return AsteriskInfo.from_json(
            await self._http.request("GET", "/asterisk/info", params=params)
        )

    async def ping(self) -> AsteriskPing:
        return AsteriskPing.from_json(await self._http.request("GET", "/asterisk/ping"))

    async def get_global_var(self, variable: str) -> str:
        reply = await self._http.request(
            "GET", "/asterisk/variable", params={"variable": variable}
        )
        return Variable.from_json(reply).value

    async def set_global_var(self, variable: str, value: str | None) -> None:
        await self._http.request(
            "POST", "/asterisk/variable", params={"variable": variable, "value": value}
        )

    async def list_modules(self) -> list[Module]:
        return [Module.from_json(m) for m in await self._http.request("GET", "/asterisk/modules")]

    async def get_module(self, name: str) -> Module:
        reply = await self._http.request("GET", f"/asterisk/modules/{seg(name)}")
        return Module.from_json(reply)

    async def reload_module(self, name: str) -> None:
        await self._http.request("PUT", f"/asterisk/modules/{seg(name)}")
