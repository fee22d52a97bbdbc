"""`acd simulate`: discrete-event simulation of the routing core, with Erlang C beside it."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from queues.config import Strategy
from queues.erlang import ErlangError, staffing
from queues.simulator import SimConfig, simulate

__all__ = ["main"]


class _Usage(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Usage(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="acd simulate", description="Simulate the routing core; print figures.")
    p.add_argument("--arrival-rate", type=float, required=True, help="calls per second")
    p.add_argument("--aht", type=float, required=True, help="mean handle time, seconds")
    p.add_argument("--agents", type=int, required=True)
    p.add_argument("--calls", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sl-threshold", type=float, default=20.0, help="seconds (default 20)")
    p.add_argument("--short-abandon", type=float, default=5.0, help="seconds (default 5)")
    p.add_argument("--patience", type=float, help="mean patience, seconds (default: infinite)")
    p.add_argument("--wrap-up", type=float, default=0.0, help="seconds after each call")
    p.add_argument("--fixed-handle", action="store_true", help="fixed, not exponential, AHT")
    p.add_argument("--queues", type=int, default=1, help="queues, one skill each")
    p.add_argument("--skills-per-agent", type=int, help="default: every skill")
    p.add_argument("--warmup", type=int, default=0, help="first calls left out of the figures")
    p.add_argument("--strategy", choices=[s.value for s in Strategy], default="longest_idle")
    p.add_argument("--json", action="store_true", help="print JSON")
    return p


def main(argv: Sequence[str]) -> int:
    try:
        args = _parser().parse_args(list(argv))
        cfg = SimConfig(
            arrival_rate=args.arrival_rate,
            aht=args.aht,
            agents=args.agents,
            calls=args.calls,
            seed=args.seed,
            sl_threshold=args.sl_threshold,
            short_abandon=args.short_abandon,
            patience=args.patience,
            wrap_up=args.wrap_up,
            fixed_handle=args.fixed_handle,
            queues=args.queues,
            skills_per_agent=args.skills_per_agent,
            warmup=args.warmup,
            strategy=Strategy(args.strategy),
        )
    except (_Usage, ValueError) as exc:
        print(f"acd simulate: error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    result = simulate(cfg).as_dict()
    out: dict[str, object] = dict(result)
    out["sl_threshold"] = cfg.sl_threshold
    out["sl_variant"] = "answered<=T / (answered + abandoned after short-abandon threshold)"
    try:
        erl = staffing(cfg.arrival_rate, cfg.aht, cfg.agents, cfg.sl_threshold)
        out["erlang_c"] = {
            "p_wait": erl.p_wait,
            "asa": erl.asa,
            "service_level": erl.service_level,
            "occupancy": erl.occupancy,
        }
    except ErlangError:
        out["erlang_c"] = None
    if args.json:
        print(json.dumps(out, sort_keys=True))
    else:
        for key, value in out.items():
            shown = f"{value:.6g}" if isinstance(value, float) else value
            print(f"{key:<22} {shown}")
    return 0
