"""The supervisors' wallboard: one self-contained page that polls the snapshot API.

The page is a string constant so it ships inside the wheel with the module. It loads nothing
from elsewhere (the Content-Security-Policy header enforces that) and builds its DOM with
`textContent` only, so agent names and notices cannot inject markup. When the API wants a
token, open `/wallboard#token=...`: the fragment never leaves the browser, so the token stays
out of access logs.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

__all__ = ["DEFAULT_TARGETS", "POLL_INTERVAL_MS", "WALLBOARD_HTML", "wallboard_page"]

POLL_INTERVAL_MS = 2000

# The recommended targets (after Jon Anton) that reports print too; the controller's override them.
DEFAULT_TARGETS: Mapping[str, float] = {
    "sl": 0.80,
    "sl_threshold_s": 20.0,
    "asa_s": 20.0,
    "abandon_rate_min": 0.03,
    "abandon_rate_max": 0.05,
}

_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)

WALLBOARD_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hotline wallboard</title>
<style>
:root {
  --bg: #0d1117; --panel: #161b22; --line: #30363d; --text: #e6edf3; --dim: #8b949e;
  --ok: #3fb950; --warn: #d29922; --bad: #f85149; --accent: #58a6ff;
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--text);
  font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
body { padding: 1.2vw 1.6vw; font-size: clamp(14px, 1.35vw, 34px); }
header { display: flex; align-items: baseline; gap: 1.5em; margin-bottom: 0.6em; }
h1 { font-size: 1.6em; margin: 0; letter-spacing: 0.02em; }
h2 { font-size: 1.05em; margin: 0.9em 0 0.4em; color: var(--dim); font-weight: normal;
  text-transform: uppercase; letter-spacing: 0.08em; }
#clock { font-size: 1.4em; font-variant-numeric: tabular-nums; margin-left: auto; }
#status { color: var(--dim); }
#status.down { color: var(--bad); font-weight: bold; }
#totals { color: var(--dim); }
#totals b { color: var(--text); }
#notices { display: none; background: #3b2300; border: 2px solid var(--warn); border-radius: 6px;
  padding: 0.5em 0.8em; margin-bottom: 0.6em; }
#notices.on { display: block; }
#notices .label { color: var(--warn); font-weight: bold; margin-right: 0.6em; }
#notices ul { margin: 0.2em 0 0; padding-left: 1.2em; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 0.35em 0.5em; border-bottom: 1px solid var(--line); text-align: right; }
th { color: var(--dim); font-weight: normal; font-size: 0.8em; vertical-align: bottom; }
th .target { display: block; color: var(--accent); font-size: 0.9em; }
td:first-child, th:first-child { text-align: left; }
td.big { font-size: 1.5em; font-weight: bold; }
td.ok { color: var(--ok); }
td.miss { color: #fff; background: rgba(248, 81, 73, 0.55); font-weight: bold; }
td.warn { color: var(--warn); font-weight: bold; }
td .sub { color: var(--dim); font-size: 0.5em; font-weight: normal; margin-left: 0.4em; }
td.miss .sub { color: #ffd8d3; }
#agents { display: grid; gap: 0.5em; grid-template-columns: repeat(auto-fill, minmax(15em, 1fr)); }
.agent { background: var(--panel); border-left: 0.4em solid var(--dim); border-radius: 4px;
  padding: 0.35em 0.6em; }
.agent .name { font-weight: bold; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.agent .team { color: var(--dim); font-size: 0.75em; }
.agent .state { display: flex; justify-content: space-between; gap: 0.5em; }
.agent .time { font-variant-numeric: tabular-nums; }
.agent .reason { color: var(--warn); font-size: 0.85em; }
.s-available { border-color: var(--ok); }
.s-reserved, .s-ringing { border-color: var(--accent); }
.s-on_call { border-color: #a371f7; }
.s-on_hold { border-color: var(--warn); }
.s-wrap_up { border-color: #db61a2; }
.s-paused { border-color: var(--bad); }
.s-logged_out { opacity: 0.5; }
.empty { color: var(--dim); padding: 0.5em 0; }
</style>
</head>
<body>
<header>
  <h1>Hotline wallboard</h1>
  <span id="totals"></span>
  <span id="status">connecting&hellip;</span>
  <span id="clock"></span>
</header>
<section id="notices"><span class="label">Outage notices</span><ul id="notice-list"></ul></section>
<h2>Queues</h2>
<table>
  <thead><tr>
    <th>Queue</th><th>Waiting</th><th>Longest wait</th><th>Agents<br>available / in</th>
    <th>Offered<br>today</th><th>Answered<br>today</th>
    <th>Abandoned today<span class="target" id="t-ab"></span></th>
    <th>Service level today<span class="target" id="t-sl"></span></th>
    <th>ASA today<span class="target" id="t-asa"></span></th>
  </tr></thead>
  <tbody id="queues"></tbody>
</table>
<h2>Agents</h2>
<div id="agents"></div>
<script>
"use strict";
const POLL_MS = __POLL_MS__;
const SNAPSHOT_URL = "/api/v1/snapshot";
const tokenMatch = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
const headers = tokenMatch ? {"Authorization": "Bearer " + decodeURIComponent(tokenMatch[1])} : {};
let last = null;
let fetchedAt = 0;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function duration(s) {
  if (s === null || s === undefined || !isFinite(s)) return "\\u2014";
  s = Math.max(0, Math.floor(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return (h ? h + ":" : "") + mm + ":" + String(r).padStart(2, "0");
}
function pct(x) { return x === null || x === undefined ? "\\u2014" : (x * 100).toFixed(1) + "%"; }
function elapsed() { return last ? Math.max(0, Date.now() / 1000 - fetchedAt) : 0; }
function cell(tr, text, cls, sub) {
  const td = el("td", cls || "", text);
  if (sub) td.appendChild(el("span", "sub", sub));
  tr.appendChild(td);
  return td;
}
function targetsText(t) {
  document.getElementById("t-sl").textContent =
    "target " + Math.round(t.sl * 100) + "% in " + t.sl_threshold_s + " s";
  document.getElementById("t-asa").textContent = "target \\u2264 " + t.asa_s + " s";
  document.getElementById("t-ab").textContent =
    "target " + Math.round(t.abandon_rate_min * 100) + "\\u2013" +
    Math.round(t.abandon_rate_max * 100) + "%";
}
function renderQueues(snap) {
  const t = snap.targets, body = document.getElementById("queues"), dt = elapsed();
  body.replaceChildren();
  if (!snap.queues.length) {
    const tr = el("tr"); const td = el("td", "empty", "No queues configured");
    td.colSpan = 9; tr.appendChild(td); body.appendChild(tr); return;
  }
  for (const q of snap.queues) {
    const tr = el("tr");
    cell(tr, q.name, "big");
    cell(tr, q.waiting, "big" + (q.waiting > 0 && q.agents_available === 0 ? " warn" : ""));
    const wait = q.waiting > 0 ? q.longest_wait + dt : 0;
    cell(tr, duration(wait), "big" + (wait > t.sl_threshold_s ? " warn" : ""));
    cell(tr, q.agents_available + " / " + q.agents_logged_in,
         q.agents_logged_in === 0 ? "miss" : "");
    cell(tr, q.offered_today);
    cell(tr, q.answered_today);
    const rate = q.offered_today > 0 ? q.abandoned_today / q.offered_today : null;
    cell(tr, pct(rate), "big " + (rate === null ? "" : (rate > t.abandon_rate_max ? "miss" : "ok")),
         rate === null ? "" : "(" + q.abandoned_today + ")");
    const sl = q.service_level_today;
    cell(tr, pct(sl), "big " + (sl === null ? "" : (sl < t.sl ? "miss" : "ok")));
    const asa = q.asa_today;
    cell(tr, asa === null ? "\\u2014" : asa.toFixed(1) + " s",
         "big " + (asa === null ? "" : (asa > t.asa_s ? "miss" : "ok")));
    body.appendChild(tr);
  }
}
function renderAgents(snap) {
  const box = document.getElementById("agents"), dt = elapsed();
  box.replaceChildren();
  if (!snap.agents.length) { box.appendChild(el("div", "empty", "No agents")); return; }
  for (const a of snap.agents) {
    const card = el("div", "agent s-" + a.state.replace(/[^a-z_]/g, ""));
    const name = el("div", "name", a.name || a.agent_id);
    name.appendChild(el("span", "team", " " + (a.team || "")));
    card.appendChild(name);
    const st = el("div", "state");
    st.appendChild(el("span", "", a.state.replace(/_/g, " ")));
    st.appendChild(el("span", "time", duration(a.time_in_state + dt)));
    card.appendChild(st);
    if (a.pause_reason) card.appendChild(el("div", "reason", a.pause_reason));
    box.appendChild(card);
  }
}
function renderNotices(snap) {
  const box = document.getElementById("notices"), list = document.getElementById("notice-list");
  list.replaceChildren();
  for (const n of snap.notices) list.appendChild(el("li", "", n));
  box.className = snap.notices.length ? "on" : "";
}
function renderTotals(snap) {
  const t = document.getElementById("totals");
  t.replaceChildren();
  const waiting = snap.queues.reduce((n, q) => n + q.waiting, 0);
  const avail = snap.agents.filter(a => a.state === "available").length;
  const parts = [["calls in progress", snap.calls_in_progress], ["waiting", waiting],
                 ["agents available", avail]];
  parts.forEach(([label, n], i) => {
    if (i) t.appendChild(document.createTextNode(" \\u00b7 "));
    t.appendChild(el("b", "", n)); t.appendChild(document.createTextNode(" " + label));
  });
}
function render() {
  document.getElementById("clock").textContent = new Date().toLocaleTimeString();
  if (!last) return;
  targetsText(last.targets); renderQueues(last); renderAgents(last);
  renderNotices(last); renderTotals(last);
}
function setStatus(text, down) {
  const s = document.getElementById("status");
  s.textContent = text; s.className = down ? "down" : "";
}
async function poll() {
  try {
    const r = await fetch(SNAPSHOT_URL, {headers: headers, cache: "no-store"});
    if (r.status === 401) {
      setStatus("not authorised: open /wallboard#token=\\u2026", true);
    } else if (!r.ok) {
      setStatus("snapshot failed: HTTP " + r.status, true);
    } else {
      last = await r.json(); fetchedAt = Date.now() / 1000;
      setStatus("live", false); render();
    }
  } catch (e) {
    setStatus("connection lost" + (last ? " \\u2014 figures are stale" : ""), true);
  }
  setTimeout(poll, POLL_MS);
}
setInterval(render, 1000);
render();
poll();
</script>
</body>
</html>
""".replace("__POLL_MS__", str(POLL_INTERVAL_MS))


async def wallboard_page(request: web.Request) -> web.Response:
    return web.Response(
        text=WALLBOARD_HTML,
        content_type="text/html",
        charset="utf-8",
        headers={"Content-Security-Policy": _CSP, "Cache-Control": "no-cache",
                 "X-Content-Type-Options": "nosniff"},
    )
