"""Prometheus metrics read from the control plane's snapshot at scrape time.

Each exporter owns its registry, so several apps (and tests) never share series. Nothing is
counted here: every value comes from `ControlPlane.snapshot()`, which the controller derives
from its live state and the event log.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric

from acd.control import ControlPlane

__all__ = ["AGENT_STATES", "MetricsExporter"]

# Reported even at zero so a state's series does not vanish when nobody is in it.
AGENT_STATES = (
    "logged_out", "available", "reserved", "ringing", "on_call", "on_hold", "wrap_up", "paused",
)


class _SnapshotCollector:
    def __init__(self, control: ControlPlane) -> None:
        self._control = control

    def collect(self) -> Iterator[Metric]:
        snap = self._control.snapshot()
        q = ["queue"]
        waiting = GaugeMetricFamily("acd_queue_waiting", "Callers waiting in the queue", labels=q)
        longest = GaugeMetricFamily("acd_queue_longest_wait_seconds",
                                    "Wait of the longest-waiting caller", labels=q)
        available = GaugeMetricFamily("acd_queue_agents_available",
                                      "Agents serving the queue who are available", labels=q)
        logged_in = GaugeMetricFamily("acd_queue_agents_logged_in",
                                      "Agents serving the queue who are logged in", labels=q)
        today = GaugeMetricFamily("acd_queue_calls_today",
                                  "Queue visits today by outcome (offered, answered, abandoned)",
                                  labels=["queue", "outcome"])
        sl = GaugeMetricFamily("acd_queue_service_level_today_ratio",
                               "Service level today as a fraction (absent until defined)",
                               labels=q)
        asa = GaugeMetricFamily("acd_queue_asa_today_seconds",
                                "Average speed of answer today (absent until defined)", labels=q)
        for queue in snap.queues:
            name = [queue.name]
            waiting.add_metric(name, queue.waiting)
            longest.add_metric(name, queue.longest_wait)
            available.add_metric(name, queue.agents_available)
            logged_in.add_metric(name, queue.agents_logged_in)
            today.add_metric([queue.name, "offered"], queue.offered_today)
            today.add_metric([queue.name, "answered"], queue.answered_today)
            today.add_metric([queue.name, "abandoned"], queue.abandoned_today)
            if queue.service_level_today is not None and math.isfinite(queue.service_level_today):
                sl.add_metric(name, queue.service_level_today)
            if queue.asa_today is not None and math.isfinite(queue.asa_today):
                asa.add_metric(name, queue.asa_today)
        yield from (waiting, longest, available, logged_in, today, sl, asa)

        counts = dict.fromkeys(AGENT_STATES, 0)
        for agent in snap.agents:
            counts[agent.state] = counts.get(agent.state, 0) + 1
        agents = GaugeMetricFamily("acd_agents", "Agents by state", labels=["state"])
        for state, n in counts.items():
            agents.add_metric([state], n)
        yield agents

        calls = GaugeMetricFamily("acd_calls_in_progress", "Calls in the system now")
        calls.add_metric([], snap.calls_in_progress)
        yield calls


class MetricsExporter:
    """`GET /metrics` for one app: `app.router.add_get("/metrics", exporter.handle)`."""

    def __init__(self, control: ControlPlane) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_SnapshotCollector(control))

    def render(self) -> bytes:
        return bytes(generate_latest(self.registry))

    async def handle(self, request: web.Request) -> web.Response:
        return web.Response(body=self.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})
