"""Reports in the call centre's own time zone: intervals and dates on the local clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from report_scenario import Script

from reports.cli import report_main
from reports.params import bucket_start, format_bucket

US = 1_000_000


def utc_us(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp()) * US  # type: ignore[misc]


def test_local_days_hours_weeks_and_months() -> None:
    late = utc_us(2023, 11, 14, 16, 30)  # 00:30 on the 15th in Shanghai (UTC+8)
    assert format_bucket(bucket_start(late, "day"), "day") == "2023-11-14"
    assert bucket_start(late, "day", "Asia/Shanghai") == utc_us(2023, 11, 14, 16, 0)
    assert format_bucket(bucket_start(late, "day", "Asia/Shanghai"), "day",
                         "Asia/Shanghai") == "2023-11-15"
    # Kolkata is UTC+05:30: its hours start at half past on the UTC clock.
    assert bucket_start(utc_us(2023, 11, 14, 16, 10), "hour", "Asia/Kolkata") == \
        utc_us(2023, 11, 14, 15, 30)
    # Monday 2023-11-13 00:00 in Shanghai is Sunday 16:00 UTC.
    assert bucket_start(late, "week", "Asia/Shanghai") == utc_us(2023, 11, 12, 16, 0)
    assert bucket_start(utc_us(2023, 11, 30, 17, 0), "month", "Asia/Shanghai") == \
        utc_us(2023, 11, 30, 16, 0)


def test_days_across_a_daylight_saving_change() -> None:
    # 2024-03-10: New York moves from UTC-5 to UTC-4 at 02:00 local.
    noon = utc_us(2024, 3, 10, 16, 0)
    assert bucket_start(noon, "day", "America/New_York") == utc_us(2024, 3, 10, 5, 0)
    next_day = utc_us(2024, 3, 11, 12, 0)
    assert bucket_start(next_day, "day", "America/New_York") == utc_us(2024, 3, 11, 4, 0)


def _calls_around_local_midnight(tmp_path: Path) -> Path:
    s = Script()  # T0 is 2023-11-14 22:00 UTC, 06:00 on the 15th in Shanghai
    for cid, t in (("a", -6.5 * 3600), ("b", -5.5 * 3600)):  # 23:30 and 00:30 in Shanghai
        s.call(cid, t)
        s.enter(cid, "q", t + 1)
        s.leave(cid, "q", t + 30, "abandoned")
        s.ev("call_ended", t + 30, call_id=cid, hangup_by="caller")
    path = tmp_path / "events.jsonl"
    path.write_text("".join(e.to_json() + "\n" for e in s.events))
    return path


def _days(path: Path, capsys: pytest.CaptureFixture[str], *tz: str) -> dict[str, int]:
    code = report_main(["--events", str(path), "--by", "interval", "--interval", "day",
                        "--format", "json", "--sections", "queues", *tz])
    out, err = capsys.readouterr()
    assert code == 0, err
    doc = json.loads(out)
    return {format_bucket(int(r["key"]["interval"]), "day", doc["params"]["tz"]):
            r["figures"]["offered"]
            for r in doc["queues"]}


def test_a_day_report_counts_calls_on_the_local_date(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _calls_around_local_midnight(tmp_path)
    assert _days(path, capsys) == {"2023-11-14": 2}
    assert _days(path, capsys, "--tz", "Asia/Shanghai") == {"2023-11-14": 1, "2023-11-15": 1}


def test_from_and_to_without_offset_are_local(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _calls_around_local_midnight(tmp_path)
    assert _days(path, capsys, "--tz", "Asia/Shanghai", "--from", "2023-11-15") == \
        {"2023-11-15": 1}
    code = report_main(["--events", str(path), "--from", "2023-11-15", "--format", "table",
                        "--tz", "Asia/Shanghai"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "range: 2023-11-15 00:00 to open (Asia/Shanghai)" in out


def test_unknown_zone_is_a_clear_error(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = _calls_around_local_midnight(tmp_path)
    code = report_main(["--events", str(path), "--tz", "Mars/Olympus"])
    _, err = capsys.readouterr()
    assert code != 0
    assert "--tz: unknown time zone 'Mars/Olympus'" in err
    assert "Traceback" not in err
