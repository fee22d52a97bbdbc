"""`acd sandbox build|up|down|status|cli`: the private Asterisk and PostgreSQL."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from acd.asterisk_conf import AgentEndpoint, AsteriskParams
from acd.config_yaml import ConfigError
from acd.sandbox.asterisk import AsteriskSandbox, SandboxError

__all__ = ["SANDBOX_ARI_PASSWORD", "TEST_AGENTS", "default_sandbox", "main", "sandbox_for"]

# The sandbox listens on loopback only; a fixed default keeps the tests and the demo simple.
SANDBOX_ARI_PASSWORD = "acd-secret"
TEST_AGENTS = tuple(
    AgentEndpoint(agent_id=str(n), name=f"Agent {n}", endpoint=str(n), sip_password=f"pw{n}")
    for n in range(1001, 1007)
)


def default_sandbox(agents: Sequence[AgentEndpoint] = TEST_AGENTS,
                    hotline_numbers: Sequence[str] = ("95598",),
                    app: str = "acd") -> AsteriskSandbox:
    params = AsteriskParams(
        app=app,
        ari_password=os.environ.get("ARI_PASSWORD", SANDBOX_ARI_PASSWORD),
        agents=tuple(agents),
        hotline_numbers=tuple(hotline_numbers),
        caller_contact="sip:pstn@127.0.0.1:5099",
    )
    return AsteriskSandbox(params=params)


def sandbox_for(config_path: str) -> AsteriskSandbox:
    """The sandbox rendered from a hotline configuration: its app, numbers and roster."""
    from acd.config import load_config

    config = load_config(config_path, require_secrets=False)
    agents = tuple(
        AgentEndpoint(agent_id=a.id, name=a.name, endpoint=a.endpoint.split("/", 1)[-1],
                      sip_password=a.sip_password.reveal() or f"pw{a.id}")
        for a in config.agents if a.endpoint.upper().startswith("PJSIP/")
    )
    return default_sandbox(agents, config.hotline.numbers, config.ari.app)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="acd sandbox", description=__doc__)
    parser.add_argument("action", choices=["build", "up", "down", "status", "cli"])
    parser.add_argument("args", nargs="*", help="for `cli`: the Asterisk CLI command")
    parser.add_argument("--no-postgres", action="store_true", help="leave PostgreSQL alone")
    parser.add_argument("--config", help="render Asterisk for this hotline configuration")
    ns = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        sandbox = sandbox_for(ns.config) if ns.config else default_sandbox()
    except ConfigError as exc:
        print(f"acd sandbox: {exc}", file=sys.stderr)
        return 2
    try:
        if ns.action == "build":
            built = sandbox.build()
            print("Asterisk sandbox built" if built else "Asterisk sandbox up to date")
        elif ns.action == "up":
            sandbox.build()
            sandbox.start()
            print(f"Asterisk up: ARI {sandbox.ari_url}, SIP udp 127.0.0.1:5060")
            if not ns.no_postgres:
                from acd.sandbox import postgres

                cluster = postgres.start()
                print(f"PostgreSQL up: {cluster.dsn}")
        elif ns.action == "down":
            sandbox.stop()
            if not ns.no_postgres:
                from acd.sandbox import postgres

                postgres.stop()
            print("sandbox stopped")
        elif ns.action == "status":
            print(f"asterisk: built={sandbox.is_built()} running={sandbox.is_running()}")
        else:
            sys.stdout.write(sandbox.cli(" ".join(ns.args)))
    except SandboxError as exc:
        print(f"acd sandbox: {exc}", file=sys.stderr)
        return 1
    return 0
