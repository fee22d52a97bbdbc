"""Bad input, refusals from the controller, unknown routes and authentication."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from api_fake_control import FakeControl, serve

from acd.api import make_app
from acd.control import ControlError

TRANSFER = "/api/v1/calls/c1/transfer"


@pytest.mark.parametrize(("path", "body", "message"), [
    (TRANSFER, b'{"mode": "blind", ', "body: not valid JSON (Expecting property name enclosed in "
                                      "double quotes at line 1 column 19)"),
    (TRANSFER, b"mode=blind", "body: not valid JSON (Expecting value at line 1 column 1)"),
    (TRANSFER, b"\xff\xfe", "body: not UTF-8 (bad byte at offset 0)"),
    (TRANSFER, b'["blind"]', "body: expected a JSON object; got array"),
    (TRANSFER, b'"blind"', 'body: expected a JSON object; got string "blind"'),
    (TRANSFER, b'{"mode": "blind", "mode": "attended"}',
     "body: not valid JSON (duplicate field 'mode')"),
    (TRANSFER, b'{"mode": NaN}', "body: not valid JSON (NaN is not allowed in JSON)"),
    (TRANSFER, {"mode": "warm", "kind": "queue", "target": "q"},
     'body.mode: expected one of blind, attended; got "warm"'),
    (TRANSFER, {"mode": "blind", "kind": 7, "target": "q"},
     "body.kind: expected one of queue, agent, external; got number 7"),
    (TRANSFER, {"mode": "blind", "kind": "queue"}, "body.target: missing (expected a string)"),
    (TRANSFER, {"kind": "queue", "target": "q"},
     "body.mode: missing (expected one of blind, attended)"),
    (TRANSFER, {"mode": "blind", "kind": "queue", "target": "q", "warm": True},
     "body.warm: unknown field (accepted fields: mode, kind, target)"),
    (TRANSFER, {"mode": "blind", "kind": "queue", "target": ["q"]},
     "body.target: expected a string; got array"),
    (TRANSFER, {"mode": "blind", "kind": "queue", "target": "  "},
     "body.target: must not be empty"),
    (TRANSFER, {"mode": "blind", "kind": "queue", "target": "q" * 129},
     "body.target: longer than 128 characters (129)"),
    ("/api/v1/agents/a1/login", {"pin": 1234}, "body.pin: expected a string; got number 1234"),
    ("/api/v1/agents/a1/pause", {}, "body.reason: missing (expected a string)"),
    ("/api/v1/agents/a1/pause", {"reason": None}, "body.reason: expected a string; got null"),
    ("/api/v1/agents/a1/pause", {"reason": "lunch\x00"},
     "body.reason: contains control characters"),
    ("/api/v1/agents/a1/ready", {"force": True},
     "body.force: unknown field (accepted fields: none)"),
    ("/api/v1/calls/c1/hold", b"[]", "body: expected a JSON object; got array"),
    ("/api/v1/calls/c1/disposition", {"code": "x", "resolved": "yes"},
     'body.resolved: expected true or false; got string "yes"'),
    ("/api/v1/calls/c1/disposition", {"code": "x"}, "body.resolved: missing (expected true or "
                                                    "false)"),
    ("/api/v1/calls/c1/disposition", {"code": "x", "resolved": True, "notes": 5},
     "body.notes: expected a string; got number 5"),
    ("/api/v1/calls/c1/supervise", {"endpoint": "2001", "mode": "listen"},
     'body.endpoint: expected technology/resource like PJSIP/2001; got "2001"'),
    ("/api/v1/calls/c1/supervise", {"endpoint": "PJSIP/2001", "mode": "spy"},
     'body.mode: expected one of listen, whisper, barge; got "spy"'),
    ("/api/v1/agents/%20a1/logout", None, "path.agent_id: contains blanks or control characters"),
    ("/api/v1/calls/" + "c" * 129 + "/hold", None,
     "path.call_id: longer than 128 characters (129)"),
])
async def test_bad_input_is_400_with_a_message_naming_the_place(
    path: str, body: Any, message: str
) -> None:
    control = FakeControl()
    async with serve(control) as client:
        if isinstance(body, bytes):
            resp = await client.post(path, data=body)
        elif body is None:
            resp = await client.post(path)
        else:
            resp = await client.post(path, json=body)
        assert resp.status == 400
        assert await resp.json() == {"error": message}
    assert control.calls == []


@pytest.mark.parametrize(("body", "message"), [
    ({"notices": "outage"}, 'body.notices: expected an array of strings; got string "outage"'),
    ({"notices": ["ok", 3]}, "body.notices[1]: expected a string; got number 3"),
    ({"notices": ["ok", ""]}, "body.notices[1]: must not be empty"),
    ({"notices": ["n"] * 51}, "body.notices: more than 50 notices (51)"),
    ({}, "body.notices: missing (expected an array of strings)"),
])
async def test_bad_notices_are_400(body: Any, message: str) -> None:
    control = FakeControl()
    async with serve(control) as client:
        resp = await client.put("/api/v1/notices", json=body)
        assert resp.status == 400
        assert await resp.json() == {"error": message}
    assert control.calls == []


async def test_oversized_body_is_400_without_reaching_the_controller() -> None:
    control = FakeControl()
    big = b'{"notices": ["' + b"x" * 70_000 + b'"]}'
    async with serve(control) as client:
        resp = await client.put("/api/v1/notices", data=big)
        assert resp.status == 400
        assert await resp.json() == {
            "error": f"body: {len(big)} bytes is over the 65536-byte limit"}
    assert control.calls == []


async def test_oversized_chunked_body_is_400_too() -> None:
    async def chunks() -> Any:
        for _ in range(20):
            yield b"x" * 8192

    control = FakeControl()
    async with serve(control) as client:
        resp = await client.put("/api/v1/notices", data=chunks())
        assert resp.status == 400
        assert await resp.json() == {"error": "body: over the 65536-byte limit"}
    assert control.calls == []


async def test_body_at_the_limit_is_accepted() -> None:
    control = FakeControl()
    body = b'{"notices": ["' + b"x" * 1000 + b'"]}'
    body += b" " * (65536 - len(body))
    async with serve(control) as client:
        resp = await client.put("/api/v1/notices", data=body)
        assert resp.status == 200
    assert control.calls == [("set_notices", (("x" * 1000,),))]


@pytest.mark.parametrize(("status", "sent"), [(404, 404), (409, 409), (503, 503), (200, 500)])
async def test_control_error_answers_its_status_and_message(status: int, sent: int) -> None:
    control = FakeControl(fail={"hold": ControlError("call c1 is not connected", status)})
    async with serve(control) as client:
        resp = await client.post("/api/v1/calls/c1/hold")
        assert resp.status == sent
        assert await resp.json() == {"error": "call c1 is not connected"}


async def test_control_error_from_decisions_is_mapped() -> None:
    async with serve(FakeControl()) as client:
        resp = await client.get("/api/v1/calls/nope/decisions")
        assert resp.status == 404
        assert await resp.json() == {"error": "no call 'nope'"}


async def test_unexpected_failure_is_500_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    control = FakeControl(fail={"agent_ready": RuntimeError("state table corrupt")})
    with caplog.at_level(logging.ERROR, logger="acd.api"):
        async with serve(control) as client:
            resp = await client.post("/api/v1/agents/a1/ready")
            assert resp.status == 500
            text = await resp.text()
    assert text == '{"error": "internal error"}'
    assert "state table corrupt" in caplog.text
    assert "POST /api/v1/agents/a1/ready" in caplog.text


async def test_unknown_route_is_404_json() -> None:
    async with serve(FakeControl()) as client:
        resp = await client.get("/api/v1/queues/billing")
        assert resp.status == 404
        assert resp.content_type == "application/json"
        assert await resp.json() == {"error": "no such resource: /api/v1/queues/billing"}


async def test_wrong_method_is_405_json_with_allow() -> None:
    async with serve(FakeControl()) as client:
        resp = await client.delete("/api/v1/notices")
        assert resp.status == 405
        body = await resp.json()
        assert body["error"].startswith("method DELETE not allowed on /api/v1/notices")
        assert "PUT" in resp.headers["Allow"]


TOKEN = "s3cret-token"


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x",
                                    TOKEN])
@pytest.mark.parametrize("path", ["/api/v1/snapshot", "/metrics", "/api/v1/nowhere"])
async def test_auth_on_refuses_without_the_right_token(header: str | None, path: str) -> None:
    control = FakeControl()
    headers = {"Authorization": header} if header else {}
    async with serve(control, token=TOKEN) as client:
        resp = await client.get(path, headers=headers)
        assert resp.status == 401
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
        body = await resp.json()
    assert body == {"error": "missing or wrong bearer token"}
    assert TOKEN not in str(body)
    assert control.calls == []


async def test_auth_on_accepts_the_token_and_leaves_the_page_open() -> None:
    control = FakeControl()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    async with serve(control, token=TOKEN) as client:
        assert (await client.get("/api/v1/snapshot", headers=auth)).status == 200
        assert (await client.post("/api/v1/calls/c1/hold", headers=auth)).status == 200
        assert (await client.get("/metrics", headers=auth)).status == 200
        # The page holds no data; it sends the token it is given in the URL fragment.
        assert (await client.get("/wallboard")).status == 200
    assert ("hold", ("c1",)) in control.calls


async def test_auth_off_needs_no_header() -> None:
    async with serve(FakeControl()) as client:
        assert (await client.get("/api/v1/snapshot")).status == 200
        assert (await client.get("/metrics")).status == 200


async def test_the_token_is_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    control = FakeControl(fail={"hold": RuntimeError("boom")})
    with caplog.at_level(logging.DEBUG):
        async with serve(control, token=TOKEN) as client:
            await client.post("/api/v1/calls/c1/hold", headers={"Authorization": f"Bearer {TOKEN}"})
            await client.get("/api/v1/snapshot", headers={"Authorization": "Bearer guess"})
    assert "boom" in caplog.text
    assert TOKEN not in caplog.text


@pytest.mark.parametrize("token", ["", "   "])
def test_an_empty_token_is_refused_at_startup(token: str) -> None:
    with pytest.raises(ValueError, match="api_token must not be empty"):
        make_app(FakeControl(), api_token=token)
