"""The hotline's HTTP API (`/api/v1/`), the wallboard page and `/metrics`, over a ControlPlane.

The layer validates requests and maps refusals to HTTP answers; it holds no call or agent
state of its own. Every answer is JSON, errors included: `{"error": "..."}`.
"""

from __future__ import annotations

import hmac
import logging
import math
from dataclasses import asdict
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from acd.api_validation import (
    MAX_BODY_BYTES,
    RequestError,
    check_id,
    check_size,
    parse_disposition,
    parse_empty,
    parse_login,
    parse_notices,
    parse_pause,
    parse_supervise,
    parse_transfer,
)
from acd.control import ControlError, ControlPlane, Snapshot
from acd.metrics_export import MetricsExporter
from acd.wallboard import DEFAULT_TARGETS, wallboard_page

__all__ = ["make_app", "snapshot_json"]

_log = logging.getLogger(__name__)

_OK: dict[str, Any] = {"ok": True}


def _finite(value: float | None) -> float | None:
    """JSON has no NaN or infinity; a figure that is not finite is shown as unknown."""
    return value if value is not None and math.isfinite(value) else None


def snapshot_json(snap: Snapshot) -> dict[str, Any]:
    """The snapshot as answered: `targets` are the defaults overlaid by the controller's."""
    queues = []
    for q in snap.queues:
        d = asdict(q)
        d["longest_wait"] = _finite(q.longest_wait) or 0.0
        d["service_level_today"] = _finite(q.service_level_today)
        d["asa_today"] = _finite(q.asa_today)
        queues.append(d)
    agents = []
    for a in snap.agents:
        d = asdict(a)
        d["time_in_state"] = max(0.0, _finite(snap.now - a.since) or 0.0)
        agents.append(d)
    targets = {k: v for k, v in {**DEFAULT_TARGETS, **snap.targets}.items() if math.isfinite(v)}
    return {
        "now": snap.now,
        "calls_in_progress": snap.calls_in_progress,
        "queues": queues,
        "agents": agents,
        "notices": list(snap.notices),
        "targets": targets,
    }


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


async def _read_body(request: web.Request) -> bytes:
    """The body, refused as soon as it passes the limit instead of after reading it all."""
    if request.content_length is not None:
        check_size(request.content_length)
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(MAX_BODY_BYTES + 1 - size):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise RequestError(f"body: over the {MAX_BODY_BYTES}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _auth_middleware(token: str) -> Middleware:
    expected = f"Bearer {token}".encode()

    @web.middleware
    async def auth(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/api/") or request.path == "/metrics":
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return _error(401, "missing or wrong bearer token",
                              {"WWW-Authenticate": 'Bearer realm="acd"'})
        return await handler(request)

    return auth


@web.middleware
async def _errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except RequestError as e:
        return _error(400, str(e))
    except ControlError as e:
        status = e.status if 400 <= e.status <= 599 else 500
        return _error(status, str(e))
    except web.HTTPNotFound:
        return _error(404, f"no such resource: {request.path}")
    except web.HTTPMethodNotAllowed as e:
        allowed = ", ".join(sorted(e.allowed_methods))
        return _error(405, f"method {request.method} not allowed on {request.path} "
                           f"(allowed: {allowed})", {"Allow": allowed})
    except web.HTTPException as e:
        if e.status < 400:
            raise
        return _error(e.status, e.reason)
    except Exception:
        # Headers (and so the token) are deliberately left out of the log line.
        _log.exception("%s %s failed", request.method, request.path)
        return _error(500, "internal error")


class _Routes:
    def __init__(self, control: ControlPlane) -> None:
        self.control = control

    async def snapshot(self, request: web.Request) -> web.Response:
        return web.json_response(snapshot_json(self.control.snapshot()))

    # Agents.
    async def login(self, request: web.Request) -> web.Response:
        agent_id = check_id("agent_id", request.match_info["agent_id"])
        body = parse_login(await _read_body(request))
        await self.control.agent_login(agent_id, body.pin)
        return web.json_response(_OK)

    async def logout(self, request: web.Request) -> web.Response:
        agent_id = check_id("agent_id", request.match_info["agent_id"])
        parse_empty(await _read_body(request))
        await self.control.agent_logout(agent_id)
        return web.json_response(_OK)

    async def pause(self, request: web.Request) -> web.Response:
        agent_id = check_id("agent_id", request.match_info["agent_id"])
        body = parse_pause(await _read_body(request))
        await self.control.agent_pause(agent_id, body.reason)
        return web.json_response(_OK)

    async def ready(self, request: web.Request) -> web.Response:
        agent_id = check_id("agent_id", request.match_info["agent_id"])
        parse_empty(await _read_body(request))
        await self.control.agent_ready(agent_id)
        return web.json_response(_OK)

    async def end_wrap_up(self, request: web.Request) -> web.Response:
        agent_id = check_id("agent_id", request.match_info["agent_id"])
        parse_empty(await _read_body(request))
        await self.control.end_wrap_up(agent_id)
        return web.json_response(_OK)

    # Calls.
    async def hold(self, request: web.Request) -> web.Response:
        call_id = check_id("call_id", request.match_info["call_id"])
        parse_empty(await _read_body(request))
        await self.control.hold(call_id)
        return web.json_response(_OK)

    async def unhold(self, request: web.Request) -> web.Response:
        call_id = check_id("call_id", request.match_info["call_id"])
        parse_empty(await _read_body(request))
        await self.control.unhold(call_id)
        return web.json_response(_OK)

    async def transfer(self, request: web.Request) -> web.Response:
        call_id = check_id("call_id", request.match_info["call_id"])
        body = parse_transfer(await _read_body(request))
        await self.control.transfer(call_id, body.mode, body.kind, body.target)
        return web.json_response(_OK)

    async def complete_transfer(self, request: web.Request) -> web.Response:
        call_id = check_id("call_id", request.match_info["call_id"])
        parse_empty(await _read_body(request))
        await self.control.complete_transfer(call_id)
        return web.json_response(_OK)

    async def cancel_transfer(self, request: web.Request) -> web.Response:
        call_id = check_id("call_id", request.match_info["call_id"])
        parse_empty(await _read_body(request))
        await self.control.cancel_transfer(call_id)
        return web.json_response(_OK)

    async def disposition(self, request: web.Request) -> web.Response:
        call_id = check_id("call_id", request.match_info["call_id"])
        body = parse_disposition(await _read_body(request))
        await self.control.set_disposition(call_id, body.code, body.resolved, body.notes)
        return web.json_response(_OK)

    async def decisions(self, request: web.Request) -> web.Response:
        call_id = check_id("call_id", request.match_info["call_id"])
        decisions = list(self.control.decisions(call_id))
        return web.json_response({"call_id": call_id, "decisions": decisions})

    async def supervise(self, request: web.Request) -> web.Response:
        call_id = check_id("call_id", request.match_info["call_id"])
        body = parse_supervise(await _read_body(request))
        session = await self.control.supervise(body.endpoint, call_id, body.mode)
        return web.json_response({"call_id": call_id, "mode": body.mode, "session_id": session})

    # Outage notices.
    async def get_notices(self, request: web.Request) -> web.Response:
        return web.json_response({"notices": list(self.control.snapshot().notices)})

    async def put_notices(self, request: web.Request) -> web.Response:
        body = parse_notices(await _read_body(request))
        await self.control.set_notices(body.notices)
        return web.json_response({"notices": list(body.notices)})


def make_app(control: ControlPlane, *, api_token: str | None = None) -> web.Application:
    """The web application; with `api_token`, `/api/` and `/metrics` want `Bearer <token>`."""
    if api_token is not None and not api_token.strip():
        raise ValueError("api_token must not be empty (pass None to turn authentication off)")
    middlewares: list[Middleware] = [_errors_middleware]
    if api_token is not None:
        middlewares.append(_auth_middleware(api_token))
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY_BYTES)
    r = _Routes(control)
    agent, call = "/api/v1/agents/{agent_id}", "/api/v1/calls/{call_id}"
    app.router.add_routes([
        web.get("/api/v1/snapshot", r.snapshot),
        web.post(f"{agent}/login", r.login),
        web.post(f"{agent}/logout", r.logout),
        web.post(f"{agent}/pause", r.pause),
        web.post(f"{agent}/ready", r.ready),
        web.post(f"{agent}/wrapup/end", r.end_wrap_up),
        web.post(f"{call}/hold", r.hold),
        web.post(f"{call}/unhold", r.unhold),
        web.post(f"{call}/transfer", r.transfer),
        web.post(f"{call}/transfer/complete", r.complete_transfer),
        web.post(f"{call}/transfer/cancel", r.cancel_transfer),
        web.post(f"{call}/disposition", r.disposition),
        web.get(f"{call}/decisions", r.decisions),
        web.post(f"{call}/supervise", r.supervise),
        web.get("/api/v1/notices", r.get_notices),
        web.put("/api/v1/notices", r.put_notices),
        web.get("/wallboard", wallboard_page),
        web.get("/metrics", MetricsExporter(control).handle),
    ])
    return app
