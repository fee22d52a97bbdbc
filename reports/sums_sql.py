"""The sums of reports.metrics as SQL aggregates, shared by the report queries and the
quarter-hour rollups. Thresholds are given as SQL expressions (placeholders)."""

from __future__ import annotations

from reports.events import BLOCKED_OUTCOMES
from reports.metrics import AGENT_STATES_SHOWN, AGENT_SUMS, CALL_SUMS, VISIT_SUMS

__all__ = ["agent_agg", "call_agg", "rollup_agg", "visit_agg"]

_BLOCKED = "(" + ", ".join(f"'{o}'" for o in sorted(BLOCKED_OUTCOMES)) + ")"
_FLOAT_SUMS = frozenset({"qa_sum", "survey_sum"})


def visit_agg(t: str, s: str, cadence: str) -> str:
    """Over queue_visits rows; t, s, cadence: service-level, short-abandon, ring cadence (us)."""
    return f"""
  count(*) FILTER (WHERE outcome NOT IN {_BLOCKED}) AS offered,
  count(*) FILTER (WHERE outcome IN {_BLOCKED}) AS blocked_visits,
  count(*) FILTER (WHERE outcome NOT IN {_BLOCKED}
                   AND coalesce(offer_delay_us, wait_us) > 0) AS queued,
  sum(wait_us) FILTER (WHERE outcome NOT IN {_BLOCKED})::bigint AS wait_sum,
  max(wait_us) FILTER (WHERE outcome NOT IN {_BLOCKED}) AS wait_max,
  count(*) FILTER (WHERE outcome = 'answered') AS answered,
  count(*) FILTER (WHERE outcome = 'answered' AND wait_us <= {t}) AS ans_le_t,
  sum(wait_us) FILTER (WHERE outcome = 'answered')::bigint AS ans_wait_sum,
  count(*) FILTER (WHERE outcome = 'abandoned') AS abandoned,
  count(*) FILTER (WHERE outcome = 'abandoned' AND wait_us <= {s}) AS short_abandoned,
  count(*) FILTER (WHERE outcome = 'abandoned' AND wait_us > {s}) AS aband_long,
  sum(wait_us) FILTER (WHERE outcome = 'abandoned' AND wait_us > {s})::bigint
      AS aband_long_wait_sum,
  count(*) FILTER (WHERE outcome = 'abandoned' AND wait_us <= {t}) AS aband_le_t,
  count(*) FILTER (WHERE outcome = 'timeout') AS timeout,
  count(*) FILTER (WHERE outcome = 'exit_key') AS exit_key,
  count(*) FILTER (WHERE outcome = 'overflow') AS overflow,
  count(*) FILTER (WHERE outcome = 'callback_requested') AS callback_requested,
  sum(rung) FILTER (WHERE outcome = 'answered')::bigint AS rung_sum,
  sum((ring_us + {cadence} - 1) / {cadence}) FILTER (WHERE outcome = 'answered')::bigint
      AS rings_sum,
  sum(rona) FILTER (WHERE outcome NOT IN {_BLOCKED})::bigint AS rona,
  sum(talk_us) FILTER (WHERE outcome = 'answered')::bigint AS talk_sum,
  sum(hold_us) FILTER (WHERE outcome = 'answered')::bigint AS hold_sum,
  sum(hold_count) FILTER (WHERE outcome = 'answered')::bigint AS hold_count,
  count(*) FILTER (WHERE outcome = 'answered' AND hold_count > 0) AS held,
  sum(acw_us) FILTER (WHERE outcome = 'answered')::bigint AS acw_sum,
  count(*) FILTER (WHERE outcome = 'answered' AND t_blind + t_attended > 0) AS transferred,
  sum(t_blind) FILTER (WHERE outcome = 'answered')::bigint AS t_blind,
  sum(t_attended) FILTER (WHERE outcome = 'answered')::bigint AS t_attended,
  sum(t_queue) FILTER (WHERE outcome = 'answered')::bigint AS t_queue,
  sum(t_agent) FILTER (WHERE outcome = 'answered')::bigint AS t_agent,
  sum(t_external) FILTER (WHERE outcome = 'answered')::bigint AS t_external,
  sum(qa_n) FILTER (WHERE outcome = 'answered')::bigint AS qa_n,
  sum(qa_sum) FILTER (WHERE outcome = 'answered') AS qa_sum
"""


def call_agg(window: str) -> str:
    """Over calls rows; window: the FCR repeat window (us)."""
    return f"""
  count(*) AS total,
  count(*) FILTER (WHERE blocked) AS blocked,
  count(*) FILTER (WHERE ivr_only) AS ivr_only,
  count(*) FILTER (WHERE answered) AS answered,
  count(*) FILTER (WHERE abandoned) AS abandoned,
  count(*) FILTER (WHERE answered AND NOT unresolved AND (ani = '' OR next_ani_us IS NULL
                   OR next_ani_us - start_us > {window})) AS fcr_pos,
  count(*) FILTER (WHERE survey_offered OR survey_n > 0) AS survey_offered,
  count(*) FILTER (WHERE survey_n > 0) AS survey_responded,
  sum(survey_n)::bigint AS survey_n,
  sum(survey_sum) AS survey_sum,
  sum(callbacks_requested)::bigint AS callbacks_requested,
  sum(callbacks_delivered)::bigint AS callbacks_delivered
"""


def agent_agg() -> str:
    """Over the agent source: rows of (state, dur) or (handled, qa_n, qa_sum, rings, rona)."""
    states = ",\n".join(
        f"  sum(dur) FILTER (WHERE state = '{s}')::bigint AS s_{s}" for s in AGENT_STATES_SHOWN
    )
    return (
        states
        + """,
  sum(dur) FILTER (WHERE state <> 'logged_out')::bigint AS logged_in,
  sum(handled)::bigint AS handled,
  sum(dur) FILTER (WHERE state IN ('on_call', 'on_hold', 'wrap_up'))::bigint AS work_sum,
  sum(rona)::bigint AS rona,
  sum(rings)::bigint AS rings,
  sum(qa_n)::bigint AS qa_n,
  sum(qa_sum) AS qa_sum
"""
    )


def rollup_agg(section: str) -> str:
    """Sums of rollup rows (whose columns are already sums) into coarser groups."""
    names = {"visits": VISIT_SUMS, "calls": CALL_SUMS, "agents": AGENT_SUMS}[section]
    out = []
    for n in names:
        if n == "wait_max":
            out.append(f"max({n}) AS {n}")
        elif n in _FLOAT_SUMS:
            out.append(f"sum({n}) AS {n}")
        else:
            out.append(f"sum({n})::bigint AS {n}")
    return ",\n  ".join(out)
