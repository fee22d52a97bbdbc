"""Reading condition tests (`when:`) from YAML: weekly schedule, holiday, caller class, variable."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

from acd.config_yaml import MapReader, Value
from ivr.model import Test, TimeWindow, VarTest

__all__ = ["DAY_NAMES", "parse_days", "parse_hours", "read_test"]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def parse_days(text: str) -> frozenset[int] | None:
    """`mon-fri`, `sat,sun`, `daily` -> weekday numbers (0 = Monday); None if not understood."""
    text = text.strip().lower()
    if text in ("daily", "all", "every day"):
        return frozenset(range(7))
    days: set[int] = set()
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            return None
        start, end = DAY_NAMES.index(first), DAY_NAMES.index(last or first)
        day = start
        days.add(day)
        while day != end:
            day = (day + 1) % 7
            days.add(day)
    return frozenset(days)


def parse_hours(text: str) -> tuple[datetime.time, datetime.time] | None:
    """`08:00-18:00` -> (start, end); `24:00` as an end means the end of the day."""
    match = _HOURS.match(text.strip())
    if match is None:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
        return None
    end = datetime.time.max if h2 == 24 else datetime.time(h2, m2)
    return datetime.time(h1, m1), end


def _window(value: Value) -> TimeWindow | None:
    reader = value.as_map()
    if reader is None:
        return None
    days_value = reader.get("days")
    days: frozenset[int] | None = frozenset(range(7))
    if days_value is not None:
        days_text = ",".join(days_value.as_strs())
        days = parse_days(days_text)
        if days is None:
            days_value.error(
                f"expected days such as 'mon-fri', 'sat,sun' or 'daily', got {days_text!r}"
            )
    hours_value = reader.require("hours", "opening hours such as '08:00-18:00'")
    hours = None
    if hours_value is not None:
        hours = parse_hours(hours_value.as_str())
        if hours is None:
            hours_value.expected("hours as 'HH:MM-HH:MM' (24-hour clock)")
    reader.finish()
    if days is None or hours is None:
        return None
    return TimeWindow(days, hours[0], hours[1])


def _variable(value: Value) -> VarTest | None:
    reader = value.as_map()
    if reader is None:
        return None
    name = reader.required_text("name", "the variable to test")
    ops = [op for op in ("equals", "in", "matches", "empty", "set") if op in reader]
    if len(ops) != 1:
        reader.error("expected exactly one of equals, in, matches, empty, set")
        reader.finish(("equals", "in", "matches", "empty", "set"))
        return None
    op = ops[0]
    found = reader.get(op)
    assert found is not None
    reader.finish()
    if op == "equals":
        return VarTest(name, "in", (found.as_str(),))
    if op == "in":
        return VarTest(name, "in", tuple(found.as_strs()))
    if op == "matches":
        return VarTest(name, "matches", pattern=found.as_pattern())
    wanted = found.as_bool()
    if op == "empty":
        return VarTest(name, "empty" if wanted else "set")
    return VarTest(name, "set" if wanted else "empty")


def read_test(value: Value, classes: Sequence[str]) -> tuple[Test, VarTest | None]:
    """A `when:` mapping; returns the test and its variable part (for the variable check)."""
    reader = value.as_map()
    if reader is None:
        return Test(), None
    schedule: tuple[TimeWindow, ...] | None = None
    schedule_value = reader.get("schedule")
    if schedule_value is not None:
        windows = [_window(item) for item in schedule_value.as_list()]
        schedule = tuple(w for w in windows if w is not None)
    holiday = reader.read("holiday", Value.as_bool, None)
    caller_class = _classes(reader, classes)
    variable = reader.read("variable", _variable, None)
    reader.finish()
    if not reader.keys():
        value.error("expected at least one of schedule, holiday, caller_class, variable")
    return Test(schedule, holiday, caller_class, variable), variable


def _classes(reader: MapReader, classes: Sequence[str]) -> frozenset[str] | None:
    found = reader.get("caller_class")
    if found is None:
        return None
    names = []
    for item in found.as_list():
        name = item.as_str()
        if name not in classes:
            item.error(f"expected a caller class ({', '.join(classes)}), got {name!r}")
        names.append(name)
    return frozenset(names)
