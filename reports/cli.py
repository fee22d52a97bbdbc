"""``acd db upgrade``, ``acd report`` and ``acd export``.

Bad input gives one line on stderr naming what and where, and exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from reports.events import Event, EventError, event_from_json
from reports.facts import derive
from reports.metrics import compute, finish
from reports.params import BY_KEYS, INTERVALS, SECTIONS, Params, ScheduleEntry, zone
from reports.render import render

__all__ = ["InputError", "db_main", "export_main", "read_jsonl", "report_main"]


class InputError(ValueError):
    """Bad user input; the message names what and where."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(f"{self.prog}: {message}")


def _check_tz(name: str) -> None:
    try:
        zone(name)
    except ValueError as exc:
        raise InputError(f"--tz: {exc}") from None


def _parse_time(text: str, what: str, tz: str = "UTC") -> int:
    try:
        d = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{what}: bad date {text!r} (expected ISO 8601, e.g. 2024-05-01 or 2024-05-01T08:00)"
        ) from None
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC if tz == "UTC" else zone(tz))
    return round(d.timestamp() * 1_000_000)


def read_jsonl(path: Path) -> Iterator[Event]:
    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    with fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield event_from_json(line)
            except EventError as exc:
                raise InputError(f"{path}:{n}: {exc}") from None


def _read_schedule(path: Path, tz: str = "UTC") -> tuple[ScheduleEntry, ...]:
    """CSV with columns agent_id,start,end[,activity]."""
    out = []
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            for n, row in enumerate(csv.DictReader(fh), 2):
                try:
                    out.append(
                        ScheduleEntry(
                            row["agent_id"],
                            _parse_time(row["start"], f"{path}:{n}: start", tz),
                            _parse_time(row["end"], f"{path}:{n}: end", tz),
                            row.get("activity") or "work",
                        )
                    )
                except KeyError as exc:
                    raise InputError(f"{path}:{n}: missing column {exc.args[0]!r}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return tuple(out)


def _dsn(args: argparse.Namespace) -> str | None:
    dsn: str | None = args.dsn or os.environ.get("ACD_DSN")
    return dsn


def _report_parser() -> _Parser:
    p = _Parser(prog="acd report", description="Compute call-centre figures.")
    p.add_argument("--from", dest="from_",
                   help="start (ISO 8601; in --tz unless an offset is given)")
    p.add_argument("--to", help="end, exclusive")
    p.add_argument("--by", default="queue", help=f"comma list of {','.join(BY_KEYS)}")
    p.add_argument("--interval", default="30m", help=f"one of {', '.join(INTERVALS)}")
    p.add_argument("--tz", default=os.environ.get("ACD_REPORT_TZ", "UTC"),
                   help="IANA time zone of the intervals and dates, e.g. Asia/Shanghai "
                        "(default $ACD_REPORT_TZ or UTC)")
    p.add_argument(
        "--sections", default=",".join(SECTIONS), help=f"comma list of {','.join(SECTIONS)}"
    )
    p.add_argument("--format", default="table", choices=["table", "csv", "json", "html"])
    p.add_argument("--events", type=Path, help="compute from a JSONL export (no database)")
    p.add_argument("--dsn", help="PostgreSQL DSN (default $ACD_DSN)")
    p.add_argument("-T", "--sl-threshold", type=float, default=20.0, help="T seconds")
    p.add_argument("-S", "--short-abandon", type=float, default=5.0, help="S seconds")
    p.add_argument("--ring-cadence", type=float, default=6.0, help="seconds per ring")
    p.add_argument("--fcr-window", type=float, default=24.0, help="hours")
    p.add_argument("--cost", type=float, help="centre cost for the period")
    p.add_argument("--schedule", type=Path, help="CSV agent_id,start,end[,activity]")
    p.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    return p


def _params(a: argparse.Namespace) -> Params:
    by = tuple(k.strip() for k in a.by.split(",") if k.strip())
    for k in by:
        if k not in BY_KEYS:
            raise InputError(f"--by: unknown key {k!r} (use {', '.join(BY_KEYS)})")
    sections = tuple(k.strip() for k in a.sections.split(",") if k.strip())
    for k in sections:
        if k not in SECTIONS:
            raise InputError(f"--sections: unknown section {k!r} (use {', '.join(SECTIONS)})")
    if not sections:
        raise InputError("--sections: name at least one section")
    if a.interval not in INTERVALS:
        raise InputError(f"--interval: unknown {a.interval!r} (use {', '.join(INTERVALS)})")
    _check_tz(a.tz)
    for name, v in (
        ("-T", a.sl_threshold),
        ("-S", a.short_abandon),
        ("--fcr-window", a.fcr_window),
    ):
        if v < 0:
            raise InputError(f"{name}: must not be negative")
    if a.ring_cadence <= 0:
        raise InputError("--ring-cadence: must be positive")
    p = Params(
        t_s=a.sl_threshold,
        s_s=a.short_abandon,
        cadence_s=a.ring_cadence,
        fcr_window_s=a.fcr_window * 3600,
        interval=a.interval,
        by=by,
        from_us=_parse_time(a.from_, "--from", a.tz) if a.from_ else None,
        to_us=_parse_time(a.to, "--to", a.tz) if a.to else None,
        cost=a.cost,
        schedule=_read_schedule(a.schedule, a.tz) if a.schedule else None,
        sections=sections,
        tz=a.tz,
    )
    if p.from_us is not None and p.to_us is not None and p.to_us <= p.from_us:
        raise InputError("--to: must be after --from")
    return p


async def _db_figures(dsn: str, p: Params) -> dict[str, object]:
    from reports.db import connect
    from reports.dbreport import load_report

    conn = await connect(dsn)
    try:
        return finish(await load_report(conn, p))
    finally:
        await conn.close()


def _fail(exc: Exception) -> int:
    print(f"acd: {exc}", file=sys.stderr)
    return 2


def report_main(argv: Sequence[str]) -> int:
    try:
        a = _report_parser().parse_args(list(argv))
        p = _params(a)
        if a.events is not None:
            figures = finish(compute(derive(read_jsonl(a.events)), p))
            source = f"events file {a.events}"
        else:
            dsn = _dsn(a)
            if not dsn:
                raise InputError("no event source: give --events FILE.jsonl or --dsn / $ACD_DSN")
            figures = _run_db(lambda: _db_figures(dsn, p))
            source = "event store (PostgreSQL)"
        text = render(figures, a.format, source)
    except InputError as exc:
        return _fail(exc)
    if a.output:
        a.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _run_db(make: object) -> dict[str, object]:
    import asyncpg

    try:
        result: dict[str, object] = asyncio.run(make())  # type: ignore[operator]
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise InputError(f"database: {exc}") from None
    return result


def db_main(argv: Sequence[str]) -> int:
    p = _Parser(prog="acd db", description="Event store schema.")
    p.add_argument("action", choices=["upgrade", "project"])
    p.add_argument("--dsn", help="PostgreSQL DSN (default $ACD_DSN)")
    try:
        a = p.parse_args(list(argv))
        dsn = _dsn(a)
        if not dsn:
            raise InputError("acd db: give --dsn or set ACD_DSN")

        async def run() -> dict[str, object]:
            from reports.db import apply_migrations, connect
            from reports.projection import project

            conn = await connect(dsn)
            try:
                if a.action == "upgrade":
                    return {"applied": await apply_migrations(conn)}
                return {"projected": await project(conn)}
            finally:
                await conn.close()

        out = _run_db(run)
    except InputError as exc:
        return _fail(exc)
    print(json.dumps(out))
    return 0


def export_main(argv: Sequence[str]) -> int:
    p = _Parser(prog="acd export", description="Export events as JSONL.")
    p.add_argument("--dsn", help="PostgreSQL DSN (default $ACD_DSN)")
    p.add_argument("--from", dest="from_")
    p.add_argument("--to")
    p.add_argument("--tz", default=os.environ.get("ACD_REPORT_TZ", "UTC"),
                   help="zone of --from/--to without an offset (default $ACD_REPORT_TZ or UTC)")
    p.add_argument("-o", "--output", type=Path, help="file (default stdout)")
    try:
        a = p.parse_args(list(argv))
        dsn = _dsn(a)
        if not dsn:
            raise InputError("acd export: give --dsn or set ACD_DSN")
        _check_tz(a.tz)
        lo = _parse_time(a.from_, "--from", a.tz) if a.from_ else None
        hi = _parse_time(a.to, "--to", a.tz) if a.to else None

        async def run() -> dict[str, object]:
            from reports.db import connect
            from reports.dbreport import load_events

            conn = await connect(dsn)
            try:
                return {"events": await load_events(conn, lo, hi)}
            finally:
                await conn.close()

        events = _run_db(run)["events"]
    except InputError as exc:
        return _fail(exc)
    assert isinstance(events, list)
    text = "".join(ev.to_json() + "\n" for ev in events)
    if a.output:
        a.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
