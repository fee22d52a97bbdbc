"""The main job as the README runs it: `acd run --sandbox --simulate N` with the sample
hotline, simulated callers and agents, the API and PostgreSQL; stopped by SIGTERM and
started again while calls are up."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest

from acd.agent_presence import AgentPresence
from acd.ari import AriClient, AriConfig, AriError
from acd.sandbox.asterisk import AsteriskSandbox

pytestmark = pytest.mark.asterisk

ROOT = Path(__file__).resolve().parents[2]
API_PORT = 18081


def _config(tmp_path: Path, app: str) -> Path:
    """The sample hotline, under the test sandbox's ARI app name."""
    text = (ROOT / "hotline.yaml").read_text()
    assert "  app: acd-hotline\n" in text
    path = tmp_path / "hotline.yaml"
    path.write_text(text.replace("  app: acd-hotline\n", f"  app: {app}\n"))
    return path


@contextlib.contextmanager
def _acd_run(config: Path, env: dict[str, str], cwd: Path, simulate: int,
             log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "acd", "run", "--config", str(config), "--sandbox",
             "--simulate", str(simulate), "--api-port", str(API_PORT)],
            cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


async def _snapshot() -> dict[str, Any] | None:
    try:
        async with aiohttp.ClientSession() as s, s.get(
                f"http://127.0.0.1:{API_PORT}/api/v1/snapshot",
                timeout=aiohttp.ClientTimeout(total=3)) as r:
            return dict(await r.json()) if r.status == 200 else None
    except (aiohttp.ClientError, TimeoutError):
        return None


async def _until(check: Callable[[dict[str, Any]], bool], timeout: float, what: str,
                 log: Path) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    snap: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        snap = await _snapshot()
        if snap is not None and check(snap):
            return snap
        await asyncio.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; last snapshot {snap}; "
                         f"log: {log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen[bytes], log: Path) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(20)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"acd run ignored SIGTERM; log: {log.read_text()[-3000:]}") from None
    assert code == 0, log.read_text()[-3000:]
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]


async def _forget_agents(ari: AriClient) -> None:
    """No agent of the sample hotline stored as logged in, before and after the test."""
    for agent in ("1001", "1002", "1003", "1004", "1005", "1006"):
        await ari.asterisk.set_global_var(AgentPresence.key(agent), "logged_out")


def _answered(snap: dict[str, Any]) -> int:
    return sum(int(q["answered_today"]) for q in snap["queues"])


async def test_acd_run_serves_simulated_calls_and_survives_a_restart(
        asterisk: AsteriskSandbox, pg_db: str, tmp_path: Path) -> None:
    env = {**os.environ, "ARI_PASSWORD": asterisk.params.ari_password, "ACD_DSN": pg_db}
    upgrade = subprocess.run([sys.executable, "-m", "acd", "db", "upgrade", "--dsn", pg_db],
                             env=env, capture_output=True, text=True, timeout=60)
    assert upgrade.returncode == 0, upgrade.stderr
    config = _config(tmp_path, asterisk.params.app)
    log = tmp_path / "acd-run.log"
    ari = AriClient(AriConfig(base_url=asterisk.ari_url, username=asterisk.params.ari_user,
                              password=asterisk.params.ari_password, app="acd-test-observer"))
    async with ari:
        await _forget_agents(ari)
        try:
            with _acd_run(config, env, tmp_path, 3, log) as first:
                snap = await _until(lambda s: _answered(s) >= 1, 90, "a simulated call answered",
                                    log)
                assert all(a["state"] != "logged_out" for a in snap["agents"])
                await _until(lambda s: any(a["state"] == "on_call" for a in s["agents"]), 30,
                             "an agent talking", log)
                _stop(first, log)
            answered_before = _answered(snap)
            talking = [c for c in await ari.channels.list()
                       if (c.channelvars or {}).get("ACD_ROLE") == "caller" and c.state == "Up"]
            assert talking, "Asterisk keeps the calls while no controller runs"
            with _acd_run(config, env, tmp_path, 0, log) as second:
                snap = await _until(lambda s: s["calls_in_progress"] >= 1, 30,
                                    "the live calls re-attached", log)
                assert _answered(snap) >= answered_before, "today's figures reloaded"
                assert all(a["state"] != "logged_out" for a in snap["agents"]), \
                    "the agents are logged in again"
                _stop(second, log)
        finally:
            for channel in await ari.channels.list():
                with contextlib.suppress(AriError):
                    await ari.channels.hangup(channel.id)
            await _forget_agents(ari)
    conn = await asyncpg.connect(pg_db)
    try:
        kinds = {r["kind"] for r in await conn.fetch("SELECT DISTINCT kind FROM events")}
    finally:
        await conn.close()
    assert {"call_started", "queue_entered", "talk_started", "agent_state"} <= kinds
