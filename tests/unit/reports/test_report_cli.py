from __future__ import annotations

import json
from pathlib import Path

import pytest
import test_golden_queue

from reports.cli import report_main


@pytest.fixture()
def jsonl(tmp_path: Path) -> Path:
    f = tmp_path / "events.jsonl"
    f.write_text("".join(e.to_json() + "\n" for e in test_golden_queue.build().events))
    return f


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = report_main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_json_report_from_file_matches_golden(
    jsonl: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["--events", str(jsonl), "--format", "json", "-T", "20"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["totals"]["queues"]["offered"] == 7
    assert doc["totals"]["queues"]["sl"] == pytest.approx(0.5)
    assert doc["params"]["t_s"] == 20
    assert doc["targets"]["sl"].startswith("≥ 80%")
    assert "queue-entry" in doc["attribution"]


def test_table_prints_parameters_variants_and_targets(
    jsonl: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["--events", str(jsonl), "--by", "queue,interval", "-S", "3"], capsys)
    assert code == 0
    assert "T=20s S=3s ring_cadence=6s" in out
    assert "queue-entry time" in out
    assert "sl_answered_only" in out
    assert "[target ≥ 80% in 20 s]" in out


def test_html_has_charts(jsonl: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "r.html"
    code, _, _ = run(["--events", str(jsonl), "--format", "html", "-o", str(target)], capsys)
    assert code == 0
    text = target.read_text()
    assert text.count("data:image/png;base64,") >= 5
    assert "Service level" in text


def test_csv(jsonl: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--events", str(jsonl), "--format", "csv"], capsys)
    assert code == 0
    assert "queues,total,offered,7," in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--by", "queue,colour"], "--by: unknown key 'colour'"),
        (["--from", "2024-13-01"], "--from: bad date '2024-13-01'"),
        (["--interval", "fortnight"], "--interval: unknown 'fortnight'"),
        (["--from", "2024-02-01", "--to", "2024-01-01"], "--to: must be after --from"),
    ],
)
def test_bad_arguments(
    jsonl: Path, argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["--events", str(jsonl), *argv], capsys)
    assert code == 2
    assert needle in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_malformed_jsonl_names_file_and_line(
    jsonl: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = jsonl.read_text().splitlines()
    lines[3] = lines[3][:-5]
    jsonl.write_text("\n".join(lines) + "\n")
    code, _, err = run(["--events", str(jsonl)], capsys)
    assert code == 2
    assert f"{jsonl}:4: not JSON" in err


def test_unknown_event_kind_names_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "x.jsonl"
    f.write_text('{"kind":"teleport","event_id":"x","ts":1}\n')
    code, _, err = run(["--events", str(f)], capsys)
    assert code == 2
    assert f"{f}:1: unknown event kind 'teleport'" in err


def test_no_source(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACD_DSN", raising=False)
    code, _, err = run([], capsys)
    assert code == 2
    assert "no event source" in err


def test_sections_limit_the_output(jsonl: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--events", str(jsonl), "--format", "json", "--by", "queue,interval"]
    code, out, _ = run([*argv, "--sections", "queues,calls"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert "agents" not in doc and "agents" not in doc["totals"]
    code, full, _ = run(argv, capsys)
    assert code == 0
    whole = json.loads(full)
    assert whole["agents"]
    assert doc["queues"] == whole["queues"] and doc["calls"] == whole["calls"]
    code, table, _ = run(["--events", str(jsonl), "--sections", "agents"], capsys)
    assert code == 0
    assert "== agents ==" in table and "== queues ==" not in table


def test_unknown_section_exits_2(jsonl: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["--events", str(jsonl), "--sections", "queues,people"], capsys)
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "--sections: unknown section 'people'" in err
