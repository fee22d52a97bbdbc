"""Call-flow benchmark: the hotline controller (`acd run`, events into PostgreSQL) against
Asterisk's own app_queue as the baseline, both serving the same simulated callers and
agents on the same sandbox Asterisk, one after the other in one run.

    python bench/callflow.py [--agents N] [--calls N] [--load RHO] [--talk S] [--smoke]

Callers are Local channels (`bench-caller`: wait up to BENCH_PATIENCE s, then hang up);
agents are Local channels (`bench-agent`: ring BENCH_RING s, answer, talk BENCH_TALK s).
Calls arrive as a seeded Poisson stream at `load` × the agents' capacity. An observer on
ARI (subscribeAll) takes Asterisk's own event timestamps, so both systems are measured
the same way:
- wait: the caller's channel created → an agent's channel in the caller's bridge;
- hand-out gap: an agent's channel gone → that agent's next channel created, while
  callers were waiting (how fast a freed agent gets the next call);
- CPU seconds of Asterisk and of the controller, from /proc/<pid>/stat;
- the controller's peak RSS; the most channels any one agent had at once (must be 1).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from acd.agent_presence import AgentPresence  # noqa: E402
from acd.ari import AriClient, AriConfig, AriError  # noqa: E402
from acd.ari.models_generated import (  # noqa: E402
    ChannelCreated,
    ChannelDestroyed,
    ChannelEnteredBridge,
)
from acd.sandbox import postgres  # noqa: E402
from acd.sandbox.asterisk import AsteriskSandbox  # noqa: E402
from acd.sandbox.cli import default_sandbox  # noqa: E402
from reports.db import connect, create_database  # noqa: E402

RING_S = 0.5
PATIENCE_S = 120
AGENT_BASE = 9001
HOTLINE = "95598"


def _ts(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Observer:
    """What one phase looked like, from Asterisk's events."""

    prefix: str
    created: dict[str, float] = field(default_factory=dict)
    connected: dict[str, float] = field(default_factory=dict)
    ended: dict[str, float] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    agent_live: dict[str, int] = field(default_factory=dict)
    agent_max: int = 0
    freed: dict[str, float] = field(default_factory=dict)
    gaps: list[float] = field(default_factory=list)

    def caller(self, channel_id: str) -> bool:
        # The half of the caller's Local pair that reaches the hotline or the queue (`;2`,
        # id PREFIX + n); the other half (PREFIX + "p-" + n) is the caller's phone.
        return channel_id.startswith(self.prefix) and channel_id[len(self.prefix)].isdigit()

    @staticmethod
    def agent_of(name: str, half: str = ";1") -> str | None:
        # Local/9001@bench-agent-0000002a;1 is the agent's side in the bridge; `;2` runs
        # the phone's dialplan, from the first ring to the agent's hang-up.
        if name.startswith("Local/") and "@bench-agent-" in name and name.endswith(half):
            return name[6:].split("@", 1)[0]
        return None

    def waiting(self, at: float) -> bool:
        return any(t <= at and c not in self.connected and c not in self.ended
                   for c, t in self.created.items())

    async def on_event(self, event: Any) -> None:
        match event:
            case ChannelCreated(channel=ch):
                self.names[ch.id] = ch.name
                at = _ts(event.timestamp)
                if self.caller(ch.id):
                    self.created[ch.id] = at
                elif (agent := self.agent_of(ch.name, ";2")) is not None:
                    live = self.agent_live.get(agent, 0) + 1
                    self.agent_live[agent] = live
                    self.agent_max = max(self.agent_max, live)
                    freed = self.freed.pop(agent, None)
                    if freed is not None and self.waiting(freed):
                        self.gaps.append(at - freed)
            case ChannelDestroyed(channel=ch):
                at = _ts(event.timestamp)
                if self.caller(ch.id):
                    self.ended[ch.id] = at
                elif (agent := self.agent_of(ch.name, ";2")) is not None:
                    self.agent_live[agent] = self.agent_live.get(agent, 1) - 1
                    self.freed[agent] = at
            case ChannelEnteredBridge(bridge=bridge):
                ids = list(bridge.channels)
                callers = [c for c in ids if self.caller(c)]
                has_agent = any(self.agent_of(self.names.get(c, "")) for c in ids)
                if callers and has_agent:
                    for c in callers:
                        self.connected.setdefault(c, _ts(event.timestamp))


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(obs: Observer, calls: int, cpu_ast: float, cpu_ctl: float | None,
            rss: float | None, wall: float) -> dict[str, Any]:
    waits = [obs.connected[c] - obs.created[c] for c in obs.connected if c in obs.created]
    answered = len(waits)
    cpu_total = cpu_ast + (cpu_ctl or 0.0)
    return {
        "calls": calls,
        "answered": answered,
        "abandoned": sum(1 for c in obs.ended if c not in obs.connected),
        "wait_mean_s": round(statistics.fmean(waits), 3) if waits else None,
        "wait_p50_s": _r(_pct(waits, 0.5)),
        "wait_p99_s": _r(_pct(waits, 0.99)),
        "handout_gap_p50_ms": _r(_pct(obs.gaps, 0.5), 1000),
        "handout_gap_p99_ms": _r(_pct(obs.gaps, 0.99), 1000),
        "handout_gaps": len(obs.gaps),
        "cpu_asterisk_s": round(cpu_ast, 2),
        "cpu_controller_s": None if cpu_ctl is None else round(cpu_ctl, 2),
        "cpu_ms_per_call": round(1000 * cpu_total / max(1, answered), 1),
        "controller_peak_rss_mb": None if rss is None else round(rss, 1),
        "max_calls_per_agent": obs.agent_max,
        "wall_s": round(wall, 1),
    }


def _r(value: float | None, scale: float = 1.0) -> float | None:
    return None if value is None else round(value * scale, 3)


def bench_config(path: Path, agents: int, app: str) -> None:
    roster = "\n".join(
        f'  - {{id: "{AGENT_BASE + i}", name: Bench {i + 1}, '
        f"endpoint: Local/{AGENT_BASE + i}@bench-agent/n, team: bench, pin: \"{AGENT_BASE + i}\", "
        f"skills: {{general: 3}}}}"
        for i in range(agents))
    path.write_text(f"""\
ari:
  url: http://127.0.0.1:8088
  user: acd
  app: {app}
database:
  dsn_env: ACD_DSN
  spool_dir: {path.parent / "spool"}
hotline:
  numbers: ["{HOTLINE}"]
  entry: wait
priorities: [vip, normal]
agents:
{roster}
queues:
  bench:
    skills: {{general: 1}}
    strategy: longest_idle
    ring_timeout: 15
    wrap_up: 0
recording:
  enabled: false
ivr:
  nodes:
    wait:
      kind: queue
      queue: bench
""")


async def place_calls(ari: AriClient, target: str, prefix: str, calls: int, rate: float,
                      seed: int, deadline: float) -> None:
    rng = random.Random(seed)
    for n in range(calls):
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {n} of {calls} calls placed in time")
        with contextlib.suppress(AriError):
            await ari.channels.originate(
                target, extension="s", context="bench-caller", formats=["ulaw"],
                channel_id=f"{prefix}p-{n}", other_channel_id=f"{prefix}{n}",
                caller_id=f"139{rng.randrange(10**8):08d}")
        await asyncio.sleep(rng.expovariate(rate))


async def settle(obs: Observer, calls: int, deadline: float) -> None:
    while len(obs.ended) < calls and time.monotonic() < deadline:
        await asyncio.sleep(0.2)


@contextlib.contextmanager
def controller(config: Path, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "acd", "run", "--config", str(config),
                                 "--api-port", "0"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def _client(sandbox: AsteriskSandbox, app: str, subscribe_all: bool = False) -> AriClient:
    return AriClient(AriConfig(base_url=sandbox.ari_url, username=sandbox.params.ari_user,
                               password=sandbox.params.ari_password, app=app,
                               subscribe_all=subscribe_all))


async def run_phase(sandbox: AsteriskSandbox, name: str, target: str, a: argparse.Namespace,
                    rate: float, budget: float, ctl_pid: int | None) -> dict[str, Any]:
    prefix = f"b{name[0]}{os.getpid()}-"
    obs = Observer(prefix)
    ari = _client(sandbox, "bench-observer", subscribe_all=True)
    pid = sandbox.pid()
    assert pid is not None
    async with ari:
        sub = ari.subscribe(obs.on_event)
        await ari.wait_connected(10)
        ast0 = cpu_seconds(pid)
        ctl0 = cpu_seconds(ctl_pid) if ctl_pid else None
        t0 = time.monotonic()
        deadline = t0 + budget
        await place_calls(ari, target, prefix, a.calls, rate, a.seed, deadline)
        await settle(obs, a.calls, deadline)
        wall = time.monotonic() - t0
        cpu_ast = cpu_seconds(pid) - ast0
        cpu_ctl = cpu_seconds(ctl_pid) - ctl0 if ctl_pid and ctl0 is not None else None
        rss = peak_rss_mb(ctl_pid) if ctl_pid else None
        sub.close()
        for ch in await ari.channels.list():
            if ch.id.startswith(prefix) or "@bench-" in ch.name:
                with contextlib.suppress(AriError):
                    await ari.channels.hangup(ch.id)
    if len(obs.ended) < a.calls:
        raise TimeoutError(f"{name}: {len(obs.ended)} of {a.calls} calls ended in {budget:.0f} s")
    return summary(obs, a.calls, cpu_ast, cpu_ctl, rss, wall)


async def drop_database(admin_dsn: str, dsn: str) -> None:
    conn = await connect(admin_dsn)
    await conn.execute(f"DROP DATABASE IF EXISTS {dsn.rsplit('/', 1)[1]} WITH (FORCE)")
    await conn.close()


async def count_events(dsn: str) -> int:
    conn = await connect(dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM events"))
    finally:
        await conn.close()


async def main_async(a: argparse.Namespace, sandbox: AsteriskSandbox,
                     admin_dsn: str) -> dict[str, Any]:
    rate = a.load * a.agents / (RING_S + a.talk)
    budget = a.calls / rate + PATIENCE_S + 60
    async with _client(sandbox, "bench-setup") as setup:
        for var, value in (("BENCH_RING", RING_S), ("BENCH_TALK", a.talk),
                           ("BENCH_PATIENCE", PATIENCE_S)):
            await setup.asterisk.set_global_var(var, str(value))
        for i in range(a.agents):  # the controller logs them in as it starts (presence)
            await setup.asterisk.set_global_var(AgentPresence.key(str(AGENT_BASE + i)), "ready")
    results: dict[str, Any] = {
        "agents": a.agents, "calls": a.calls, "load": a.load, "arrival_rate_per_s": round(rate, 2),
        "ring_s": RING_S, "talk_s": a.talk, "patience_s": PATIENCE_S,
        "machine": f"{os.cpu_count()} cores, {os.uname().machine}, Python {sys.version.split()[0]}",
    }
    members = [f"Local/{AGENT_BASE + i}@bench-agent/n" for i in range(a.agents)]
    for m in members:
        sandbox.cli(f"queue add member {m} to bench")
    try:
        results["app_queue"] = await run_phase(
            sandbox, "queue", "Local/bench@bench-appqueue/n", a, rate, budget, None)
    finally:
        for m in members:
            sandbox.cli(f"queue remove member {m} from bench")
    dsn = await create_database(admin_dsn, f"bench_callflow_{os.getpid()}")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "bench.yaml"
            bench_config(config, a.agents, sandbox.params.app)
            env = {**os.environ, "ARI_PASSWORD": sandbox.params.ari_password, "ACD_DSN": dsn}
            log = Path(tmp) / "acd-run.log"
            with controller(config, env, log) as proc:
                await asyncio.sleep(0)
                await _wait_for_app(sandbox, proc, log)
                results["acd"] = await run_phase(
                    sandbox, "acd", f"Local/{HOTLINE}@hotline/n", a, rate, budget, proc.pid)
        results["acd"]["events_stored"] = await count_events(dsn)
    finally:
        await drop_database(admin_dsn, dsn)
        async with _client(sandbox, "bench-setup") as setup:
            for i in range(a.agents):
                await setup.asterisk.set_global_var(AgentPresence.key(str(AGENT_BASE + i)),
                                                    "logged_out")
    return results


async def _wait_for_app(sandbox: AsteriskSandbox, proc: subprocess.Popen[bytes],
                        log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"acd run exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(OSError, ValueError):
            if sandbox.ari_get(f"/ari/applications/{sandbox.params.app}"):
                return
        await asyncio.sleep(0.2)
    raise TimeoutError(f"acd run did not register its ARI app in 30 s: {log.read_text()[-2000:]}")


def table(results: dict[str, Any]) -> str:
    rows = [k for k in results["acd"] if k != "events_stored"]
    lines = ["| figure | app_queue (baseline) | acd |", "|---|---|---|"]
    lines += [f"| {k} | {results['app_queue'].get(k)} | {results['acd'].get(k)} |" for k in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agents", type=int, default=40)
    ap.add_argument("--calls", type=int, default=1200)
    ap.add_argument("--load", type=float, default=0.9, help="offered load / capacity")
    ap.add_argument("--talk", type=float, default=3.0, help="seconds each agent talks")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--smoke", action="store_true", help="4 agents, 24 calls, about a minute")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    a = ap.parse_args(argv)
    if a.smoke:
        a.agents, a.calls = 4, 24
    if os.geteuid() != 0:
        print("bench/callflow.py needs root (the Asterisk sandbox runs in a chroot)",
              file=sys.stderr)
        return 2
    sandbox = default_sandbox()
    if not sandbox.is_built():
        sandbox.build()
    started = sandbox.start()
    pg_was_running = postgres.status()
    cluster = postgres.start(port=int(os.environ.get("ACD_PG_PORT", postgres.DEFAULT_PORT)))
    try:
        out = asyncio.run(main_async(a, sandbox, cluster.dsn))
    finally:
        if not pg_was_running:
            postgres.stop()
        if started:
            sandbox.stop()
    print(json.dumps(out, indent=2))
    print(table(out))
    if a.json:
        a.json.write_text(json.dumps(out, indent=2) + "\n")
    both = (out["acd"], out["app_queue"])
    ok = all(r["max_calls_per_agent"] <= 1 for r in both)
    ok = ok and out["acd"]["answered"] + out["acd"]["abandoned"] == a.calls
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
