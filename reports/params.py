"""Report parameters and the time buckets figures are attributed to (in the report's time
zone: `Params.tz`, an IANA name, UTC by default)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "BY_KEYS",
    "INTERVALS",
    "SECTIONS",
    "Params",
    "ScheduleEntry",
    "bucket_start",
    "format_bucket",
    "zone",
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
    tz: str = "UTC"  # IANA time zone of the intervals and of the dates shown

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


@lru_cache(maxsize=32)
def zone(name: str) -> tzinfo:
    """The time zone called `name` (IANA, e.g. Asia/Shanghai); ValueError if unknown."""
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as "
                         "Asia/Shanghai, or UTC)") from None


def bucket_start(us: int, interval: str, tz: str = "UTC") -> int:
    """Start of the interval holding ``us`` on the clock of `tz`; weeks start on Monday,
    days at local midnight."""
    if tz == "UTC" and interval != "month":  # the common case, in integers
        if interval == "week":
            day = 86400 * US
            days = us // day
            return (days - (days + 3) % 7) * day  # 1970-01-01 was a Thursday
        return us - us % INTERVALS[interval]
    local = datetime.fromtimestamp(us // US, zone(tz))
    if interval == "month":
        start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    elif interval in ("week", "day"):
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if interval == "week":
            start -= timedelta(days=start.weekday())
    else:
        offset_us = int(local.utcoffset().total_seconds()) * US  # type: ignore[union-attr]
        size = INTERVALS[interval]
        return us - (us + offset_us) % size
    # A wall-clock midnight re-read in the zone, so its own offset (DST) applies.
    start = start.replace(tzinfo=None).replace(tzinfo=zone(tz))
    return int(start.timestamp()) * US


def format_bucket(us: int, interval: str, tz: str = "UTC") -> str:
    d = datetime.fromtimestamp(us / US, zone(tz))
    if interval == "month":
        return d.strftime("%Y-%m")
    if interval in ("day", "week"):
        return d.strftime("%Y-%m-%d")
    return d.strftime("%Y-%m-%d %H:%M")
