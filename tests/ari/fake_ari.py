"""An in-process fake ARI server on 127.0.0.1 with scripted events, REST replies and
a hook to drop the event WebSocket."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

__all__ = ["PASSWORD", "USER", "FakeAri", "Recorded", "bridge_json", "channel_json"]

USER = "acd"
PASSWORD = "s3cr3t-Pa55"

Reply = tuple[int, Any] | Callable[[web.Request], Awaitable[tuple[int, Any]]]


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    url: str
    body: Any = None


@dataclass
class FakeAri:
    requests: list[Recorded] = field(default_factory=list)
    ws_requests: list[Recorded] = field(default_factory=list)
    routes: dict[tuple[str, str], Reply] = field(default_factory=dict)
    refuse_ws: int = 0
    port: int = 0
    accepted: int = 0

    def __post_init__(self) -> None:
        self._sockets: list[web.WebSocketResponse] = []
        self._ws_count = asyncio.Condition()
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/ari/events", self._events)
        app.router.add_route("*", "/ari/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def route(self, method: str, path: str, reply: Reply) -> None:
        """Reply to `method /ari{path}` with (status, json body) or a coroutine."""
        self.routes[(method, path)] = reply

    def _authorized(self, request: web.Request) -> bool:
        expected = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        body = await request.json() if request.can_read_body else None
        path = "/" + request.match_info["tail"]
        self.requests.append(Recorded(request.method, path, dict(request.query),
                                      dict(request.headers), str(request.url), body))
        if not self._authorized(request):
            return web.json_response({"message": "Authentication required"}, status=401)
        reply = self.routes.get((request.method, path))
        if reply is None:
            return web.json_response({"message": "Resource not found"}, status=404)
        status, payload = await reply(request) if callable(reply) else reply
        if payload is None:
            return web.Response(status=status)
        return web.json_response(payload, status=status)

    async def _events(self, request: web.Request) -> web.StreamResponse:
        self.ws_requests.append(Recorded(request.method, "/events", dict(request.query),
                                         dict(request.headers), str(request.url)))
        if not self._authorized(request):
            return web.json_response({"message": "Authentication required"}, status=401)
        if self.refuse_ws > 0:
            self.refuse_ws -= 1
            return web.json_response({"message": "unavailable"}, status=503)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        self.accepted += 1
        async with self._ws_count:
            self._ws_count.notify_all()
        try:
            async for msg in ws:
                if msg.type is WSMsgType.ERROR:
                    break
        finally:
            if ws in self._sockets:
                self._sockets.remove(ws)
        return ws

    async def wait_ws(self, count: int = 1, timeout: float = 5.0) -> None:
        """Until `count` WebSockets have been accepted in total."""
        async with asyncio.timeout(timeout), self._ws_count:
            await self._ws_count.wait_for(lambda: self.accepted >= count)

    async def send(self, *events: dict[str, Any] | str) -> None:
        """Send each event (a dict, or a raw text frame) to every open WebSocket."""
        for event in events:
            text = event if isinstance(event, str) else json.dumps(event)
            for ws in list(self._sockets):
                await ws.send_str(text)

    async def drop(self) -> None:
        """Close every event WebSocket from the server side."""
        for ws in list(self._sockets):
            await ws.close(code=1011, message=b"dropped by test")
        self._sockets.clear()


def channel_json(channel_id: str, *, state: str = "Up", number: str = "5551234") -> dict[str, Any]:
    """A Channel as Asterisk 22 sends it (with a field this client does not model)."""
    return {
        "id": channel_id,
        "name": f"PJSIP/trunk-{channel_id[-8:]}",
        "state": state,
        "protocol_id": "a84b4c76e66710@pc33.example.com",
        "caller": {"name": "Alice", "number": number},
        "connected": {"name": "", "number": ""},
        "accountcode": "",
        "dialplan": {"context": "from-trunk", "exten": "100", "priority": 3,
                     "app_name": "Stasis", "app_data": "hotline"},
        "creationtime": "2025-03-01T10:15:00.123+0000",
        "language": "en",
        "channelvars": {"ACD_CALL": "c-1"},
        "some_future_field": {"x": 1},
    }


def bridge_json(bridge_id: str, channels: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": bridge_id, "technology": "simple_bridge", "bridge_type": "mixing",
        "bridge_class": "stasis", "creator": "Stasis", "name": "", "channels": channels or [],
        "creationtime": "2025-03-01T10:15:01.000+0000", "video_mode": "none",
    }
