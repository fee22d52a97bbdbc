"""Outage notices set by supervisors: text is spoken with espeak-ng (as the menus' text
prompts are) and Asterisk sound names are played as they are."""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from ivr.model import IvrGraph, TextPrompt
from ivr.prompts import PromptToolMissing, SynthesisError, synthesise

__all__ = ["NoticeBoard"]

log = logging.getLogger(__name__)

_CJK = re.compile(r"[\u3400-\u9fff]")


class NoticeBoard:
    """The notices in force, as media the IVR's `notices` node plays."""

    def __init__(self, graph: IvrGraph, mirror_root: Path | None = None) -> None:
        self._graph = graph
        # A chroot Asterisk sees files under its own root: synthesised notices are copied there.
        self.mirror_root = mirror_root
        self.texts: list[str] = []
        self.media: list[str] = []

    def _prompt(self, text: str) -> TextPrompt:
        lang = "zh" if _CJK.search(text) else "en"
        voice = dict(self._graph.voices).get(lang, lang)
        return TextPrompt(text, lang, voice, str(Path(self._graph.prompt_dir).resolve()))

    async def set(self, notices: Sequence[str]) -> None:
        media: list[str] = []
        prompts = [self._prompt(n) for n in notices if not n.startswith("sound:")]
        if prompts:
            try:
                await asyncio.to_thread(synthesise, prompts)
            except (PromptToolMissing, SynthesisError) as exc:
                raise ValueError(f"notices cannot be spoken: {exc}") from None
        by_text = {p.text: p for p in prompts}
        for notice in notices:
            prompt = by_text.get(notice)
            if prompt is None:
                media.append(notice)
                continue
            media.append(prompt.uri)
            if self.mirror_root is not None:
                wav = Path(prompt.directory) / f"{prompt.stem}.wav"
                inside = self.mirror_root / str(wav).lstrip("/")
                inside.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(wav, inside)
        self.texts, self.media = list(notices), media
        log.info("%d outage notice(s) in force", len(media))
