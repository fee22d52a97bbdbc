"""The `acd` command: one entry point, each subcommand in the module that owns it."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence

__all__ = ["COMMANDS", "main"]

# name -> ("module:function", one-line help). Modules load only when their command runs.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("acd.run:main", "run the hotline controller"),
    "sandbox": ("acd.sandbox.cli:main", "build/start/stop the private Asterisk and PostgreSQL"),
    "ari-codegen": ("acd.ari.codegen:main", "generate ARI event dataclasses from api-docs"),
    "erlang": ("acd.erlang_cmd:main", "Erlang C staffing figures"),
    "simulate": ("acd.simulate_cmd:main", "discrete-event simulation of the routing core"),
    "db": ("reports.cli:db_main", "database migrations (acd db upgrade)"),
    "report": ("reports.cli:report_main", "compute reports from the event store or a JSONL file"),
    "export": ("reports.cli:export_main", "export events as JSONL"),
}


def _usage() -> str:
    lines = ["usage: acd COMMAND [ARGS...]", "", "commands:"]
    lines += [f"  {name:<12} {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def _load(target: str) -> Callable[[Sequence[str]], int]:
    module_name, func_name = target.split(":")
    func: Callable[[Sequence[str]], int] = getattr(importlib.import_module(module_name), func_name)
    return func


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"acd: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    return _load(COMMANDS[name][0])(rest)


if __name__ == "__main__":
    raise SystemExit(main())
