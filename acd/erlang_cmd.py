"""`acd erlang`: Erlang C staffing figures from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from queues.erlang import ErlangError, Staffing, agents_for_service_level, staffing

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Usage(message)


class _Usage(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="acd erlang",
        description="Erlang C: P(wait), ASA, service level and occupancy, or agents needed.",
    )
    rate = p.add_mutually_exclusive_group(required=True)
    rate.add_argument("--arrival-rate", type=float, help="calls per second")
    rate.add_argument("--calls", type=float, help="calls per --interval")
    p.add_argument("--interval", type=float, default=1800.0, help="seconds (default 1800)")
    p.add_argument("--aht", type=float, required=True, help="average handle time, seconds")
    p.add_argument("--agents", "-N", type=int, help="number of agents")
    p.add_argument("--sl-threshold", "-T", type=float, default=20.0, help="seconds (default 20)")
    p.add_argument("--target-sl", type=float, help="target service level (0.8 or 80)")
    p.add_argument("--json", action="store_true", help="print JSON")
    return p


def _show(fig: Staffing, threshold: float, as_json: bool) -> str:
    data = {
        "agents": fig.agents,
        "traffic_erlangs": round(fig.load, 6),
        "p_wait": round(fig.p_wait, 7),
        "asa": round(fig.asa, 6),
        "service_level": round(fig.service_level, 6),
        "sl_threshold": threshold,
        "occupancy": round(fig.occupancy, 6),
    }
    if as_json:
        return json.dumps(data)
    return "\n".join(
        [
            f"agents         {fig.agents}",
            f"traffic        {fig.load:.4f} Erlangs",
            f"P(wait)        {fig.p_wait:.7f}",
            f"ASA            {fig.asa:.4f} s",
            f"service level  {fig.service_level:.6f} within {threshold:g} s",
            f"occupancy      {fig.occupancy:.6f}",
        ]
    )


def main(argv: Sequence[str]) -> int:
    try:
        args = _parser().parse_args(list(argv))
        if args.interval <= 0:
            raise ErlangError("--interval must be > 0 seconds")
        rate = args.arrival_rate if args.arrival_rate is not None else args.calls / args.interval
        if args.target_sl is not None:
            target = args.target_sl / 100 if args.target_sl > 1 else args.target_sl
            fig = agents_for_service_level(rate, args.aht, args.sl_threshold, target)
        elif args.agents is not None:
            fig = staffing(rate, args.aht, args.agents, args.sl_threshold)
        else:
            raise ErlangError("give --agents N, or --target-sl to compute the agents needed")
    except (_Usage, ErlangError) as exc:
        print(f"acd erlang: error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    print(_show(fig, args.sl_threshold, args.json))
    return 0
