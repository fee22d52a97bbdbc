"""Prompt synthesis: real espeak-ng + sox when installed (always under CI=true)."""

from __future__ import annotations

import os
import shutil
import wave
from pathlib import Path

import pytest

from ivr import prompts
from ivr.model import TextPrompt, prompt_stem
from ivr.prompts import PromptToolMissing, synthesise

HAVE_TOOLS = bool(shutil.which("espeak-ng") and shutil.which("sox"))
needs_tools = pytest.mark.skipif(
    not HAVE_TOOLS and os.environ.get("CI") != "true",
    reason="espeak-ng and sox are not installed (apt-get install espeak-ng sox)",
)


def test_stem_depends_on_text_lang_and_voice() -> None:
    base = prompt_stem("hello", "en", "en")
    assert base == prompt_stem("hello", "en", "en")
    assert len({base, prompt_stem("hello!", "en", "en"), prompt_stem("hello", "zh", "en"),
                prompt_stem("hello", "en", "en-us")}) == 4
    assert base.startswith("tts-en-")


@needs_tools
def test_synthesises_8khz_mono_wav_and_skips_existing(tmp_path: Path) -> None:
    wanted = [TextPrompt("Welcome to the hotline.", "en", "en", str(tmp_path)),
              TextPrompt("欢迎致电供电服务热线。", "zh", "cmn", str(tmp_path))]
    report = synthesise(wanted)
    assert sorted(report.created) == sorted(tmp_path / f"{p.stem}.wav" for p in wanted)
    for path in report.created:
        with wave.open(str(path)) as wav:
            assert wav.getframerate() == 8000
            assert wav.getnchannels() == 1
            assert wav.getsampwidth() == 2
            assert wav.getnframes() > 8000 * 0.5  # at least half a second of speech
    assert sorted(tmp_path.iterdir()) == sorted(report.created)  # no scratch files left
    mtimes = {p: p.stat().st_mtime_ns for p in report.created}
    again = synthesise(wanted)
    assert again.created == ()
    assert sorted(again.skipped) == sorted(report.created)
    assert {p: p.stat().st_mtime_ns for p in report.created} == mtimes


def test_missing_espeak_is_a_clear_error(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prompts.shutil, "which", lambda name: None)
    with pytest.raises(PromptToolMissing) as caught:
        synthesise([TextPrompt("hi", "en", "en", str(tmp_path))])
    assert "espeak-ng is not installed" in str(caught.value)
    assert "apt-get install espeak-ng sox" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_nothing_to_do_needs_no_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prompt = TextPrompt("hi", "en", "en", str(tmp_path))
    (tmp_path / f"{prompt.stem}.wav").write_bytes(b"RIFF")
    monkeypatch.setattr(prompts.shutil, "which", lambda name: None)
    assert synthesise([prompt]).skipped == (tmp_path / f"{prompt.stem}.wav",)


@needs_tools
def test_command_line_builds_the_sample_prompts(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    sample = Path(__file__).resolve().parents[3] / "hotline.yaml"
    assert prompts.main(["--config", str(sample), "--out", str(tmp_path)]) == 0
    built = sorted(tmp_path.glob("tts-*.wav"))
    assert any(p.name.startswith("tts-zh-") for p in built)
    assert any(p.name.startswith("tts-en-") for p in built)
    assert "prompt(s) synthesised" in capsys.readouterr().out
