"""The wallboard page: served self-contained, polling the snapshot, colouring missed targets."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from api_fake_control import FakeControl, sample_snapshot, serve

from acd.api import snapshot_json
from acd.wallboard import POLL_INTERVAL_MS, WALLBOARD_HTML

STUB = Path(__file__).with_name("wallboard_dom_stub.js")


def _script() -> str:
    scripts = re.findall(r"<script>(.*?)</script>", WALLBOARD_HTML, flags=re.S)
    assert len(scripts) == 1
    return scripts[0]


async def test_page_is_served_as_html_with_a_strict_policy() -> None:
    async with serve(FakeControl()) as client:
        resp = await client.get("/wallboard")
        assert resp.status == 200
        assert resp.content_type == "text/html"
        page = await resp.text()
        csp = resp.headers["Content-Security-Policy"]
    assert page == WALLBOARD_HTML
    assert "default-src 'none'" in csp
    assert "connect-src 'self'" in csp


def test_page_polls_the_snapshot_every_two_seconds() -> None:
    assert POLL_INTERVAL_MS == 2000
    script = _script()
    assert "const POLL_MS = 2000;" in script
    assert 'const SNAPSHOT_URL = "/api/v1/snapshot";' in script
    assert "setTimeout(poll, POLL_MS)" in script


def test_page_loads_nothing_from_elsewhere() -> None:
    assert not re.search(r"<(script|link|img|iframe)[^>]*\b(src|href)=", WALLBOARD_HTML)
    assert not re.search(r"https?://", WALLBOARD_HTML)
    assert "@import" not in WALLBOARD_HTML
    assert "innerHTML" not in WALLBOARD_HTML


def _cells(row: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["cls"], c["text"]) for c in row["children"]]


def _run(tmp_path: Path, snap: dict[str, Any], hash_: str = "") -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = tmp_path / "wallboard.js"
    script.write_text(_script())
    out = subprocess.run([node, str(STUB), str(script), json.dumps(snap), hash_],
                         capture_output=True, text=True, timeout=10, check=True)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def test_script_renders_queues_with_targets_and_colours(tmp_path: Path) -> None:
    r = _run(tmp_path, snapshot_json(sample_snapshot()))
    assert r["requests"] == [{"url": "/api/v1/snapshot", "headers": {}}]
    assert r["pollMs"] == 2000
    assert r["status"]["text"] == "live"
    assert r["targets"]["sl"]["text"] == "target 80% in 20 s"
    assert r["targets"]["asa"]["text"] == "target ≤ 15 s"
    assert r["targets"]["ab"]["text"] == "target 3–5%"

    billing, outages, complaints = r["queues"]["children"]
    name, waiting, longest, agents, offered, answered, abandoned, sl, asa = _cells(billing)
    assert name[1] == "billing"
    assert waiting[1] == "3"
    assert longest == ("big warn", "0:42")  # over the 20 s service-level threshold
    assert agents[1] == "1 / 4"
    assert (offered[1], answered[1]) == ("120", "110")
    assert abandoned == ("big miss", "7.5%(9)")  # 9 of 120, over the 5% ceiling
    assert sl == ("big miss", "72.0%")
    assert asa == ("big miss", "26.4 s")

    _, _, _, _, _, _, abandoned, sl, asa = _cells(outages)
    assert abandoned == ("big ok", "2.5%(1)")
    assert sl == ("big ok", "91.0%")
    assert asa == ("big ok", "8.2 s")

    _, _, _, agents, _, _, abandoned, sl, asa = _cells(complaints)
    assert agents == ("miss", "0 / 0")
    assert abandoned[1] == sl[1] == asa[1] == "—"


def test_script_renders_agents_and_notices(tmp_path: Path) -> None:
    r = _run(tmp_path, snapshot_json(sample_snapshot()))
    cards = r["agents"]["children"]
    assert [c["cls"] for c in cards] == ["agent s-on_call", "agent s-available", "agent s-paused",
                                         "agent s-wrap_up", "agent s-available"]
    paused = cards[2]
    assert paused["text"] == "Zhang Wei southpaused5:00training"
    assert r["notices"]["cls"] == "on"
    assert [n["text"] for n in r["noticeList"]["children"]] == [
        "Power cut in Haidian district until 18:00"]


def test_script_sends_the_token_from_the_fragment(tmp_path: Path) -> None:
    r = _run(tmp_path, snapshot_json(sample_snapshot()), "#token=ab%2Fc")
    assert r["requests"][0]["headers"] == {"Authorization": "Bearer ab/c"}


def test_script_puts_markup_in_names_as_text(tmp_path: Path) -> None:
    snap = snapshot_json(sample_snapshot())
    snap["notices"] = ["<img src=x onerror=alert(1)>"]
    r = _run(tmp_path, snap)
    item = r["noticeList"]["children"][0]
    assert item == {"tag": "li", "cls": "", "text": "<img src=x onerror=alert(1)>",
                    "children": []}
