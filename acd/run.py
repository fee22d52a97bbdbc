"""`acd run --config hotline.yaml`: the hotline controller."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import asyncpg

from acd.ari import AriClient, AriConfig
from acd.callflow import CallFlow
from acd.config import Config, load_config
from acd.config_yaml import ConfigError
from acd.event_sink import EventSink, MemorySink, Recorder, TodaySink, midnight
from reports.events import Event

__all__ = ["main", "serve"]

log = logging.getLogger(__name__)


def _ari_config(config: Config) -> AriConfig:
    return AriConfig(base_url=config.ari.url, username=config.ari.user,
                     password=config.ari.password.reveal(), app=config.ari.app)


def _prepare_prompts(config: Config, sandbox_root: Path | None) -> None:
    """Synthesise text prompts; copy them into the sandbox's chroot at the same path."""
    from ivr.prompts import PromptToolMissing, SynthesisError, synthesise

    prompts = list(config.ivr.text_prompts())
    if not prompts:
        return
    try:
        synthesise(prompts)
    except (PromptToolMissing, SynthesisError) as exc:
        log.warning("prompts not synthesised (%s); callers hear silence for them", exc)
        return
    if sandbox_root is None:
        return
    for directory in {Path(p.directory) for p in prompts}:
        inside = sandbox_root / str(directory).lstrip("/")
        inside.mkdir(parents=True, exist_ok=True)
        for wav in directory.glob("*.wav"):
            target = inside / wav.name
            if not target.exists() or target.stat().st_mtime < wav.stat().st_mtime:
                target.write_bytes(wav.read_bytes())


async def _today(dsn: str) -> list[Event]:
    """Today's events from the store, so the wallboard's figures survive a restart."""
    from reports.db import connect
    from reports.dbreport import load_events

    start = midnight(time.time())
    conn = await connect(dsn)
    try:
        return await load_events(conn, int(start * 1_000_000), None)
    finally:
        await conn.close()


async def serve(config: Config, *, api_port: int | None, simulate: int,
                stop: asyncio.Event, sandbox_root: Path | None = None) -> None:
    memory = TodaySink(time.time)
    sinks: list[EventSink] = [memory]
    writer = None
    dsn = config.database.dsn.reveal()
    if dsn:
        from reports.writer import EventWriter

        try:
            for ev in await _today(dsn):
                memory.emit(ev)
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            log.warning("today's events not loaded (%s): the wallboard starts from zero", exc)
        writer = EventWriter(dsn, config.database.spool_dir)
        await writer.start()
        sinks.append(writer)
    else:
        log.warning("no database DSN (set %s): events are kept in memory only",
                    config.database.dsn_env)
    record = Recorder(*sinks, clock=time.time)
    try:
        async with AriClient(_ari_config(config)) as ari:
            await ari.wait_connected(30)
            if simulate:
                config = await _simulated_agents(ari, config)
            flow = CallFlow(config, ari, record)
            flow.notices.mirror_root = sandbox_root
            log.info("hotline %s answering %s (ARI app %s)", config.hotline.name,
                     ", ".join(config.hotline.numbers), config.ari.app)
            async with asyncio.TaskGroup() as tg:
                tg.create_task(flow.run(stop))
                if dsn and config.recording.enabled:
                    from acd.retention import retention_loop

                    tg.create_task(retention_loop(dsn, ari.recordings.delete_stored,
                                                  config.recording.retention_days, stop))
                if api_port is not None:
                    tg.create_task(_serve_api(flow, memory, api_port, stop))
                if simulate:
                    from acd.simulation import simulate_traffic

                    for agent in config.agents:
                        if not flow.agents[agent.id].logged_in:
                            flow.desk.login(agent.id)
                    tg.create_task(simulate_traffic(ari, config, simulate, stop))
    finally:
        if writer is not None:
            await writer.close()


async def _serve_api(flow: CallFlow, memory: MemorySink, port: int,
                     stop: asyncio.Event) -> None:
    from aiohttp import web

    from acd.api import make_app
    from acd.hotline_control import HotlineControl

    app = make_app(HotlineControl(flow, memory), api_token=os.environ.get("ACD_API_TOKEN"))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    log.info("API and wallboard on http://127.0.0.1:%d/wallboard", port)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="acd run", description=__doc__)
    parser.add_argument("--config", default="hotline.yaml", help="the hotline YAML file")
    parser.add_argument("--api-port", type=int, default=8080,
                        help="HTTP API and wallboard port on 127.0.0.1 (0 = none)")
    parser.add_argument("--simulate", type=int, default=0, metavar="N",
                        help="place N simulated calls (a demo without real phones): "
                             "agents whose softphone is not registered get a simulated "
                             "phone, and every agent is logged in")
    parser.add_argument("--sandbox", action="store_true",
                        help="Asterisk is the private sandbox: copy prompts into its chroot")
    parser.add_argument("-v", "--verbose", action="store_true")
    ns = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if ns.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load_config(ns.config)
    except ConfigError as exc:
        print(f"acd run: {exc}", file=sys.stderr)
        return 2
    sandbox_root = None
    if ns.sandbox:
        from acd.sandbox.asterisk import AsteriskSandbox

        sandbox_root = AsteriskSandbox().rootfs
    _prepare_prompts(config, sandbox_root)

    async def _main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await serve(config, api_port=ns.api_port or None, simulate=ns.simulate, stop=stop,
                    sandbox_root=sandbox_root)

    asyncio.run(_main())
    return 0


async def _simulated_agents(ari: AriClient, config: Config) -> Config:
    """Agents whose softphone is not registered get a simulated one: a Local channel that
    rings, answers and talks by itself (the `sim-agent` dialplan context)."""
    from dataclasses import replace

    online = {f"{e.technology}/{e.resource}" for e in await ari.endpoints.list()
              if e.state == "online"}
    agents = tuple(a if a.endpoint in online else replace(a, endpoint=f"Local/{a.id}@sim-agent")
                   for a in config.agents)
    real = [a.id for a in agents if not a.endpoint.startswith("Local/")]
    log.info("simulated phones for %d agents; real phones: %s",
             len(agents) - len(real), ", ".join(real) or "none")
    return replace(config, agents=agents)
