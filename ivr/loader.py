"""Reading the `ivr` section (inline nodes and node files) into a validated `IvrGraph`."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from acd.config_yaml import ConfigError, MapReader, Problems, Value, load_yaml_file
from ivr.conditions_reader import read_test
from ivr.graph_check import Reference, check_graph
from ivr.model import (
    SAY_STYLES,
    Branch,
    CallbackNode,
    CallerRules,
    CollectNode,
    ConditionNode,
    HangupNode,
    IvrGraph,
    LookupNode,
    MenuNode,
    Node,
    NoticesNode,
    PlayNode,
    Prompt,
    QueueNode,
    SayChoice,
    SayItem,
    SayPrompt,
    SayValue,
    SurveyNode,
    TransferNode,
    VoicemailNode,
)
from ivr.prompt_reader import PromptReader

__all__ = ["NODE_KINDS", "IvrContext", "load_ivr_file", "read_ivr"]

DTMF = "0123456789*#"
DEFAULT_VOICES = (("zh", "cmn"), ("en", "en"))


@dataclass(frozen=True)
class IvrContext:
    """What the rest of the configuration tells the menus."""

    base_dir: Path
    entry: str | None = None
    entry_value: Value | None = None
    queues: frozenset[str] | None = None
    skills: frozenset[str] | None = None
    priority_classes: tuple[str, ...] = ("vip", "green_channel", "normal")
    callers: CallerRules = field(default_factory=CallerRules)


class _NodeReader:
    """Reads one node body; records the targets and variables it uses for the graph check."""

    def __init__(self, ctx: IvrContext, prompts: PromptReader) -> None:
        self.ctx = ctx
        self.prompts = prompts
        self.references: list[Reference] = []
        self.stored: dict[str, Value] = {}
        self.used: list[tuple[str, Value]] = []

    def target(self, reader: MapReader, key: str, what: str) -> str:
        value = reader.require(key, what)
        return "" if value is None else self._ref(value)

    def optional_target(self, reader: MapReader, key: str) -> str | None:
        value = reader.get(key)
        return None if value is None or value.is_null else self._ref(value)

    def _ref(self, value: Value) -> str:
        name = value.as_str()
        self.references.append(Reference(name, value))
        return name

    def prompt(self, reader: MapReader, key: str) -> tuple[Prompt, ...]:
        return self.prompts.read(reader.get(key))

    def required_prompt(self, reader: MapReader, key: str, what: str) -> tuple[Prompt, ...]:
        value = reader.require(key, what)
        before = len(reader.value.problems.errors)
        found = self.prompts.read(value)
        if value is not None and not found and len(value.problems.errors) == before:
            value.error(f"expected at least one prompt ({what})")
        return found

    def variable_name(self, value: Value) -> str:
        name = value.as_str()
        if name and not name.isidentifier():
            value.error(f"expected a variable name (letters, digits, _), got {name!r}")
        return name

    def queue_name(self, value: Value) -> str:
        name = value.as_str()
        if self.ctx.queues is not None and name not in self.ctx.queues:
            known = ", ".join(sorted(self.ctx.queues)) or "none defined"
            value.error(f"expected a queue from 'queues' ({known}), got {name!r}")
        return name

    # -- node kinds -------------------------------------------------------------------------

    def play(self, name: str, r: MapReader) -> Node:
        prompts = self.required_prompt(r, "prompt", "what to play")
        return PlayNode(name, prompts, self.target(r, "next", "the node after playing"),
                        r.flag("interruptible", False))

    def menu(self, name: str, r: MapReader) -> Node:
        prompt = self.required_prompt(r, "prompt", "the menu prompt")
        choices: list[tuple[str, str]] = []
        found = r.require("choices", "DTMF key -> node, e.g. '1': billing")
        reader = found.as_map() if found is not None else None
        if reader is not None:
            for key, value in reader.items():
                if len(key) != 1 or key not in DTMF:
                    value.error(f"expected a single DTMF key (one of {DTMF}), got {key!r}")
                choices.append((key, self._ref(value)))
            if not choices:
                reader.error("expected at least one choice")
        return MenuNode(
            name, prompt, tuple(choices),
            fallback=self.target(r, "fallback", "where to go after too many invalid tries"),
            timeout=r.number("timeout", 5.0, low=1),
            retries=r.integer("retries", 3, low=1, high=10),
            invalid_prompt=self.prompt(r, "invalid_prompt"),
            timeout_prompt=self.prompt(r, "timeout_prompt"),
        )

    def collect(self, name: str, r: MapReader) -> Node:
        prompt = self.required_prompt(r, "prompt", "what to ask for")
        var_value = r.require("variable", "where to store the digits")
        variable = "" if var_value is None else self.variable_name(var_value)
        if var_value is not None:
            self.stored.setdefault(variable, var_value)
        low = r.integer("min_length", 1, low=1, high=64)
        high = r.integer("max_length", max(low, 20), low=1, high=64)
        if high < low:
            r.error(f"max_length ({high}) is less than min_length ({low})")
        terminator = r.choice("terminator", ("#", "*", "none"), "#")
        return CollectNode(
            name, prompt, variable,
            next=self.target(r, "next", "the node after valid input"),
            on_invalid=self.target(r, "on_invalid", "where to go after too many invalid tries"),
            min_length=low, max_length=high,
            terminator="" if terminator == "none" else terminator,
            timeout=r.number("timeout", 5.0, low=1),
            retries=r.integer("retries", 3, low=1, high=10),
            pattern=r.read("pattern", Value.as_pattern, None),
            invalid_prompt=self.prompt(r, "invalid_prompt"),
        )

    def condition(self, name: str, r: MapReader) -> Node:
        branches: list[Branch] = []
        found = r.require("branches", "a list of {when: ..., goto: node}")
        for item in found.as_list() if found is not None else []:
            reader = item.as_map()
            if reader is None:
                continue
            when = reader.require("when", "the test")
            test, variable = read_test(when, self.ctx.priority_classes) if when else (None, None)
            if variable is not None and when is not None:
                self.used.append((variable.name, when))
            goto = self.target(reader, "goto", "the node when the test holds")
            reader.finish()
            if test is not None:
                branches.append(Branch(test, goto))
        return ConditionNode(name, tuple(branches),
                             self.target(r, "else", "the node when no test holds"))

    def lookup(self, name: str, r: MapReader) -> Node:
        url_value = r.require("url", "the webhook URL, with {variable} placeholders")
        url = "" if url_value is None else url_value.as_str()
        if url_value is not None and url and not url.startswith(("http://", "https://")):
            url_value.error(f"expected an http:// or https:// URL, got {url!r}")
        store: list[tuple[str, str]] = []
        store_reader = r.section("store")
        if store_reader is not None:
            for result_field, var in store_reader.items():
                variable = self.variable_name(var)
                self.stored.setdefault(variable, var)
                store.append((result_field, variable))
        node = LookupNode(
            name, url,
            next=self.target(r, "next", "the node after the result is spoken"),
            on_failure=self.target(r, "on_failure", "the spoken fallback when the service fails"),
            timeout=r.number("timeout", 3.0, low=0.1, high=30),
            store=tuple(store),
            say=self._say(r.get("say")),
            wait_prompt=self.prompt(r, "wait_prompt"),
        )
        if url_value is not None:
            self.used += [(v, url_value) for v in node.url_variables]
        return node

    def _say(self, value: Value | None) -> tuple[SayItem, ...]:
        items: list[SayItem] = []
        for item in value.as_list() if value is not None else []:
            if item.is_mapping and ("say" in _keys(item) or "choose" in _keys(item)):
                reader = item.as_map()
                assert reader is not None
                items.append(self._say_variable(reader))
                reader.finish()
            else:
                items += [SayPrompt(p) for p in self.prompts.read(item)]
        return tuple(items)

    def _say_variable(self, reader: MapReader) -> SayItem:
        spoken = reader.get("say")
        if spoken is not None:
            variable = self.variable_name(spoken)
            self.used.append((variable, spoken))
            style = reader.choice("as", SAY_STYLES, "digits")
            return SayValue(variable, style)  # type: ignore[arg-type]
        chosen = reader.get("choose")
        assert chosen is not None
        variable = self.variable_name(chosen)
        self.used.append((variable, chosen))
        values: list[tuple[str, tuple[Prompt, ...]]] = []
        values_reader = reader.section("values")
        if values_reader is not None:
            values = [(k, self.prompts.read(v)) for k, v in values_reader.items()]
        return SayChoice(variable, tuple(values), self.prompt(reader, "default"))

    def notices(self, name: str, r: MapReader) -> Node:
        return NoticesNode(name, self.target(r, "next", "the node after the notices"),
                           intro=self.prompt(r, "intro"), none=self.prompt(r, "none"))

    def queue(self, name: str, r: MapReader) -> Node:
        found = r.require("queue", "the queue to place the caller in")
        queue = "" if found is None else self.queue_name(found)
        priority = r.read("priority", lambda v: v.as_choice(("caller", *self.ctx.priority_classes)),
                          "caller")
        skills: tuple[tuple[str, int], ...] | None = None
        skills_reader = r.section("skills")
        if skills_reader is not None:
            skills = tuple(self._skill(k, v) for k, v in skills_reader.items())
        return QueueNode(name, queue, None if priority == "caller" else priority, skills,
                         after=self.optional_target(r, "after"), prompt=self.prompt(r, "prompt"))

    def _skill(self, skill: str, level: Value) -> tuple[str, int]:
        if self.ctx.skills is not None and skill not in self.ctx.skills:
            level.warn(f"no agent has skill {skill!r}")
        return skill, level.as_int(low=1, high=5)

    def callback(self, name: str, r: MapReader) -> Node:
        found = r.require("queue", "the queue that will make the call back")
        queue = "" if found is None else self.queue_name(found)
        number = r.get("number_variable")
        variable = None
        if number is not None:
            variable = self.variable_name(number)
            self.used.append((variable, number))
        return CallbackNode(name, queue, variable, self.prompt(r, "prompt"))

    def voicemail(self, name: str, r: MapReader) -> Node:
        return VoicemailNode(name, r.required_text("mailbox", "the mailbox to record into"),
                             self.prompt(r, "prompt"),
                             r.integer("max_seconds", 120, low=5, high=3600))

    def transfer(self, name: str, r: MapReader) -> Node:
        number = r.require("number", "the external number to transfer to")
        digits = "" if number is None else number.as_digits("a phone number", allowed=DTMF + "+")
        return TransferNode(name, digits, self.prompt(r, "prompt"))

    def hangup(self, name: str, r: MapReader) -> Node:
        return HangupNode(name, self.prompt(r, "prompt"))

    def survey(self, name: str, r: MapReader) -> Node:
        return SurveyNode(
            name, self.required_prompt(r, "prompt", "the satisfaction question"),
            thanks=self.prompt(r, "thanks"), invalid_prompt=self.prompt(r, "invalid_prompt"),
            timeout=r.number("timeout", 6.0, low=1), retries=r.integer("retries", 2, low=1, high=5),
            scale=r.integer("scale", 5, low=2, high=9),
        )


def _keys(value: Value) -> list[str]:
    return [str(k.value) for k, _ in value.node.value]


NODE_KINDS: dict[str, Callable[[_NodeReader, str, MapReader], Node]] = {
    "play": _NodeReader.play,
    "menu": _NodeReader.menu,
    "collect": _NodeReader.collect,
    "condition": _NodeReader.condition,
    "lookup": _NodeReader.lookup,
    "notices": _NodeReader.notices,
    "queue": _NodeReader.queue,
    "callback": _NodeReader.callback,
    "voicemail": _NodeReader.voicemail,
    "transfer": _NodeReader.transfer,
    "hangup": _NodeReader.hangup,
    "survey": _NodeReader.survey,
}


def _read_nodes(section: Value, reader: _NodeReader, nodes: dict[str, Node],
                where: dict[str, Value]) -> None:
    mapping = section.as_map()
    if mapping is None:
        return
    for name, body in mapping.items():
        if name in nodes:
            body.error(f"node {name!r} is already defined ({where[name].file}:{where[name].line})")
            continue
        if not name.replace("-", "_").isidentifier():
            body.error(f"expected a node name of letters, digits, _ or -, got {name!r}")
        node_reader = body.as_map()
        if node_reader is None:
            continue
        kind = node_reader.require("kind", f"one of {', '.join(NODE_KINDS)}")
        if kind is None:
            continue
        kind_name = kind.as_choice(tuple(NODE_KINDS))
        if kind_name not in NODE_KINDS or kind.as_str() != kind_name:
            continue
        nodes[name] = NODE_KINDS[kind_name](reader, name, node_reader)
        where[name] = body
        node_reader.finish()


def read_ivr(section: Value | None, ctx: IvrContext) -> IvrGraph | None:
    """The `ivr` section; problems go to the section's `Problems`. None if there is no section."""
    if section is None:
        return None
    problems = section.problems
    r = section.as_map()
    if r is None:
        return None
    timezone = r.text("timezone", "UTC")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz_value = r.get("timezone")
        if tz_value is not None:
            tz_value.expected("an IANA time zone such as Asia/Shanghai")
    holidays: set[datetime.date] = set()
    for item in r.values("holidays"):
        day = item.as_date()
        if day is not None:
            holidays.add(day)
    prompt_dir, voices = _prompt_settings(r.section("prompts"), ctx.base_dir)
    account_variable = r.text("account_variable", ctx.callers.account_variable)
    prompts = PromptReader(prompt_dir, voices)
    reader = _NodeReader(ctx, prompts)
    nodes: dict[str, Node] = {}
    where: dict[str, Value] = {}
    inline = r.get("nodes")
    if inline is not None:
        _read_nodes(inline, reader, nodes, where)
    for file_value in r.values("files"):
        relative = file_value.as_str()
        path = Path(relative)
        path = path if path.is_absolute() else ctx.base_dir / path
        loaded = load_yaml_file(path, problems, display=_display(path, relative, ctx.base_dir))
        if loaded is None:
            file_value.error(f"the node file {relative!r} could not be read (see above)")
            continue
        file_reader = loaded.as_map()
        if file_reader is None:
            continue
        nodes_value = file_reader.require("nodes", "a mapping of node name -> node")
        if nodes_value is not None:
            _read_nodes(nodes_value, reader, nodes, where)
        file_reader.finish()
    r.finish()
    if not nodes and inline is None and not r.keys():
        section.error("expected 'nodes' or 'files' with the IVR nodes")
    callers = CallerRules(ctx.callers.default_class, ctx.callers.vip_class,
                          ctx.callers.vip_numbers, ctx.callers.vip_accounts, account_variable)
    entry = ctx.entry or ""
    check_graph(nodes, where, reader.references, entry, ctx.entry_value or section,
                stored=reader.stored, used=reader.used)
    return IvrGraph(nodes, entry, timezone, frozenset(holidays), callers, prompt_dir, voices)


def _display(path: Path, relative: str, base: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path) if Path(relative).is_absolute() else str(base / relative)


Voices = tuple[tuple[str, str], ...]


def _prompt_settings(r: MapReader | None, base_dir: Path) -> tuple[str, Voices]:
    if r is None:
        return str((base_dir / "prompts").resolve()), DEFAULT_VOICES
    directory = Path(r.text("dir", "prompts"))
    voices: Voices = DEFAULT_VOICES
    voices_reader = r.section("voices")
    if voices_reader is not None:
        voices = tuple((lang, value.as_str()) for lang, value in voices_reader.items())
        if not voices:
            voices_reader.error("expected at least one language: voice")
            voices = DEFAULT_VOICES
    r.finish()
    absolute = directory if directory.is_absolute() else (base_dir / directory).resolve()
    return str(absolute), voices


def load_ivr_file(path: Path, ctx: IvrContext | None = None) -> IvrGraph:
    """A standalone IVR file (a mapping with the `ivr` section's keys plus `entry`)."""
    problems = Problems()
    root = load_yaml_file(path, problems)
    graph = None
    if root is not None and (r := root.as_map()) is not None:
        entry = r.get("entry")
        base = ctx or IvrContext(base_dir=path.parent)
        ctx = IvrContext(base.base_dir, entry.as_str() if entry else base.entry, entry,
                         base.queues, base.skills, base.priority_classes, base.callers)
        graph = _read_without(root, "entry", ctx)
    problems.raise_if_any()
    if graph is None:
        raise ConfigError([f"{path}: no IVR found"])
    return graph


def _read_without(root: Value, key: str, ctx: IvrContext) -> IvrGraph | None:
    """Read a mapping as the `ivr` section after taking out one already-read key."""
    assert root.is_mapping
    kept = [(k, v) for k, v in root.node.value if str(k.value) != key]
    node = type(root.node)(root.node.tag, kept, root.node.start_mark, root.node.end_mark)
    return read_ivr(Value(node, root.path, root.file, root.problems), ctx)
