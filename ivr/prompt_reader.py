"""Reading prompt lists from YAML: `sound:NAME`, `file:PATH`, `text:WORDS`, `{text:, lang:}`
or the bilingual shorthand `{zh: ..., en: ...}`."""

from __future__ import annotations

from dataclasses import dataclass

from acd.config_yaml import Value
from ivr.model import FilePrompt, Prompt, SoundPrompt, TextPrompt

__all__ = ["PromptReader"]


@dataclass(frozen=True)
class PromptReader:
    directory: str
    voices: tuple[tuple[str, str], ...]

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang, _ in self.voices)

    def voice(self, lang: str) -> str:
        return dict(self.voices).get(lang, lang)

    def read(self, value: Value | None) -> tuple[Prompt, ...]:
        if value is None or value.is_null:
            return ()
        prompts: list[Prompt] = []
        for item in [value] if value.is_mapping else value.as_list():
            prompts += self._item(item)
        return tuple(prompts)

    def _text(self, text: str, lang: str, voice: str | None = None) -> TextPrompt:
        return TextPrompt(text, lang, voice or self.voice(lang), self.directory)

    def _item(self, item: Value) -> list[Prompt]:
        if item.is_mapping:
            return self._mapping(item)
        text = item.as_str()
        kind, sep, rest = text.partition(":")
        if sep and rest and kind == "sound":
            return [SoundPrompt(rest)]
        if sep and rest and kind == "file":
            return [FilePrompt(rest)]
        if sep and rest and kind == "text":
            return [self._text(rest, self.languages[0])]
        if text:
            item.error(
                "expected a prompt: 'sound:NAME', 'file:PATH', 'text:WORDS', "
                f"{{text: WORDS, lang: {'|'.join(self.languages)}}} or "
                f"{{{': ..., '.join(self.languages)}: ...}}, got {text!r}"
            )
        return []

    def _mapping(self, item: Value) -> list[Prompt]:
        reader = item.as_map()
        if reader is None:
            return []
        if "text" in reader:
            text = reader.required_text("text", "the words to say")
            lang = reader.choice("lang", self.languages, self.languages[0])
            voice = reader.text("voice", self.voice(lang))
            reader.finish()
            return [self._text(text, lang, voice)] if text else []
        prompts: list[Prompt] = []
        for lang, words in reader.items():
            if lang not in self.languages:
                words.error(
                    f"expected a language ({', '.join(self.languages)}) or 'text', got {lang!r}"
                )
                continue
            prompts.append(self._text(words.as_str(), lang))
        if not prompts and not reader.keys():
            item.error("expected a prompt, got an empty mapping")
        return prompts
