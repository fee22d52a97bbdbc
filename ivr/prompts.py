"""Build-time synthesis of `text:` prompts into 8 kHz mono 16-bit WAV with espeak-ng and sox.

Files are named by a hash of (text, lang, voice), so an unchanged prompt is never rebuilt and a
changed one gets a new file. Run: `python -m ivr.prompts --config hotline.yaml`.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ivr.model import TextPrompt

__all__ = ["INSTALL_HINT", "PromptToolMissing", "SynthesisError", "SynthesisReport", "main",
           "synthesise"]

log = logging.getLogger(__name__)

INSTALL_HINT = "apt-get install espeak-ng sox"


class PromptToolMissing(RuntimeError):
    """espeak-ng or sox is not installed."""


class SynthesisError(RuntimeError):
    """espeak-ng or sox failed on one prompt."""


@dataclass(frozen=True)
class SynthesisReport:
    created: tuple[Path, ...]
    skipped: tuple[Path, ...]


def _tool(name: str, given: str | None, count: int) -> str:
    found = given or shutil.which(name)
    if not found:
        raise PromptToolMissing(
            f"{name} is not installed; it is needed to synthesise {count} text prompt(s). "
            f"Install it with: {INSTALL_HINT}"
        )
    return found


def _run(command: Sequence[str], what: str) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=120)
    except subprocess.CalledProcessError as exc:
        stderr = exc.stderr.decode(errors="replace").strip()
        raise SynthesisError(f"{what} failed ({exc.returncode}): {stderr}") from exc
    except subprocess.TimeoutExpired as exc:
        raise SynthesisError(f"{what} took too long") from exc


def synthesise(prompts: Iterable[TextPrompt], out_dir: Path | None = None, *,
               espeak: str | None = None, sox: str | None = None) -> SynthesisReport:
    """Write each prompt to `<dir>/<stem>.wav` (dir: `out_dir` or the prompt's own directory);
    existing files are kept. Raises PromptToolMissing before doing anything if a tool is absent."""
    todo: list[tuple[TextPrompt, Path]] = []
    skipped: list[Path] = []
    for prompt in prompts:
        target = (out_dir or Path(prompt.directory)) / f"{prompt.stem}.wav"
        if target.exists():
            skipped.append(target)
        elif all(target != t for _, t in todo):
            todo.append((prompt, target))
    if not todo:
        return SynthesisReport((), tuple(skipped))
    espeak_path = _tool("espeak-ng", espeak, len(todo))
    sox_path = _tool("sox", sox, len(todo))
    created: list[Path] = []
    for prompt, target in todo:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
            raw = Path(scratch) / "raw.wav"
            ready = Path(scratch) / "ready.wav"
            _run([espeak_path, "-v", prompt.voice, "-w", str(raw), "--", prompt.text],
                 f"espeak-ng ({prompt.lang}, {prompt.text[:30]!r})")
            _run([sox_path, str(raw), "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer",
                  str(ready)], f"sox ({prompt.text[:30]!r})")
            os.replace(ready, target)
        log.info("synthesised %s (%s): %s", target.name, prompt.lang, prompt.text)
        created.append(target)
    return SynthesisReport(tuple(created), tuple(skipped))


def main(argv: Sequence[str] | None = None) -> int:
    from acd.config import ConfigError, load_config

    parser = argparse.ArgumentParser(prog="python -m ivr.prompts",
                                     description="synthesise the IVR's text prompts")
    parser.add_argument("--config", default="hotline.yaml")
    parser.add_argument("--out", type=Path, default=None,
                        help="output directory (default: ivr.prompts.dir of the config)")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config, require_secrets=False)
        report = synthesise(config.ivr.text_prompts(), args.out)
    except (ConfigError, PromptToolMissing, SynthesisError) as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"{len(report.created)} prompt(s) synthesised, {len(report.skipped)} already present")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
