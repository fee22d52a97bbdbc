"""The IVR menu model: prompts, node kinds and the graph, as frozen values read from YAML."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "SAY_STYLES",
    "Branch",
    "CallbackNode",
    "CallerRules",
    "CollectNode",
    "ConditionNode",
    "FilePrompt",
    "HangupNode",
    "IvrGraph",
    "LookupNode",
    "MenuNode",
    "Node",
    "NoticesNode",
    "PlayNode",
    "Prompt",
    "QueueNode",
    "SayChoice",
    "SayItem",
    "SayPrompt",
    "SayValue",
    "SoundPrompt",
    "SurveyNode",
    "Test",
    "TextPrompt",
    "TimeWindow",
    "TransferNode",
    "VarTest",
    "VoicemailNode",
    "node_targets",
    "prompt_stem",
]

SAY_STYLES = ("digits", "number", "characters")


def prompt_stem(text: str, lang: str, voice: str) -> str:
    """File name (without extension) of a synthesised prompt: same words, same file."""
    digest = hashlib.sha256(f"{lang}\0{voice}\0{text}".encode()).hexdigest()
    return f"tts-{lang}-{digest[:16]}"


@dataclass(frozen=True)
class SoundPrompt:
    """An Asterisk sound by name, e.g. `hello-world` or `digits/1`."""

    name: str

    @property
    def uri(self) -> str:
        return f"sound:{self.name}"


@dataclass(frozen=True)
class FilePrompt:
    """A sound file by path; Asterisk picks the format, so the extension is dropped."""

    path: str

    @property
    def uri(self) -> str:
        stem = re.sub(r"\.(wav|gsm|ulaw|alaw|sln|sln16|g722|mp3)$", "", self.path)
        return f"sound:{stem}"


@dataclass(frozen=True)
class TextPrompt:
    """Words synthesised at build time (espeak-ng) into `directory/stem.wav`."""

    text: str
    lang: str
    voice: str
    directory: str

    @property
    def stem(self) -> str:
        return prompt_stem(self.text, self.lang, self.voice)

    @property
    def uri(self) -> str:
        return f"sound:{self.directory.rstrip('/')}/{self.stem}"


Prompt = SoundPrompt | FilePrompt | TextPrompt


@dataclass(frozen=True)
class SayPrompt:
    prompt: Prompt


@dataclass(frozen=True)
class SayValue:
    """A variable spoken by Asterisk (`digits:`, `number:` or `characters:` media)."""

    variable: str
    style: Literal["digits", "number", "characters"]


@dataclass(frozen=True)
class SayChoice:
    """Prompts chosen by a variable's value, e.g. outage status `restoring` -> its message."""

    variable: str
    values: tuple[tuple[str, tuple[Prompt, ...]], ...]
    default: tuple[Prompt, ...]

    def prompts_for(self, value: str) -> tuple[Prompt, ...]:
        return next((p for v, p in self.values if v == value), self.default)


SayItem = SayPrompt | SayValue | SayChoice


@dataclass(frozen=True)
class TimeWindow:
    """Open on `days` (0 = Monday) from `start` to `end`; end before start crosses midnight."""

    days: frozenset[int]
    start: datetime.time
    end: datetime.time

    def contains(self, moment: datetime.datetime) -> bool:
        clock = moment.time().replace(tzinfo=None)
        if self.start <= self.end:
            return moment.weekday() in self.days and self.start <= clock < self.end
        if clock >= self.start:
            return moment.weekday() in self.days
        yesterday = (moment.weekday() - 1) % 7
        return yesterday in self.days and clock < self.end


@dataclass(frozen=True)
class VarTest:
    name: str
    op: Literal["equals", "in", "matches", "empty", "set"]
    values: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None

    def holds(self, variables: Mapping[str, str]) -> bool:
        value = variables.get(self.name, "")
        if self.op == "empty":
            return value == ""
        if self.op == "set":
            return value != ""
        if self.op == "matches":
            return self.pattern is not None and self.pattern.fullmatch(value) is not None
        return value in self.values


@dataclass(frozen=True)
class Test:
    """All given parts must hold (an empty test always holds)."""

    schedule: tuple[TimeWindow, ...] | None = None
    holiday: bool | None = None
    caller_class: frozenset[str] | None = None
    variable: VarTest | None = None


@dataclass(frozen=True)
class Branch:
    when: Test
    goto: str


@dataclass(frozen=True)
class PlayNode:
    name: str
    prompts: tuple[Prompt, ...]
    next: str
    interruptible: bool = False


@dataclass(frozen=True)
class MenuNode:
    name: str
    prompt: tuple[Prompt, ...]
    choices: tuple[tuple[str, str], ...]
    fallback: str
    timeout: float = 5.0
    retries: int = 3
    invalid_prompt: tuple[Prompt, ...] = ()
    timeout_prompt: tuple[Prompt, ...] = ()

    def target(self, digit: str) -> str | None:
        return next((node for key, node in self.choices if key == digit), None)


@dataclass(frozen=True)
class CollectNode:
    name: str
    prompt: tuple[Prompt, ...]
    variable: str
    next: str
    on_invalid: str
    min_length: int = 1
    max_length: int = 20
    terminator: str = "#"
    timeout: float = 5.0
    retries: int = 3
    pattern: re.Pattern[str] | None = None
    invalid_prompt: tuple[Prompt, ...] = ()


@dataclass(frozen=True)
class ConditionNode:
    name: str
    branches: tuple[Branch, ...]
    otherwise: str


@dataclass(frozen=True)
class LookupNode:
    name: str
    url: str
    next: str
    on_failure: str
    timeout: float = 3.0
    store: tuple[tuple[str, str], ...] = ()
    say: tuple[SayItem, ...] = ()
    wait_prompt: tuple[Prompt, ...] = ()

    @property
    def url_variables(self) -> tuple[str, ...]:
        return tuple(re.findall(r"\{(\w+)\}", self.url))


@dataclass(frozen=True)
class NoticesNode:
    name: str
    next: str
    intro: tuple[Prompt, ...] = ()
    none: tuple[Prompt, ...] = ()


@dataclass(frozen=True)
class QueueNode:
    """Queue the caller; `priority` None means the caller's own class. `after` runs when the
    agent side ends (typically a survey); without it the call is hung up."""

    name: str
    queue: str
    priority: str | None = None
    skills: tuple[tuple[str, int], ...] | None = None
    after: str | None = None
    prompt: tuple[Prompt, ...] = ()


@dataclass(frozen=True)
class CallbackNode:
    name: str
    queue: str
    number_variable: str | None = None
    prompt: tuple[Prompt, ...] = ()


@dataclass(frozen=True)
class VoicemailNode:
    name: str
    mailbox: str
    prompt: tuple[Prompt, ...] = ()
    max_seconds: int = 120


@dataclass(frozen=True)
class TransferNode:
    name: str
    number: str
    prompt: tuple[Prompt, ...] = ()


@dataclass(frozen=True)
class HangupNode:
    name: str
    prompt: tuple[Prompt, ...] = ()


@dataclass(frozen=True)
class SurveyNode:
    name: str
    prompt: tuple[Prompt, ...]
    thanks: tuple[Prompt, ...] = ()
    invalid_prompt: tuple[Prompt, ...] = ()
    timeout: float = 6.0
    retries: int = 2
    scale: int = 5


Node = (
    PlayNode | MenuNode | CollectNode | ConditionNode | LookupNode | NoticesNode | QueueNode
    | CallbackNode | VoicemailNode | TransferNode | HangupNode | SurveyNode
)


def node_targets(node: Node) -> list[tuple[str, str]]:
    """(field, node name) for every node this one can go to."""
    match node:
        case PlayNode() | NoticesNode():
            return [("next", node.next)]
        case MenuNode():
            return [(f"choices.{k}", v) for k, v in node.choices] + [("fallback", node.fallback)]
        case CollectNode():
            return [("next", node.next), ("on_invalid", node.on_invalid)]
        case ConditionNode():
            return [(f"branches[{i}].goto", b.goto) for i, b in enumerate(node.branches)] + [
                ("else", node.otherwise)
            ]
        case LookupNode():
            return [("next", node.next), ("on_failure", node.on_failure)]
        case QueueNode():
            return [] if node.after is None else [("after", node.after)]
        case _:
            return []


@dataclass(frozen=True)
class CallerRules:
    """How a caller's priority class is found: VIP by calling number or by account entered."""

    default_class: str = "normal"
    vip_class: str = "vip"
    vip_numbers: frozenset[str] = frozenset()
    vip_accounts: frozenset[str] = frozenset()
    account_variable: str = "account"

    def classify(self, number: str, variables: Mapping[str, str]) -> str:
        if number in self.vip_numbers:
            return self.vip_class
        if variables.get(self.account_variable, "") in self.vip_accounts:
            return self.vip_class
        return self.default_class


@dataclass(frozen=True)
class IvrGraph:
    nodes: Mapping[str, Node]
    entry: str
    timezone: str = "UTC"
    holidays: frozenset[datetime.date] = frozenset()
    callers: CallerRules = field(default_factory=CallerRules)
    prompt_dir: str = "prompts"
    voices: tuple[tuple[str, str], ...] = (("en", "en"), ("zh", "cmn"))

    def node(self, name: str) -> Node:
        return self.nodes[name]

    def text_prompts(self) -> list[TextPrompt]:
        """Every generated prompt the menus can play, once each, for synthesis."""
        found: dict[str, TextPrompt] = {}
        for node in self.nodes.values():
            for prompt in _node_prompts(node):
                if isinstance(prompt, TextPrompt):
                    found.setdefault(prompt.stem, prompt)
        return list(found.values())


def _node_prompts(node: Node) -> list[Prompt]:
    prompts: list[Prompt] = []
    for value in vars(node).values():
        if isinstance(value, tuple):
            prompts += [p for p in value if isinstance(p, SoundPrompt | FilePrompt | TextPrompt)]
    if isinstance(node, LookupNode):
        for item in node.say:
            if isinstance(item, SayPrompt):
                prompts.append(item.prompt)
            elif isinstance(item, SayChoice):
                prompts += list(item.default)
                for _, choice in item.values:
                    prompts += list(choice)
    return prompts
