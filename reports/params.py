"""Report parameters and the time buckets figures are attributed to (UTC)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, datetime

__all__ = [
    "BY_KEYS",
    "INTERVALS",
    "SECTIONS",
    "Params",
    "ScheduleEntry",
    "bucket_start",
    "format_bucket",
]

US = 1_000_000
INTERVALS: dict[str, int] = {
    "15m": 15 * 60 * US,
    "30m": 30 * 60 * US,
    "hour": 3600 * US,
    "day": 86400 * US,
    "week": 7 * 86400 * US,
    "month": 0,  # calendar months
}
BY_KEYS = ("queue", "agent", "team", "class", "interval")
SECTIONS = ("queues", "calls", "agents")


@dataclass(frozen=True)
class ScheduleEntry:
    """An agent scheduled for an activity: ``work`` (logged in, not paused) or a state name."""

    agent_id: str
    start_us: int
    end_us: int
    activity: str = "work"


@dataclass(frozen=True)
class Params:
    t_s: float = 20.0  # service-level threshold T
    s_s: float = 5.0  # short-abandon threshold S
    cadence_s: float = 6.0  # ring cadence: seconds per ring
    fcr_window_s: float = 86400.0
    interval: str = "30m"
    by: tuple[str, ...] = ("queue",)
    from_us: int | None = None
    to_us: int | None = None
    cost: float | None = None  # centre cost for the period
    schedule: tuple[ScheduleEntry, ...] | None = field(default=None)
    sections: tuple[str, ...] = SECTIONS

    @property
    def t_us(self) -> int:
        return round(self.t_s * US)

    @property
    def s_us(self) -> int:
        return round(self.s_s * US)

    @property
    def cadence_us(self) -> int:
        return round(self.cadence_s * US)

    @property
    def fcr_window_us(self) -> int:
        return round(self.fcr_window_s * US)

    def in_range(self, us: int) -> bool:
        return (self.from_us is None or us >= self.from_us) and (
            self.to_us is None or us < self.to_us
        )


def bucket_start(us: int, interval: str) -> int:
    """Start of the UTC interval holding ``us``; weeks start on Monday."""
    size = INTERVALS[interval]
    if interval == "month":
        d = datetime.fromtimestamp(us // US, UTC)
        return calendar.timegm((d.year, d.month, 1, 0, 0, 0)) * US
    if interval == "week":
        day = 86400 * US
        days = us // day
        return (days - (days + 3) % 7) * day  # 1970-01-01 was a Thursday
    return us - us % size


def format_bucket(us: int, interval: str) -> str:
    d = datetime.fromtimestamp(us / US, UTC)
    if interval == "month":
        return d.strftime("%Y-%m")
    if interval in ("day", "week"):
        return d.strftime("%Y-%m-%d")
    return d.strftime("%Y-%m-%d %H:%M")
