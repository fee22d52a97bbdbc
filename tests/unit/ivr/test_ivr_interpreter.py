"""The interpreter on every node kind: what it asks the call flow to do, and the trail."""

from __future__ import annotations

import datetime
import textwrap
from pathlib import Path

import pytest

from ivr.actions import (
    DoLookup,
    EnterQueue,
    Hangup,
    Play,
    RecordSurvey,
    RequestCallback,
    StartDigitTimer,
    Step,
    StopPlayback,
    Transfer,
    Voicemail,
)
from ivr.inputs import (
    AgentSideEnded,
    CallerHungUp,
    Digit,
    LookupFailed,
    LookupSucceeded,
    PlaybackFinished,
    Started,
    TimerExpired,
)
from ivr.interpreter import Interpreter, Phase
from ivr.loader import IvrContext, load_ivr_file
from ivr.model import CallerRules, IvrGraph

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
# A Wednesday, 10:00 in Shanghai.
NOW = datetime.datetime(2025, 6, 11, 2, 0, tzinfo=datetime.UTC)

IVR = """\
entry: start
timezone: Asia/Shanghai
holidays: [2025-10-01]
nodes:
  start:
    kind: condition
    branches:
      - when: {caller_class: vip}
        goto: vip_hello
      - when: {holiday: true}
        goto: closed
      - when:
          schedule: [{days: mon-fri, hours: "08:00-18:00"}]
        goto: hello
    else: closed
  hello:
    kind: play
    prompt: sound:hello
    interruptible: true
    next: main
  vip_hello:
    kind: play
    prompt: sound:vip-hello
    next: main
  closed:
    kind: hangup
    prompt: sound:closed
  main:
    kind: menu
    prompt: [sound:main-1, sound:main-2]
    choices: {"1": ask_account, "2": ask_area, "3": notices, "4": cb, "5": vm, "6": xfer,
              "0": operator}
    timeout: 5
    retries: 3
    invalid_prompt: sound:invalid
    timeout_prompt: sound:no-input
    fallback: operator
  ask_account:
    kind: collect
    prompt: sound:enter-account
    variable: account
    min_length: 4
    max_length: 8
    timeout: 4
    retries: 2
    invalid_prompt: sound:bad-account
    next: account_check
    on_invalid: operator
  account_check:
    kind: condition
    branches:
      - when: {caller_class: vip}
        goto: vip_queue
    else: balance
  balance:
    kind: lookup
    url: http://svc.test/balance?account={account}
    timeout: 2
    store: {balance: balance}
    wait_prompt: sound:please-wait
    say: [sound:your-balance, {say: balance, as: number}, sound:yuan]
    next: operator
    on_failure: balance_down
  balance_down:
    kind: play
    prompt: sound:service-down
    next: operator
  ask_area:
    kind: collect
    prompt: sound:enter-area
    variable: area
    min_length: 3
    max_length: 6
    pattern: "0[0-9]+"
    next: outage
    on_invalid: operator
  outage:
    kind: lookup
    url: http://svc.test/outage/{area}
    store: {status: status}
    say:
      - choose: status
        values: {none: sound:no-outage, fault: sound:fault-outage}
        default: sound:unknown
    next: operator
    on_failure: operator
  notices:
    kind: notices
    intro: sound:notices-intro
    none: sound:no-notices
    next: main
  cb:
    kind: callback
    queue: faults
    prompt: sound:will-call-back
  vm:
    kind: voicemail
    mailbox: complaints
    prompt: sound:leave-message
    max_seconds: 60
  xfer:
    kind: transfer
    number: "+862112345678"
  operator:
    kind: queue
    queue: operator
    after: survey
  vip_queue:
    kind: queue
    queue: billing
    skills: {billing: 4}
    after: survey
  survey:
    kind: survey
    prompt: sound:rate
    thanks: sound:thanks
    invalid_prompt: sound:one-to-five
    retries: 2
"""


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> IvrGraph:
    path = tmp_path_factory.mktemp("ivr") / "ivr.yaml"
    path.write_text(IVR, encoding="utf-8")
    ctx = IvrContext(base_dir=path.parent, callers=CallerRules(
        vip_numbers=frozenset({"13800000001"}), vip_accounts=frozenset({"31000001"})))
    return load_ivr_file(path, ctx)


def play_of(step: Step) -> Play:
    plays = [a for a in step.actions if isinstance(a, Play)]
    assert len(plays) == 1, step.actions
    return plays[0]


def timer_of(step: Step) -> StartDigitTimer:
    timers = [a for a in step.actions if isinstance(a, StartDigitTimer)]
    assert len(timers) == 1, step.actions
    return timers[0]


def kinds(step: Step) -> list[str]:
    return [t.kind for t in step.trail]


def nodes_entered(step: Step) -> list[str]:
    return [t.node for t in step.trail if t.kind == "entered"]


def at(hour: int, minute: int = 0, day: int = 11, month: int = 6) -> datetime.datetime:
    return datetime.datetime(2025, month, day, hour, minute, tzinfo=SHANGHAI)


class Call:
    """Drives one interpreter and answers playbacks, as the call flow would."""

    def __init__(self, graph: IvrGraph, caller: str = "02100000000",
                 now: datetime.datetime = NOW, notices: tuple[str, ...] = ()) -> None:
        self.ivr = Interpreter(graph, notices=lambda: notices)
        self.now = now
        self.last = self.ivr.feed(Started(now, caller, "95598"))

    def finish_play(self) -> Step:
        self.last = self.ivr.feed(PlaybackFinished(self.now, play_of(self.last).token))
        return self.last

    def press(self, digits: str) -> Step:
        steps = [self.ivr.feed(Digit(self.now, d)) for d in digits]
        self.last = Step(tuple(a for s in steps for a in s.actions),
                         tuple(t for s in steps for t in s.trail))
        return self.last

    def at_menu(self) -> None:
        """Play the greeting to the end, then the menu prompt to the end."""
        self.finish_play()
        assert self.ivr.node is not None and self.ivr.node.name == "main"
        self.finish_play()


def test_start_plays_greeting_in_office_hours(graph: IvrGraph) -> None:
    call = Call(graph)
    assert nodes_entered(call.last) == ["start", "hello"]
    assert play_of(call.last).media == ("sound:hello",)
    assert play_of(call.last).interruptible
    step = call.finish_play()
    assert nodes_entered(step) == ["main"]
    assert play_of(step).media == ("sound:main-1", "sound:main-2")
    step = call.finish_play()
    assert timer_of(step).seconds == 5
    assert call.ivr.phase is Phase.WAITING


def test_menu_choice_goes_to_its_node(graph: IvrGraph) -> None:
    call = Call(graph)
    call.at_menu()
    step = call.press("0")
    assert kinds(step)[:2] == ["key", "entered"]
    assert step.trail[0].detail == {"digit": "0"}
    assert EnterQueue("operator", "normal", None, call.ivr.variables) in step.actions
    assert call.ivr.phase is Phase.QUEUED


def test_barge_in_while_menu_prompt_plays(graph: IvrGraph) -> None:
    call = Call(graph)
    call.finish_play()
    prompt = play_of(call.last)
    step = call.press("1")
    assert step.actions[0] == StopPlayback(prompt.token)
    assert nodes_entered(step) == ["ask_account"]
    # The stopped prompt's PlaybackFinished arrives late and changes nothing.
    late = call.ivr.feed(PlaybackFinished(NOW, prompt.token))
    assert late == Step()
    assert call.ivr.node is not None and call.ivr.node.name == "ask_account"


def test_key_during_greeting_is_taken_by_the_menu(graph: IvrGraph) -> None:
    call = Call(graph)
    greeting = play_of(call.last)
    step = call.press("0")
    assert step.actions[0] == StopPlayback(greeting.token)
    assert nodes_entered(step) == ["main", "operator"]
    assert not any(isinstance(a, Play) for a in step.actions)
    assert any(isinstance(a, EnterQueue) for a in step.actions)


def test_invalid_key_reprompts_then_falls_back_after_three(graph: IvrGraph) -> None:
    call = Call(graph)
    call.at_menu()
    step = call.press("9")
    assert kinds(step) == ["key", "invalid"]
    assert play_of(step).media == ("sound:invalid", "sound:main-1", "sound:main-2")
    call.finish_play()
    step = call.press("8")
    assert kinds(step) == ["key", "invalid"]
    step = call.press("7")  # barge-in on the second reprompt
    assert kinds(step)[:3] == ["key", "invalid", "fallback"]
    assert step.trail[2].detail == {"attempts": "3"}
    assert nodes_entered(step) == ["operator"]
    assert any(isinstance(a, StopPlayback) for a in step.actions)


def test_timeout_reprompts_with_the_timeout_prompt(graph: IvrGraph) -> None:
    call = Call(graph)
    call.finish_play()
    timer = timer_of(call.finish_play())
    step = call.ivr.feed(TimerExpired(NOW, timer.token))
    assert kinds(step) == ["timeout"]
    assert play_of(step).media == ("sound:no-input", "sound:main-1", "sound:main-2")
    # The same timer firing again is stale.
    assert call.ivr.feed(TimerExpired(NOW, timer.token)) == Step()
    call.last = step
    for _ in range(2):
        timer = timer_of(call.finish_play())
        step = call.ivr.feed(TimerExpired(NOW, timer.token))
        call.last = step
    assert kinds(step)[:2] == ["timeout", "fallback"]
    assert nodes_entered(step) == ["operator"]


def test_timer_cancelled_by_a_key(graph: IvrGraph) -> None:
    call = Call(graph)
    call.finish_play()
    timer = timer_of(call.finish_play())
    call.press("1")
    assert call.ivr.feed(TimerExpired(NOW, timer.token)) == Step()


def collect_account(graph: IvrGraph, caller: str = "02100000000") -> Call:
    call = Call(graph, caller)
    call.at_menu()
    call.press("1")
    call.finish_play()
    return call


def test_collect_ends_on_hash(graph: IvrGraph) -> None:
    call = collect_account(graph)
    step = call.press("12345#")
    assert call.ivr.variables["account"] == "12345"
    assert "collected" in kinds(step)
    lookup = next(a for a in step.actions if isinstance(a, DoLookup))
    assert lookup.url == "http://svc.test/balance?account=12345"
    assert lookup.timeout == 2


def test_collect_ends_at_max_length(graph: IvrGraph) -> None:
    call = collect_account(graph)
    call.press("1234567")
    assert call.ivr.node is not None and call.ivr.node.name == "ask_account"
    step = call.press("8")
    assert call.ivr.variables["account"] == "12345678"
    assert nodes_entered(step) == ["account_check", "balance"]


def test_collect_too_short_is_invalid_then_on_invalid(graph: IvrGraph) -> None:
    call = collect_account(graph)
    step = call.press("12#")
    assert kinds(step) == ["key", "invalid"]
    assert play_of(step).media == ("sound:bad-account", "sound:enter-account")
    call.finish_play()
    step = call.press("1#")
    assert "fallback" in kinds(step)
    assert nodes_entered(step) == ["operator"]
    assert "account" not in call.ivr.variables


def test_collect_interdigit_timeout_completes_when_long_enough(graph: IvrGraph) -> None:
    call = collect_account(graph)
    step = call.press("98765")
    timer = [a for a in step.actions if isinstance(a, StartDigitTimer)][-1]
    step = call.ivr.feed(TimerExpired(NOW, timer.token))
    assert call.ivr.variables["account"] == "98765"


def test_collect_pattern(graph: IvrGraph) -> None:
    call = Call(graph)
    call.at_menu()
    call.press("2")
    call.finish_play()
    step = call.press("123#")
    assert "invalid" in kinds(step)
    call.finish_play()
    step = call.press("021#")
    assert call.ivr.variables["area"] == "021"
    assert next(a for a in step.actions if isinstance(a, DoLookup)).url == \
        "http://svc.test/outage/021"


def test_lookup_success_says_the_value(graph: IvrGraph) -> None:
    call = collect_account(graph)
    step = call.press("12345#")
    lookup = next(a for a in step.actions if isinstance(a, DoLookup))
    wait = play_of(step)
    assert wait.media == ("sound:please-wait",)
    assert call.ivr.phase is Phase.LOOKING_UP
    assert call.press("5") == Step()  # keys are ignored while the service answers
    step = call.ivr.feed(LookupSucceeded(NOW, lookup.token, {"balance": "128", "x": "y"}))
    assert step.actions[0] == StopPlayback(wait.token)
    assert kinds(step) == ["lookup_ok"]
    assert play_of(step).media == ("sound:your-balance", "number:128", "sound:yuan")
    assert call.ivr.variables["balance"] == "128"
    call.last = step
    assert nodes_entered(call.finish_play()) == ["operator"]


def test_lookup_failure_goes_to_the_spoken_fallback(graph: IvrGraph) -> None:
    call = collect_account(graph)
    step = call.press("12345#")
    lookup = next(a for a in step.actions if isinstance(a, DoLookup))
    step = call.ivr.feed(LookupFailed(NOW, lookup.token, "timeout"))
    assert kinds(step)[:2] == ["lookup_failed", "entered"]
    assert step.trail[0].detail == {"reason": "timeout"}
    assert nodes_entered(step) == ["balance_down"]
    assert play_of(step).media == ("sound:service-down",)
    # A late answer to the same request is ignored.
    assert call.ivr.feed(LookupSucceeded(NOW, lookup.token, {"balance": "1"})) == Step()


def test_lookup_missing_field_is_a_failure(graph: IvrGraph) -> None:
    call = collect_account(graph)
    lookup = next(a for a in call.press("12345#").actions if isinstance(a, DoLookup))
    step = call.ivr.feed(LookupSucceeded(NOW, lookup.token, {"amount": "1"}))
    assert step.trail[0].detail == {"reason": "missing field balance"}
    assert nodes_entered(step) == ["balance_down"]


def test_lookup_url_escapes_variables(graph: IvrGraph) -> None:
    call = Call(graph)
    call.at_menu()
    call.press("1")
    call.finish_play()
    step = call.press("12*4#")
    lookup = next(a for a in step.actions if isinstance(a, DoLookup))
    assert lookup.url == "http://svc.test/balance?account=12%2A4"


def test_lookup_choice_prompt_by_value(graph: IvrGraph) -> None:
    call = Call(graph)
    call.at_menu()
    call.press("2")
    call.finish_play()
    lookup = next(a for a in call.press("021#").actions if isinstance(a, DoLookup))
    step = call.ivr.feed(LookupSucceeded(NOW, lookup.token, {"status": "fault"}))
    assert play_of(step).media == ("sound:fault-outage",)


@pytest.mark.parametrize(("now", "node"), [
    (at(10), "hello"),            # Wednesday, open
    (at(7, 59), "closed"),        # before opening
    (at(18), "closed"),           # end is exclusive
    (at(10, day=14), "closed"),   # Saturday
    (at(10, day=1, month=10), "closed"),  # holiday (a Wednesday)
    (datetime.datetime(2025, 6, 11, 1, 0, tzinfo=datetime.UTC), "hello"),  # 09:00 Shanghai
    (datetime.datetime(2025, 6, 10, 23, 0, tzinfo=datetime.UTC), "closed"),  # 07:00 Shanghai
])
def test_condition_by_time_and_holiday(graph: IvrGraph, now: datetime.datetime,
                                       node: str) -> None:
    call = Call(graph, now=now)
    assert nodes_entered(call.last)[1] == node
    branch = call.last.trail[1]
    assert branch.kind == "branch"


def test_closed_plays_then_hangs_up(graph: IvrGraph) -> None:
    call = Call(graph, now=at(22))
    assert play_of(call.last).media == ("sound:closed",)
    step = call.finish_play()
    assert step.actions == (Hangup("ivr_hangup"),)
    assert call.ivr.done


def test_vip_by_number_takes_vip_branch_even_when_closed(graph: IvrGraph) -> None:
    call = Call(graph, caller="13800000001", now=at(22))
    assert call.ivr.caller_class == "vip"
    assert nodes_entered(call.last) == ["start", "vip_hello"]
    assert call.last.trail[0].kind == "caller_class"


def test_vip_by_account_entered_in_the_ivr(graph: IvrGraph) -> None:
    call = collect_account(graph)
    step = call.press("31000001#")
    assert "caller_class" in kinds(step)
    assert call.ivr.caller_class == "vip"
    assert nodes_entered(step) == ["account_check", "vip_queue"]
    enter = next(a for a in step.actions if isinstance(a, EnterQueue))
    assert (enter.queue, enter.priority, enter.skills) == ("billing", "vip", (("billing", 4),))
    assert enter.variables["account"] == "31000001"


def test_agent_end_offers_survey_and_records_score(graph: IvrGraph) -> None:
    call = Call(graph)
    call.at_menu()
    call.press("0")
    assert call.ivr.feed(Digit(NOW, "5")) == Step()  # queue keys belong to the ACD
    call.last = call.ivr.feed(AgentSideEnded(NOW))
    assert kinds(call.last)[:2] == ["agent_ended", "entered"]
    assert play_of(call.last).media == ("sound:rate",)
    step = call.press("4")
    assert RecordSurvey("survey", 4) in step.actions
    assert play_of(step).media == ("sound:thanks",)
    step = call.finish_play()
    assert step.actions == (Hangup("survey_done"),)
    assert call.ivr.done


def test_survey_without_answer(graph: IvrGraph) -> None:
    call = Call(graph)
    call.at_menu()
    call.press("0")
    call.last = call.ivr.feed(AgentSideEnded(NOW))
    step = call.press("9")
    assert kinds(step) == ["key", "invalid"]
    step = call.press("0")  # barge-in on the reprompt; the second failure ends the survey
    assert RecordSurvey("survey", None) in step.actions
    assert Hangup("survey_unanswered") in step.actions
    assert call.ivr.done


def test_notices_played_before_menu(graph: IvrGraph) -> None:
    call = Call(graph, notices=("sound:/var/lib/acd/notices/n1", "sound:/var/lib/acd/notices/n2"))
    call.at_menu()
    step = call.press("3")
    assert step.trail[-1].kind == "notices" and step.trail[-1].detail == {"count": "2"}
    assert play_of(step).media == ("sound:notices-intro", "sound:/var/lib/acd/notices/n1",
                                   "sound:/var/lib/acd/notices/n2")
    assert nodes_entered(call.finish_play()) == ["main"]


def test_no_notices(graph: IvrGraph) -> None:
    call = Call(graph)
    call.at_menu()
    assert play_of(call.press("3")).media == ("sound:no-notices",)


def test_callback_voicemail_transfer(graph: IvrGraph) -> None:
    call = Call(graph, caller="13912345678")
    call.at_menu()
    step = call.press("4")
    assert RequestCallback("faults", "13912345678", call.ivr.variables) in step.actions
    assert play_of(step).media == ("sound:will-call-back",)
    assert call.finish_play().actions == (Hangup("callback_requested"),)

    call = Call(graph)
    call.at_menu()
    call.press("5")
    assert call.finish_play().actions == (Voicemail("complaints", 60),)
    assert call.ivr.done

    call = Call(graph)
    call.at_menu()
    step = call.press("6")
    assert Transfer("+862112345678") in step.actions
    assert call.ivr.done


def test_caller_hangup_ends_everything(graph: IvrGraph) -> None:
    call = Call(graph)
    step = call.ivr.feed(CallerHungUp(NOW))
    assert kinds(step) == ["caller_hung_up"]
    assert call.ivr.done
    assert call.ivr.feed(PlaybackFinished(NOW, play_of(call.last).token)) == Step()
    assert call.ivr.feed(Digit(NOW, "1")) == Step()


def test_started_twice_is_a_bug(graph: IvrGraph) -> None:
    from ivr.interpreter import IvrError

    call = Call(graph)
    with pytest.raises(IvrError):
        call.ivr.feed(Started(NOW, "1", "2"))


def test_loop_without_waiting_hangs_up(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(textwrap.dedent("""\
        entry: a
        nodes:
          a: {kind: notices, next: b}
          b:
            kind: condition
            branches: [{when: {caller_class: normal}, goto: a}]
            else: a
        """), encoding="utf-8")
    step = Interpreter(load_ivr_file(path)).feed(Started(NOW, "1"))
    assert step.actions == (Hangup("ivr_loop"),)
    assert "loop" in kinds(step)
