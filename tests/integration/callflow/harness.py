"""A call flow running in the test process against the sandbox Asterisk, with sipp phones."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

from acd.agent_presence import AgentPresence
from acd.ari import AriClient, AriConfig, AriError
from acd.callflow import CallFlow
from acd.config import Config, load_config
from acd.event_sink import MemorySink, Recorder
from acd.sandbox.asterisk import AsteriskSandbox
from reports.events import Event
from tests.sipp import Sipp, SippResult, dtmf_keys

__all__ = ["Hotline", "running_hotline"]

CONFIG = Path(__file__).with_name("hotline_test.yaml")
_ports = iter(range(5200, 5400, 2))


@dataclass
class Hotline:
    asterisk: AsteriskSandbox
    config: Config
    flow: CallFlow
    sink: MemorySink
    ari: AriClient
    phones: list[Sipp] = field(default_factory=list)

    def events(self, *kinds: str) -> list[Event]:
        return [e for e in self.sink.events if not kinds or e.kind in kinds]

    def trail(self, call_id: str, *, skip: tuple[str, ...] = ("ivr_step",)) -> list[str]:
        """The kinds of a call's events, in order (agent_state events have no call id)."""
        return [e.kind for e in self.sink.events if e.call_id == call_id and e.kind not in skip]

    def ivr_steps(self, call_id: str) -> list[tuple[str, str]]:
        """The (node, step) pairs of a call's IVR trail, in order."""
        return [(e.data["node"], e.data["step"]) for e in self.events("ivr_step")
                if e.call_id == call_id]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float,
                       what: str) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                kinds = [(e.kind, e.agent_id, dict(e.data)) for e in self.sink.events]
                raise AssertionError(f"timed out waiting for {what}; events: {kinds}")
            await asyncio.sleep(0.05)

    async def wait_event(self, kind: str, timeout: float = 20, **match: object) -> Event:
        def found() -> Event | None:
            for e in self.sink.events:
                if e.kind == kind and all(
                    getattr(e, k, None) == v or e.data.get(k) == v for k, v in match.items()
                ):
                    return e
            return None

        await self.wait_for(lambda: found() is not None, timeout, f"{kind} {match}")
        ev = found()
        assert ev is not None
        return ev

    async def agent_phone(self, agent: str, scenario: str = "agent_uas.xml",
                          answer_ms: int = 300, hold_ms: int = 1000,
                          **extra: str) -> Sipp:
        port = next(_ports)
        register = Sipp(self.asterisk, "agent_register.xml", port, 17000 + port,
                        {"USER": agent}, service=agent, auth=(agent, f"pw{agent}"))
        await register.start()
        result = await register.wait()
        assert result.returncode == 0, result.output[-3000:]
        phone = Sipp(self.asterisk, scenario, port, 17000 + port,
                     {"USER": agent, "ANSWER_MS": str(answer_ms), "HOLD_MS": str(hold_ms),
                      **extra}, service=agent)
        await phone.start()
        self.phones.append(phone)
        return phone

    async def caller(self, keys: str, *, ani: str = "13912345678", wait_ms: int = 1500,
                     talk_ms: int = 4000, scenario: str = "caller_menu.xml",
                     key_gap_ms: int = 700) -> Sipp:
        port = next(_ports)
        # KEYS goes first: the INFO requests it holds carry the ANI placeholder too.
        values = {"KEYS": dtmf_keys(keys, key_gap_ms), "ANI": ani, "WAIT_MS": str(wait_ms),
                  "TALK_MS": str(talk_ms)}
        phone = Sipp(self.asterisk, scenario, port, 17000 + port, values, timeout_s=60)
        await phone.start()
        self.phones.append(phone)
        return phone

    async def call_started(self, ani: str, timeout: float = 15) -> str:
        ev = await self.wait_event("call_started", timeout, ani=ani)
        assert ev.call_id is not None
        return ev.call_id


async def finished(phone: Sipp) -> SippResult:
    result = await phone.wait()
    assert result.returncode == 0, result.output[-4000:]
    return result


@contextlib.asynccontextmanager
async def running_hotline(asterisk: AsteriskSandbox, login: tuple[str, ...] = (),
                          ari_port: int | None = None,
                          keep_phones: bool = False, restore_agents: bool = False,
                          leave_agents: bool = False) -> AsyncIterator[Hotline]:
    """The hotline of `hotline_test.yaml`; `ari_port` reaches ARI through a proxy;
    `keep_phones` leaves the sipp phones running when the controller stops.
    The agents' stored presence (astdb) is cleared before the controller starts and after
    it stops, unless `restore_agents` / `leave_agents` ask to keep it."""
    env = {"ARI_PASSWORD": asterisk.params.ari_password,
           "ACD_DSN": "postgresql://unused@127.0.0.1:1/unused"}
    config = load_config(CONFIG, env=env)
    sink = MemorySink()
    record = Recorder(sink, clock=time.time)
    base_url = f"http://127.0.0.1:{ari_port}" if ari_port else asterisk.ari_url
    ari_config = AriConfig(base_url=base_url, username=asterisk.params.ari_user,
                           password=asterisk.params.ari_password, app=config.ari.app,
                           reconnect_initial=0.2, reconnect_max=1.0)
    async with AriClient(ari_config) as ari:
        # Connected before the controller subscribes, as `acd run` does: the controller
        # must re-sync at start without seeing the stream's Connected event.
        await ari.wait_connected(10)
        if not restore_agents:
            await _forget_agents(ari, config)
        flow = CallFlow(config, ari, record)
        stop = asyncio.Event()
        task = asyncio.create_task(flow.run(stop))
        for agent in login:
            flow.desk.login(agent)
        hotline = Hotline(asterisk, config, flow, sink, ari)
        try:
            yield hotline
        finally:
            stop.set()
            await task
            if not leave_agents:
                await _forget_agents(ari, config)
            if not keep_phones:
                # A clean slate for the next test: no call of this one may be re-attached.
                for phone in hotline.phones:
                    await phone.stop()
                for channel in await ari.channels.list():
                    with contextlib.suppress(AriError):
                        await ari.channels.hangup(channel.id)


async def _forget_agents(ari: AriClient, config: Config) -> None:
    for agent in config.agents:
        await ari.asterisk.set_global_var(AgentPresence.key(agent.id), "logged_out")
