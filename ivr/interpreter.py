"""The IVR interpreter: one explicit state machine per call, inputs in, actions and trail out.

No I/O here. The call flow turns actions into ARI requests and feeds back what happened.

Phases:
    NEW         before Started
    PROMPTING   a menu/collect/survey prompt is playing; a key is taken at once (barge-in)
    WAITING     the prompt is over; a digit timer runs
    PLAYING     a message is playing; when it ends, `_then` says what follows
    LOOKING_UP  a webhook request is out
    QUEUED      the caller is with the ACD; AgentSideEnded moves on (survey) or hangs up
    DONE        the IVR has finished with the call
"""

from __future__ import annotations

import datetime
import enum
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ivr.actions import (
    Action,
    DoLookup,
    EnterQueue,
    Hangup,
    IvrStep,
    Play,
    RecordSurvey,
    RequestCallback,
    StartDigitTimer,
    Step,
    StopPlayback,
    Transfer,
    Voicemail,
)
from ivr.conditions import CallFacts, holds, local_time
from ivr.inputs import (
    AgentSideEnded,
    CallerHungUp,
    Digit,
    Input,
    LookupFailed,
    LookupSucceeded,
    PlaybackFinished,
    Started,
    TimerExpired,
)
from ivr.model import (
    CallbackNode,
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
    SayPrompt,
    SayValue,
    SurveyNode,
    TransferNode,
    VoicemailNode,
)

__all__ = ["MAX_HOPS", "Interpreter", "IvrError", "Phase"]

# Nodes entered within one input without waiting for the caller; more means a loop.
MAX_HOPS = 64


class Phase(enum.Enum):
    NEW = "new"
    PROMPTING = "prompting"
    WAITING = "waiting"
    PLAYING = "playing"
    LOOKING_UP = "looking_up"
    QUEUED = "queued"
    DONE = "done"


class IvrError(Exception):
    """An input that cannot happen in the current phase (a bug in the caller of `feed`)."""


@dataclass(frozen=True)
class _Then:
    """What follows a PLAYING message: go to a node, or perform a final action."""

    node: str | None = None
    action: Action | None = None
    phase: Phase = Phase.DONE


def _media(prompts: Sequence[Prompt]) -> tuple[str, ...]:
    return tuple(p.uri for p in prompts)


class Interpreter:
    """Feed inputs with `feed`; each returns the actions to perform and the steps to record.

    `notices` returns the media of the outage notices in force (set by supervisors).
    """

    def __init__(self, graph: IvrGraph,
                 notices: Callable[[], Sequence[str]] = tuple) -> None:
        self.graph = graph
        self._notices = notices
        self.phase = Phase.NEW
        self.variables: dict[str, str] = {}
        self.caller = ""
        self.caller_class = graph.callers.default_class
        self.node: Node | None = None
        self._now: datetime.datetime | None = None
        self._token = 0
        self._play_token: int | None = None
        self._timer_token: int | None = None
        self._lookup_token: int | None = None
        self._then = _Then()
        self._attempts = 0
        self._buffer = ""
        self._typeahead = ""
        self._actions: list[Action] = []
        self._trail: list[IvrStep] = []

    # -- public ------------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self.phase is Phase.DONE

    def feed(self, event: Input) -> Step:
        self._actions, self._trail = [], []
        match event:
            case Started():
                self._started(event)
            case CallerHungUp():
                if self.phase is not Phase.DONE:
                    self._record("caller_hung_up")
                    self.phase = Phase.DONE
            case _ if self.phase is Phase.DONE:
                pass
            case Digit():
                self._digit(event)
            case TimerExpired():
                if event.token == self._timer_token and self.phase is Phase.WAITING:
                    self._timer_token = None
                    self._timeout(event)
            case PlaybackFinished():
                if event.token == self._play_token:
                    self._play_token = None
                    self._playback_finished(event)
            case LookupSucceeded() | LookupFailed():
                if event.token == self._lookup_token and self.phase is Phase.LOOKING_UP:
                    self._lookup_token = None
                    self._lookup_answer(event)
            case AgentSideEnded():
                if self.phase is Phase.QUEUED:
                    self._agent_ended(event)
        return Step(tuple(self._actions), tuple(self._trail))

    # -- plumbing ----------------------------------------------------------------------------

    def _next_token(self) -> int:
        self._token += 1
        return self._token

    def _record(self, kind: str, **detail: str) -> None:
        name = self.node.name if self.node is not None else ""
        self._trail.append(IvrStep(name, kind, detail))

    def _play(self, prompts: Sequence[Prompt] | Sequence[str], *, interruptible: bool) -> None:
        media = tuple(p if isinstance(p, str) else p.uri for p in prompts)
        self._play_token = self._next_token()
        self._actions.append(Play(self._play_token, media, interruptible))

    def _stop_playback(self) -> None:
        if self._play_token is not None:
            self._actions.append(StopPlayback(self._play_token))
            self._play_token = None

    def _start_timer(self, seconds: float) -> None:
        self._timer_token = self._next_token()
        self._actions.append(StartDigitTimer(self._timer_token, seconds))
        self.phase = Phase.WAITING

    def _message(self, prompts: Sequence[Prompt] | Sequence[str], then: _Then,
                 *, interruptible: bool = False) -> str | None:
        """Play a message and continue with `then` when it ends (at once if there is none)."""
        if not prompts:
            return self._continue(then)
        self._play(prompts, interruptible=interruptible)
        self._then = then
        self.phase = Phase.PLAYING
        return None

    def _continue(self, then: _Then) -> str | None:
        if then.action is not None:
            self._perform(then.action)
            self.phase = then.phase
        return then.node

    def _perform(self, action: Action) -> None:
        self._actions.append(action)
        if isinstance(action, Hangup):
            self._record("hangup", reason=action.reason)

    def _hangup(self, reason: str) -> None:
        self._stop_playback()
        self._perform(Hangup(reason))
        self.phase = Phase.DONE

    def _facts(self) -> CallFacts:
        assert self._now is not None
        return CallFacts(local_time(self._now, self.graph.timezone), self.graph.holidays,
                         self.caller_class, self.variables)

    # -- entering nodes ----------------------------------------------------------------------

    def _go(self, name: str | None) -> None:
        """Enter `name` and every node after it that needs no wait."""
        hops = 0
        while name is not None and self.phase is not Phase.DONE:
            hops += 1
            if hops > MAX_HOPS:
                self._record("loop", at=name)
                self._hangup("ivr_loop")
                return
            self.node = self.graph.node(name)
            self._attempts, self._buffer = 0, ""
            self._record("entered", node_kind=type(self.node).__name__.removesuffix("Node").lower())
            name = self._enter(self.node)

    def _enter(self, node: Node) -> str | None:
        match node:
            case PlayNode():
                return self._message(node.prompts, _Then(node.next),
                                     interruptible=node.interruptible)
            case MenuNode() | CollectNode() | SurveyNode():
                return self._prompt(node, node.prompt)
            case ConditionNode():
                return self._branch(node)
            case LookupNode():
                self._lookup(node)
                return None
            case NoticesNode():
                notices = tuple(self._notices())
                self._record("notices", count=str(len(notices)))
                media = _media(node.intro) + notices if notices else _media(node.none)
                return self._message(media, _Then(node.next), interruptible=True)
            case QueueNode():
                priority = node.priority or self.caller_class
                enter = EnterQueue(node.queue, priority, node.skills, dict(self.variables))
                self._record("queued", queue=node.queue, priority=priority)
                return self._message(node.prompt, _Then(action=enter, phase=Phase.QUEUED))
            case CallbackNode():
                number = self.variables.get(node.number_variable or "", "") or self.caller
                self._actions.append(RequestCallback(node.queue, number, dict(self.variables)))
                self._record("callback", queue=node.queue, number=number)
                return self._message(node.prompt, _Then(action=Hangup("callback_requested")))
            case VoicemailNode():
                self._record("voicemail", mailbox=node.mailbox)
                return self._message(node.prompt,
                                     _Then(action=Voicemail(node.mailbox, node.max_seconds)))
            case TransferNode():
                self._record("transfer", number=node.number)
                return self._message(node.prompt, _Then(action=Transfer(node.number)))
            case HangupNode():
                return self._message(node.prompt, _Then(action=Hangup("ivr_hangup")))

    def _prompt(self, node: MenuNode | CollectNode | SurveyNode,
                prompts: Sequence[Prompt] | Sequence[str]) -> str | None:
        """Play a prompt that takes keys; keys typed ahead are taken first."""
        if self._typeahead:
            # The key that cut a message short is meant for this prompt: skip the prompt.
            digit, self._typeahead = self._typeahead[0], ""
            self.phase = Phase.WAITING
            self._timer_token = None
            target = self._key(node, digit)
            if target is None and self.phase is Phase.WAITING and self._timer_token is None:
                self._start_timer(node.timeout)
            return target
        if not prompts:
            self._start_timer(node.timeout)
            return None
        self._play(prompts, interruptible=True)
        self.phase = Phase.PROMPTING
        return None

    # -- inputs ------------------------------------------------------------------------------

    def _started(self, event: Started) -> None:
        if self.phase is not Phase.NEW:
            raise IvrError("Started fed twice")
        self._now = event.now
        self.caller = event.caller
        self.variables.update(caller=event.caller, dialled=event.dialled)
        self._classify()
        self._go(self.graph.entry)

    def _classify(self) -> None:
        found = self.graph.callers.classify(self.caller, self.variables)
        if found != self.caller_class:
            self._record("caller_class", caller_class=found)
        self.caller_class = found
        self.variables["caller_class"] = found

    def _digit(self, event: Digit) -> None:
        self._now = event.now
        node = self.node
        if self.phase in (Phase.PROMPTING, Phase.WAITING) and isinstance(
            node, MenuNode | CollectNode | SurveyNode
        ):
            if self.phase is Phase.PROMPTING:
                self._stop_playback()
                self.phase = Phase.WAITING
            self._timer_token = None
            self._go(self._key(node, event.digit))
        elif self.phase is Phase.PLAYING and self._interruptible():
            self._stop_playback()
            self._typeahead += event.digit
            self._go(self._continue(self._then))

    def _interruptible(self) -> bool:
        node = self.node
        return isinstance(node, NoticesNode) or (isinstance(node, PlayNode) and node.interruptible)

    def _timeout(self, event: TimerExpired) -> None:
        self._now = event.now
        node = self.node
        if isinstance(node, CollectNode) and self._buffer:
            self._go(self._collected(node))
        elif isinstance(node, MenuNode | CollectNode | SurveyNode):
            self._record("timeout")
            self._go(self._failed(node, timeout=True))

    def _playback_finished(self, event: PlaybackFinished) -> None:
        self._now = event.now
        node = self.node
        if self.phase is Phase.PROMPTING and isinstance(node, MenuNode | CollectNode | SurveyNode):
            self._start_timer(node.timeout)
        elif self.phase is Phase.PLAYING:
            self._go(self._continue(self._then))

    def _agent_ended(self, event: AgentSideEnded) -> None:
        self._now = event.now
        self._record("agent_ended")
        node = self.node
        if isinstance(node, QueueNode) and node.after is not None:
            self._go(node.after)
        else:
            self._hangup("agent_ended")

    # -- keys --------------------------------------------------------------------------------

    def _key(self, node: MenuNode | CollectNode | SurveyNode, digit: str) -> str | None:
        """A key while the node waits for keys; returns the next node if it moves on."""
        if isinstance(node, CollectNode):
            return self._collect_key(node, digit)
        self._record("key", digit=digit)
        if isinstance(node, MenuNode):
            target = node.target(digit)
            if target is not None:
                return target
        elif digit.isdigit() and 1 <= int(digit) <= node.scale:
            self._actions.append(RecordSurvey(node.name, int(digit)))
            self._record("survey", score=digit)
            return self._message(node.thanks, _Then(action=Hangup("survey_done")))
        self._record("invalid", digit=digit)
        return self._failed(node, timeout=False)

    def _collect_key(self, node: CollectNode, digit: str) -> str | None:
        if digit == node.terminator:
            self._record("key", digit=digit)
            return self._collected(node)
        self._buffer += digit
        if len(self._buffer) >= node.max_length:
            return self._collected(node)
        self._start_timer(node.timeout)
        return None

    def _collected(self, node: CollectNode) -> str | None:
        value, self._buffer = self._buffer, ""
        valid = node.min_length <= len(value) <= node.max_length and (
            node.pattern is None or node.pattern.fullmatch(value) is not None
        )
        if not valid:
            self._record("invalid", length=str(len(value)))
            return self._failed(node, timeout=False)
        self.variables[node.variable] = value
        self._record("collected", variable=node.variable, length=str(len(value)))
        self._classify()
        return node.next

    def _failed(self, node: MenuNode | CollectNode | SurveyNode, *, timeout: bool) -> str | None:
        """A wrong key or no key: reprompt, or after `retries` failures take the way out."""
        self._attempts += 1
        if self._attempts >= node.retries:
            self._record("fallback", attempts=str(self._attempts))
            if isinstance(node, MenuNode):
                return node.fallback
            if isinstance(node, CollectNode):
                return node.on_invalid
            self._actions.append(RecordSurvey(node.name, None))
            self._hangup("survey_unanswered")
            return None
        complaint = node.invalid_prompt
        if timeout and isinstance(node, MenuNode) and node.timeout_prompt:
            complaint = node.timeout_prompt
        self._typeahead = ""
        return self._prompt(node, _media(complaint) + _media(node.prompt))

    # -- condition and lookup ----------------------------------------------------------------

    def _branch(self, node: ConditionNode) -> str:
        facts = self._facts()
        for index, branch in enumerate(node.branches):
            if holds(branch.when, facts):
                self._record("branch", taken=str(index), goto=branch.goto)
                return branch.goto
        self._record("branch", taken="else", goto=node.otherwise)
        return node.otherwise

    def _lookup(self, node: LookupNode) -> None:
        url = node.url
        for name in node.url_variables:
            url = url.replace("{" + name + "}",
                              urllib.parse.quote(self.variables.get(name, ""), safe=""))
        self._lookup_token = self._next_token()
        self._actions.append(DoLookup(self._lookup_token, url, node.timeout))
        if node.wait_prompt:
            self._play(node.wait_prompt, interruptible=False)
        self.phase = Phase.LOOKING_UP

    def _lookup_answer(self, event: LookupSucceeded | LookupFailed) -> None:
        self._now = event.now
        node = self.node
        assert isinstance(node, LookupNode)
        self._stop_playback()
        if isinstance(event, LookupSucceeded):
            missing = [f for f, _ in node.store if f not in event.fields]
            if not missing:
                for result_field, variable in node.store:
                    self.variables[variable] = str(event.fields[result_field])
                self._record("lookup_ok")
                self._go(self._message(self._say(node), _Then(node.next)))
                return
            reason = "missing field " + ", ".join(missing)
        else:
            reason = event.reason
        self._record("lookup_failed", reason=reason)
        self._go(node.on_failure)

    def _say(self, node: LookupNode) -> tuple[str, ...]:
        media: list[str] = []
        for item in node.say:
            if isinstance(item, SayPrompt):
                media.append(item.prompt.uri)
            elif isinstance(item, SayValue):
                value = self.variables.get(item.variable, "")
                if value:
                    media.append(f"{item.style}:{value}")
            elif isinstance(item, SayChoice):
                media += _media(item.prompts_for(self.variables.get(item.variable, "")))
        return tuple(media)

    def snapshot(self) -> Mapping[str, object]:
        """The interpreter's state, for logs and tests."""
        return {
            "phase": self.phase.value,
            "node": self.node.name if self.node else None,
            "attempts": self._attempts,
            "buffer": self._buffer,
            "caller_class": self.caller_class,
        }
