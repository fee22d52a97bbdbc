"""The wallboard's figures for today, derived from the events of the day."""

import time

from acd.event_sink import TodaySink
from acd.hotline_control import _today_by_queue
from reports.events import make_event


def _visit(sink: TodaySink, call: str, entered: float, left: float, outcome: str) -> None:
    sink.emit(make_event("queue_entered", ts=entered, call_id=call, queue="q"))
    sink.emit(make_event("queue_exited", ts=left, call_id=call, queue="q", outcome=outcome))


def test_service_level_asa_and_abandons_follow_the_definitions() -> None:
    now = time.mktime((*time.localtime()[:3], 12, 0, 0, 0, 0, -1))
    sink = TodaySink(lambda: now)
    _visit(sink, "a", now - 100, now - 90, "answered")      # W = 10 <= T
    _visit(sink, "b", now - 100, now - 70, "answered")      # W = 30 > T
    _visit(sink, "c", now - 100, now - 97, "abandoned")     # short abandon (W = 3 <= S)
    _visit(sink, "d", now - 100, now - 60, "abandoned")     # W = 40
    _visit(sink, "e", now - 100, now - 95, "callback_requested")
    day = _today_by_queue(sink.events, now, 20.0, 5.0)["q"]
    assert (day.offered, day.answered, day.abandoned, day.short) == (5, 2, 2, 1)
    assert day.service_level() == 1 / 3      # answered <= T / (answered + abandoned > S)
    assert day.asa() == 20.0                 # (10 + 30) / 2


def test_yesterday_is_dropped_and_other_kinds_are_not_kept() -> None:
    now = time.mktime((*time.localtime()[:3], 0, 0, 30, 0, 0, -1))
    clock = [now - 60]
    sink = TodaySink(lambda: clock[0])
    sink.emit(make_event("queue_entered", ts=now - 60, call_id="old", queue="q"))
    sink.emit(make_event("talk_started", ts=now - 60, call_id="old", agent_id="1"))
    assert [e.kind for e in sink.events] == ["queue_entered"]
    clock[0] = now
    sink.emit(make_event("queue_entered", ts=now, call_id="new", queue="q"))
    assert [e.call_id for e in sink.events] == ["new"]
