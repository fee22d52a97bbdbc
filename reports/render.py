"""Report output: table, csv, json and html (charts drawn with matplotlib)."""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from dataclasses import asdict
from typing import Any

from reports.params import SECTIONS, Params, format_bucket

__all__ = ["TARGETS", "header_lines", "render"]

TARGETS: dict[str, str] = {
    "sl": "≥ 80% in 20 s",
    "asa_s": "≤ 20 s",
    "abandon_rate": "3–5%",
    "queue_time_avg_s": "30–90 s",
    "hold_avg_held_s": "20–60 s",
    "acw_avg_s": "30–60 s",
    "talk_avg_s": "270–360 s",
    "rings_avg": "2–4",
    "transfer_rate": "≤ 1–3%",
    "fcr": "≥ 85%",
    "occupancy": "≥ 90%",
    "answered_pct": "≥ 98%",
    "blocked_rate": "1–3%",
    "adherence": "≥ 92%",
    "attendance": "≥ 95%",
}
SL_VARIANTS = (
    "sl = answered within T / (answered + abandoned after S)",
    "sl_answered_only = answered within T / answered",
    "sl_abandon_positive = (answered within T + abandoned within T) / (answered + abandoned)",
)


def header_lines(p: Params, source: str) -> list[str]:
    return [
        f"source: {source}",
        f"range: {_ts(p.from_us, p.tz)} to {_ts(p.to_us, p.tz)} ({p.tz}); figures attributed to"
        " queue-entry time"
        " (calls: first queue entry, or call start if never queued)",
        f"parameters: T={p.t_s:g}s S={p.s_s:g}s ring_cadence={p.cadence_s:g}s "
        f"fcr_window={p.fcr_window_s:g}s interval={p.interval} by={','.join(p.by) or '-'}"
        + (f" cost={p.cost:g}" if p.cost is not None else ""),
        "service level variants: " + "; ".join(SL_VARIANTS),
    ]


def _ts(us: int | None, tz: str) -> str:
    return "open" if us is None else format_bucket(us, "15m", tz)


def _fmt(name: str, v: Any) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        if name.endswith(("_pct", "_rate", "occupancy", "adherence", "attendance", "fcr")) or (
            name.startswith("sl")
        ):
            return f"{v * 100:.1f}%"
        return f"{v:.2f}"
    return str(v)


def _key_text(key: dict[str, str], p: Params) -> dict[str, str]:
    return {k: format_bucket(int(v), p.interval, p.tz) if k == "interval" else v
            for k, v in key.items()}


def _sections(fig: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]], dict[str, Any]]]:
    want = fig["params"].sections
    return [(k, fig[k], fig["totals"][k]) for k in SECTIONS if k in want]


def _jsonable(fig: dict[str, Any], source: str) -> dict[str, Any]:
    p: Params = fig["params"]
    params = asdict(p)
    params["schedule"] = None if p.schedule is None else len(p.schedule)
    return {
        "source": source,
        "params": params,
        "attribution": f"queue-entry time ({p.tz})",
        "service_level_variants": list(SL_VARIANTS),
        "targets": TARGETS,
        **{name: rows for name, rows, _ in _sections(fig)},
        "totals": {name: total for name, _, total in _sections(fig)},
    }


def render(fig: dict[str, Any], fmt: str, source: str) -> str:
    p: Params = fig["params"]
    if fmt == "json":
        return json.dumps(_jsonable(fig, source), indent=2, default=str)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["section", "group", "metric", "value", "target"])
        for name, rows, total in _sections(fig):
            for row in rows:
                label = " ".join(f"{k}={v}" for k, v in _key_text(row["key"], p).items())
                for m, v in row["figures"].items():
                    w.writerow([name, label, m, "" if v is None else v, TARGETS.get(m, "")])
            for m, v in total.items():
                w.writerow([name, "total", m, "" if v is None else v, TARGETS.get(m, "")])
        return buf.getvalue()
    if fmt == "html":
        return _html(fig, source)
    return _table(fig, source)


def _table(fig: dict[str, Any], source: str) -> str:
    p: Params = fig["params"]
    out = header_lines(p, source)
    for name, rows, total in _sections(fig):
        out.append("")
        out.append(f"== {name} ==")
        metrics = list(total)
        labels = [" ".join(_key_text(r["key"], p).values()) or "all" for r in rows] + [
            "TOTAL"
        ]
        values = [r["figures"] for r in rows] + [total]
        width = max([len(m) for m in metrics] + [6]) + 2
        for m in metrics:
            target = f"  [target {TARGETS[m]}]" if m in TARGETS else ""
            cells = "  ".join(
                f"{lab}: {_fmt(m, v.get(m))}" for lab, v in zip(labels, values, strict=True)
            )
            out.append(f"{m:<{width}}{cells}{target}")
    return "\n".join(out) + "\n"


def _png(fig_obj: Any) -> str:
    buf = io.BytesIO()
    fig_obj.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig_obj)
    return base64.b64encode(buf.getvalue()).decode()


def _charts(fig: dict[str, Any]) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    p: Params = fig["params"]
    charts: list[tuple[str, str]] = []
    rows = fig["queues"]
    labels = [" ".join(_key_text(r["key"], p).values()) or "all" for r in rows]
    x = list(range(len(rows)))
    f = [r["figures"] for r in rows]

    def val(r: dict[str, Any], k: str) -> float:
        v = r.get(k)
        return float(v) if v is not None else 0.0

    if rows:
        fg, ax = plt.subplots(figsize=(10, 4))
        width = 0.2
        for i, k in enumerate(("offered", "answered", "abandoned", "blocked_visits")):
            ax.bar([xi + (i - 1.5) * width for xi in x], [val(r, k) for r in f], width, label=k)
        ax.set_xticks(x, labels, rotation=60, ha="right", fontsize=7)
        ax.set_title("Calls per group: offered / answered / abandoned / blocked")
        ax.legend()
        charts.append(("Calls", _png(fg)))

        fg, ax = plt.subplots(figsize=(10, 4))
        ax.plot(x, [val(r, "sl") * 100 for r in f], marker="o", label="service level (sl)")
        ax.plot(x, [val(r, "sl_answered_only") * 100 for r in f], ls="--", label="sl_answered_only")
        ax.axhline(80, color="red", ls=":", label="target 80%")
        ax.set_ylim(0, 105)
        ax.set_xticks(x, labels, rotation=60, ha="right", fontsize=7)
        ax.set_title(f"Service level (T = {p.t_s:g} s) against target")
        ax.legend()
        charts.append(("Service level", _png(fg)))

        fg, ax1 = plt.subplots(figsize=(10, 4))
        ax1.bar(x, [val(r, "asa_s") for r in f], color="tab:blue", label="ASA (s)")
        ax1.axhline(20, color="tab:blue", ls=":")
        ax1.set_ylabel("ASA (s)")
        ax2 = ax1.twinx()
        ax2.plot(x, [val(r, "abandon_rate") * 100 for r in f], color="tab:red", marker="o")
        ax2.set_ylabel("abandonment (%)")
        ax1.set_xticks(x, labels, rotation=60, ha="right", fontsize=7)
        ax1.set_title("ASA (bars, target 20 s) and abandonment rate (line)")
        charts.append(("ASA and abandonment", _png(fg)))

        fg, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
        a1.bar(x, [val(r, "hold_avg_answered_s") for r in f])
        a1.set_title("Average hold per answered call (s)")
        a1.set_xticks(x, labels, rotation=60, ha="right", fontsize=6)
        a2.bar(x, [val(r, "transfer_rate") * 100 for r in f], color="tab:orange")
        a2.set_title("Transfer rate (%)")
        a2.set_xticks(x, labels, rotation=60, ha="right", fontsize=6)
        charts.append(("Hold and transfers", _png(fg)))

    arows = fig["agents"]
    if arows:
        from reports.metrics import AGENT_STATES_SHOWN

        alabels = [" ".join(_key_text(r["key"], p).values()) for r in arows]
        fg, ax = plt.subplots(figsize=(10, max(3, 0.25 * len(arows))))
        left = [0.0] * len(arows)
        for st in AGENT_STATES_SHOWN:
            hours = [val(r["figures"], f"{st}_s") / 3600 for r in arows]
            ax.barh(alabels, hours, left=left, label=st)
            left = [a + b for a, b in zip(left, hours, strict=True)]
        ax.set_xlabel("hours")
        ax.set_title("Agent state breakdown")
        ax.legend(fontsize=7)
        charts.append(("Agent states", _png(fg)))
    return charts


def _html_table(title: str, rows: list[dict[str, Any]], total: dict[str, Any], p: Params) -> str:
    metrics = list(total)
    keys = list(rows[0]["key"]) if rows else []
    head = "".join(f"<th>{html.escape(k)}</th>" for k in keys) + "".join(
        f"<th>{html.escape(m)}"
        + (f"<br><small>target {html.escape(TARGETS[m])}</small>" if m in TARGETS else "")
        + "</th>"
        for m in metrics
    )
    body = []
    for r in [*rows, {"key": dict.fromkeys(keys, "TOTAL"), "figures": total}]:
        cells = (
            "".join(f"<td>{html.escape(v)}</td>" for v in _key_text(r["key"], p).values())
            if r["figures"] is not total
            else "".join("<td><b>TOTAL</b></td>" for _ in keys)
        )
        cells += "".join(f"<td>{_fmt(m, r['figures'].get(m))}</td>" for m in metrics)
        body.append(f"<tr>{cells}</tr>")
    return (
        f"<h2>{html.escape(title)}</h2><div class=t><table><tr>{head}</tr>"
        + "".join(body)
        + "</table></div>"
    )


def _html(fig: dict[str, Any], source: str) -> str:
    p: Params = fig["params"]
    parts = [
        "<!doctype html><html><head><meta charset=utf-8><title>Call centre report</title>",
        "<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;"
        "font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
        ".t{overflow-x:auto}</style></head><body><h1>Call centre report</h1><ul>",
        *[f"<li>{html.escape(line)}</li>" for line in header_lines(p, source)],
        "</ul>",
    ]
    for title, png in _charts(fig):
        parts.append(
            f"<h2>{html.escape(title)}</h2><img alt='{html.escape(title)}' "
            f"src='data:image/png;base64,{png}'>"
        )
    names = {"queues": "Queue visits", "calls": "Calls", "agents": "Agents"}
    for name, rows, total in _sections(fig):
        parts.append(_html_table(names[name], rows, total, p))
    parts.append("</body></html>")
    return "\n".join(parts)
