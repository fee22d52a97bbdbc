"""REST: status -> exception mapping, request shapes, Basic auth kept out of URLs/logs."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from acd.ari import (
    AriAuthError,
    AriBadRequest,
    AriClient,
    AriConfig,
    AriConflict,
    AriError,
    AriNotFound,
    AriUnavailable,
    AriUnprocessable,
    Bridge,
    Channel,
    Playback,
)
from tests.ari.fake_ari import PASSWORD, FakeAri, bridge_json, channel_json


@pytest.fixture
async def client(config: AriConfig) -> AsyncIterator[AriClient]:
    async with AriClient(config) as c:
        yield c


@pytest.mark.parametrize(
    ("status", "exc_type"),
    [
        (400, AriBadRequest),
        (401, AriAuthError),
        (403, AriAuthError),
        (404, AriNotFound),
        (409, AriConflict),
        (422, AriUnprocessable),
        (500, AriUnavailable),
        (503, AriUnavailable),
        (412, AriError),
    ],
)
async def test_status_maps_to_exception(
    fake: FakeAri, client: AriClient, status: int, exc_type: type[AriError]
) -> None:
    fake.route("POST", "/channels/c1/answer", (status, {"message": f"reason {status}"}))
    with pytest.raises(exc_type) as info:
        await client.channels.answer("c1")
    err = info.value
    assert type(err) is exc_type
    assert (err.method, err.path, err.status) == ("POST", "/channels/c1/answer", status)
    assert err.message == f"reason {status}"
    assert PASSWORD not in str(err) and PASSWORD not in repr(err)


async def test_connection_refused_is_unavailable(config: AriConfig) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    closed = AriConfig(base_url=f"http://127.0.0.1:{port}", username="acd",
                       password=PASSWORD, app="hotline", reconnect_initial=1.0,
                       reconnect_max=1.0)
    async with AriClient(closed) as client:
        with pytest.raises(AriUnavailable) as info:
            await client.asterisk.ping()
    assert info.value.path == "/asterisk/ping"
    assert PASSWORD not in str(info.value)


async def test_timeout_is_unavailable(fake: FakeAri, config: AriConfig) -> None:
    async def slow(request: web.Request) -> tuple[int, Any]:
        await asyncio.sleep(2)
        return 200, {}

    fake.route("GET", "/asterisk/ping", slow)
    quick = AriConfig(**{**config.__dict__, "request_timeout": 0.1})
    async with AriClient(quick) as client:
        with pytest.raises(AriUnavailable, match="no reply within"):
            await client.asterisk.ping()


async def test_basic_auth_in_header_never_in_url_or_logs(
    fake: FakeAri, config: AriConfig, caplog: pytest.LogCaptureFixture
) -> None:
    fake.route("GET", "/channels", (200, [channel_json("c1")]))
    fake.route("DELETE", "/channels/c1", (404, {"message": "Channel not found"}))
    caplog.set_level(logging.DEBUG)
    async with AriClient(config) as client:
        await client.wait_connected(5)
        assert [c.id for c in await client.channels.list()] == ["c1"]
        with pytest.raises(AriNotFound) as info:
            await client.channels.hangup("c1", reason="normal")
        logging.getLogger("test").info("client=%r config=%s err=%r", client, config, info.value)
    recorded = fake.requests + fake.ws_requests
    assert len(fake.ws_requests) >= 1 and len(fake.requests) == 2
    for req in recorded:
        assert req.headers["Authorization"].startswith("Basic ")
        assert PASSWORD not in req.url
        assert "api_key" not in req.query
    assert fake.ws_requests[0].query == {"app": "hotline", "subscribeAll": "false"}
    assert "ARI GET /channels" in caplog.text  # the client does log its requests
    assert PASSWORD not in caplog.text
    assert PASSWORD not in repr(config) and PASSWORD not in str(config)


async def test_wrong_password_is_auth_error(fake: FakeAri, config: AriConfig) -> None:
    fake.route("GET", "/asterisk/ping", (200, {}))
    wrong = AriConfig(**{**config.__dict__, "password": "nope"})
    async with AriClient(wrong) as client:
        with pytest.raises(AriAuthError):
            await client.asterisk.ping()


def test_credentials_in_base_url_are_rejected() -> None:
    with pytest.raises(ValueError, match="credentials"):
        AriConfig(base_url="http://acd:pw@127.0.0.1:8088", username="acd", password="pw",
                  app="x")


async def test_originate_request_shape(fake: FakeAri, client: AriClient) -> None:
    fake.route("POST", "/channels/chan-1", (200, channel_json("chan-1", state="Down")))
    channel = await client.channels.originate(
        "PJSIP/1001", channel_id="chan-1", app="hotline", app_args=["agent", "a7"],
        caller_id="Hotline <100>", timeout=30, formats=["ulaw", "alaw"],
        variables={"ACD_CALL": "c-9"},
    )
    assert isinstance(channel, Channel) and channel.state == "Down"
    req = fake.requests[-1]
    assert req.query == {"endpoint": "PJSIP/1001", "app": "hotline", "appArgs": "agent,a7",
                         "callerId": "Hotline <100>", "timeout": "30", "formats": "ulaw,alaw"}
    assert req.body == {"variables": {"ACD_CALL": "c-9"}}


async def test_typed_results(fake: FakeAri, client: AriClient) -> None:
    fake.route("POST", "/bridges/b1", (200, bridge_json("b1")))
    fake.route("POST", "/bridges/b1/play", (200, {
        "id": "pb", "media_uri": "sound:hello", "target_uri": "bridge:b1", "state": "queued"}))
    fake.route("GET", "/channels/c1/variable", (200, {"value": "gold"}))
    bridge = await client.bridges.create(type="mixing,dtmf_events", bridge_id="b1")
    assert isinstance(bridge, Bridge) and bridge.bridge_type == "mixing"
    assert fake.requests[-1].query == {"type": "mixing,dtmf_events"}
    playback = await client.bridges.play("b1", "sound:hello")
    assert isinstance(playback, Playback) and playback.target_uri == "bridge:b1"
    assert await client.channels.get_var("c1", "CUSTOMER_TIER") == "gold"


# (call, method, path, query) for the calls returning nothing.
CALLS: list[tuple[Any, str, str, dict[str, str]]] = [
    (lambda c: c.channels.hangup("c/1", reason="busy"), "DELETE", "/channels/c%2F1",
     {"reason": "busy"}),
    (lambda c: c.channels.ring("c1"), "POST", "/channels/c1/ring", {}),
    (lambda c: c.channels.ring_stop("c1"), "DELETE", "/channels/c1/ring", {}),
    (lambda c: c.channels.hold("c1"), "POST", "/channels/c1/hold", {}),
    (lambda c: c.channels.unhold("c1"), "DELETE", "/channels/c1/hold", {}),
    (lambda c: c.channels.start_moh("c1", moh_class="queue"), "POST", "/channels/c1/moh",
     {"mohClass": "queue"}),
    (lambda c: c.channels.stop_moh("c1"), "DELETE", "/channels/c1/moh", {}),
    (lambda c: c.channels.mute("c1", direction="in"), "POST", "/channels/c1/mute",
     {"direction": "in"}),
    (lambda c: c.channels.send_dtmf("c1", "12#", between=100), "POST", "/channels/c1/dtmf",
     {"dtmf": "12#", "between": "100"}),
    (lambda c: c.channels.dial("c1", caller="c0", timeout=20), "POST", "/channels/c1/dial",
     {"caller": "c0", "timeout": "20"}),
    (lambda c: c.channels.continue_in_dialplan("c1", context="x", extension="s", priority=1),
     "POST", "/channels/c1/continue", {"context": "x", "extension": "s", "priority": "1"}),
    (lambda c: c.channels.redirect("c1", "PJSIP/1002"), "POST", "/channels/c1/redirect",
     {"endpoint": "PJSIP/1002"}),
    (lambda c: c.channels.set_var("c1", "ACD_QUEUE", "sales"), "POST",
     "/channels/c1/variable", {"variable": "ACD_QUEUE", "value": "sales"}),
    (lambda c: c.bridges.add_channel("b1", ["c1", "c2"], role="participant",
                                     absorb_dtmf=False),
     "POST", "/bridges/b1/addChannel",
     {"channel": "c1,c2", "role": "participant", "absorbDTMF": "false"}),
    (lambda c: c.bridges.remove_channel("b1", "c1"), "POST", "/bridges/b1/removeChannel",
     {"channel": "c1"}),
    (lambda c: c.bridges.destroy("b1"), "DELETE", "/bridges/b1", {}),
    (lambda c: c.bridges.start_moh("b1"), "POST", "/bridges/b1/moh", {}),
    (lambda c: c.playbacks.stop("p1"), "DELETE", "/playbacks/p1", {}),
    (lambda c: c.playbacks.control("p1", "pause"), "POST", "/playbacks/p1/control",
     {"operation": "pause"}),
    (lambda c: c.recordings.stop("r1"), "POST", "/recordings/live/r1/stop", {}),
    (lambda c: c.recordings.pause("r1"), "POST", "/recordings/live/r1/pause", {}),
    (lambda c: c.recordings.delete_stored("r1"), "DELETE", "/recordings/stored/r1", {}),
    (lambda c: c.asterisk.set_global_var("G", "1"), "POST", "/asterisk/variable",
     {"variable": "G", "value": "1"}),
    (lambda c: c.asterisk.reload_module("res_pjsip.so"), "PUT",
     "/asterisk/modules/res_pjsip.so", {}),
]


@pytest.mark.parametrize(("call", "method", "path", "query"), CALLS)
async def test_request_shapes(
    fake: FakeAri, client: AriClient, call: Any, method: str, path: str, query: dict[str, str]
) -> None:
    fake.route(method, path.replace("%2F", "/"), (204, None))
    assert await call(client) is None
    req = fake.requests[-1]
    assert (req.method, req.query) == (method, query)
    assert req.url.split("?")[0].endswith("/ari" + path)


async def test_snoop_for_supervisor_whisper(fake: FakeAri, client: AriClient) -> None:
    fake.route("POST", "/channels/agent-1/snoop/sup-1", (200, channel_json("sup-1")))
    snoop = await client.channels.snoop("agent-1", "hotline", spy="both", whisper="out",
                                        snoop_id="sup-1", app_args=["whisper"])
    assert snoop.id == "sup-1"
    assert fake.requests[-1].query == {"app": "hotline", "spy": "both", "whisper": "out",
                                       "appArgs": "whisper"}
