"""IVR validation: references, entry, reachability, variables, loops and each kind's fields."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from acd.config_yaml import ConfigError, Problems, load_yaml_file
from ivr.loader import IvrContext, load_ivr_file, read_ivr
from ivr.model import CollectNode, MenuNode, SoundPrompt, TextPrompt


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ivr.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_ivr_file(path, IvrContext(base_dir=tmp_path, queues=frozenset({"q1"})))
    return [p.removeprefix(f"{path}:") for p in caught.value.problems]


def warnings(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    problems = Problems()
    root = load_yaml_file(path, problems)
    assert root is not None
    read_ivr(root.child(root.node.value[1][1], "ivr"),
             IvrContext(base_dir=tmp_path, entry="a"))
    assert problems.errors == []
    return [w.removeprefix(f"{path}:") for w in problems.warnings]


def test_unreachable_node_is_a_warning(tmp_path: Path) -> None:
    found = warnings(tmp_path, """\
        entry: a
        ivr:
          nodes:
            a: {kind: hangup}
            orphan: {kind: hangup, prompt: sound:bye}
        """)
    assert found == ["5: ivr.nodes.orphan: node 'orphan' cannot be reached from the entry node 'a'"]


def test_entry_must_exist(tmp_path: Path) -> None:
    assert errors(tmp_path, "entry: strat\nnodes:\n  start: {kind: hangup}\n") == [
        "1: entry: the entry node 'strat' is not defined (did you mean 'start'?)"]


def test_entry_is_required(tmp_path: Path) -> None:
    assert errors(tmp_path, "nodes:\n  start: {kind: hangup}\n") == [
        "1: no entry node: set hotline.entry to the first node of the IVR"]


def test_each_kind_checks_its_fields(tmp_path: Path) -> None:
    found = errors(tmp_path, """\
        entry: m
        nodes:
          m:
            kind: menu
            prompt: hello.wav
            choices: {"1": c}
            timeout: soon
          c:
            kind: collect
            prompt: sound:x
            variable: my var
            min_length: 5
            max_length: 2
            next: m
            on_invalid: m
          q:
            kind: queue
            queue: nowhere
            skills: {billing: 9}
          w:
            kind: wait
        """)
    assert found == [
        "5: nodes.m.prompt: expected a prompt: 'sound:NAME', 'file:PATH', 'text:WORDS', "
        "{text: WORDS, lang: zh|en} or {zh: ..., en: ...}, got 'hello.wav'",
        "3: nodes.m: missing key 'fallback' (where to go after too many invalid tries)",
        "7: nodes.m.timeout: expected a number, got 'soon'",
        "11: nodes.c.variable: expected a variable name (letters, digits, _), got 'my var'",
        "8: nodes.c: max_length (2) is less than min_length (5)",
        "18: nodes.q.queue: expected a queue from 'queues' (q1), got 'nowhere'",
        "19: nodes.q.skills.billing: expected a number from 1 to 5, got 9",
        "21: nodes.w.kind: expected one of play, menu, collect, condition, lookup, notices, "
        "queue, callback, voicemail, transfer, hangup, survey, got 'wait'",
    ]


def test_unknown_variable_in_lookup(tmp_path: Path) -> None:
    found = errors(tmp_path, """\
        entry: l
        nodes:
          l:
            kind: lookup
            url: http://svc/x?acct={acount}
            say: [{say: balance, as: money}]
            next: h
            on_failure: h
          h: {kind: hangup}
        """)
    assert found == [
        "6: nodes.l.say[0].as: expected one of digits, number, characters, got 'money'",
        "6: nodes.l.say[0].say: variable 'balance' is never set by a collect or lookup node "
        "(known: caller, caller_class, dialled)",
        "5: nodes.l.url: variable 'acount' is never set by a collect or lookup node "
        "(known: caller, caller_class, dialled)",
    ]


def test_condition_loop_is_an_error(tmp_path: Path) -> None:
    found = errors(tmp_path, """\
        entry: a
        nodes:
          a:
            kind: condition
            branches: [{when: {holiday: true}, goto: b}]
            else: h
          b:
            kind: condition
            branches: [{when: {schedule: [{days: mon-fri, hours: "8:00-18:00"}]}, goto: a}]
            else: h
          h: {kind: hangup}
        """)
    assert found == ["3: nodes.a: conditions loop without waiting for the caller: a -> b -> a"]


def test_condition_test_fields(tmp_path: Path) -> None:
    found = errors(tmp_path, """\
        entry: a
        nodes:
          a:
            kind: condition
            branches:
              - when: {schedule: [{days: weekdays, hours: "8-18"}], caller_class: gold}
                goto: h
              - when: {variable: {name: caller, equals: "1", empty: true}}
                goto: h
            else: h
          h: {kind: hangup}
        """)
    assert found == [
        "6: nodes.a.branches[0].when.schedule[0].days: expected days such as 'mon-fri', "
        "'sat,sun' or 'daily', got 'weekdays'",
        "6: nodes.a.branches[0].when.schedule[0].hours: expected hours as 'HH:MM-HH:MM' "
        "(24-hour clock), got '8-18'",
        "6: nodes.a.branches[0].when.caller_class: expected a caller class (vip, "
        "green_channel, normal), got 'gold'",
        "8: nodes.a.branches[1].when.variable: expected exactly one of equals, in, matches, "
        "empty, set",
    ]


def test_prompt_forms(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        entry: m
        prompts: {dir: /srv/prompts, voices: {zh: cmn, en: en-us}}
        nodes:
          m:
            kind: menu
            prompt:
              - sound:welcome
              - file:/srv/custom/intro.wav
              - text:Hello
              - {text: 你好, lang: zh}
              - {zh: 请按1, en: Press 1}
            choices: {"1": c}
            fallback: c
          c:
            kind: collect
            prompt: sound:x
            variable: pin
            terminator: none
            next: m
            on_invalid: m
        """)
    graph = load_ivr_file(path)
    menu = graph.node("m")
    assert isinstance(menu, MenuNode)
    assert menu.prompt[0] == SoundPrompt("welcome")
    assert [p.uri for p in menu.prompt[:2]] == ["sound:welcome", "sound:/srv/custom/intro"]
    texts = [p for p in menu.prompt if isinstance(p, TextPrompt)]
    assert [(p.text, p.lang, p.voice) for p in texts] == [
        ("Hello", "zh", "cmn"), ("你好", "zh", "cmn"), ("请按1", "zh", "cmn"),
        ("Press 1", "en", "en-us")]
    assert texts[0].uri == f"sound:/srv/prompts/{texts[0].stem}"
    collect = graph.node("c")
    assert isinstance(collect, CollectNode) and collect.terminator == ""
