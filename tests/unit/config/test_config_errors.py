"""Each kind of mistake is reported with file, line, key path and what was expected — all of
them at once, in one ConfigError."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from acd.config import ConfigError, load_config

ENV = {"ARI_PASSWORD": "pw", "ACD_DSN": "postgresql://acd@localhost/acd"}

BASE = """\
hotline:
  numbers: ["95598"]
  entry: menu
agents:
  - id: "1001"
    name: A
    endpoint: PJSIP/1001
    team: t1
    skills: {billing: 3}
    pin: "1234"
queues:
  billing:
    skills: {billing: 2}
    strategy: longest_idle
ivr:
  nodes:
    menu:
      kind: menu
      prompt: sound:hello-world
      choices: {"1": q}
      fallback: q
    q:
      kind: queue
      queue: billing
"""


def write(tmp_path: Path, text: str, name: str = "hotline.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(path: Path, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, ENV if env is None else env)
    return list(caught.value.problems)


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_base_is_valid(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, BASE), ENV)
    assert config.queue("billing").skills[0].min_proficiency == 2


def test_bad_choice_names_file_line_key_and_options(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("strategy: longest_idle", "strategy: fastest"))
    line = line_of(path, "fastest")
    assert problems(path) == [
        f"{path}:{line}: queues.billing.strategy: expected one of longest_idle, fewest_calls, "
        "least_talk_time, round_robin, linear, random, best_skill, ring_all, got 'fastest'"
    ]


def test_relative_path_is_named_as_given(tmp_path: Path) -> None:
    write(tmp_path, BASE.replace("strategy: longest_idle", "strategy: fastest"))
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        found = problems(Path("hotline.yaml"))
    finally:
        os.chdir(cwd)
    assert found[0].startswith("hotline.yaml:14: queues.billing.strategy: expected one of")


def test_several_errors_reported_together(tmp_path: Path) -> None:
    text = (BASE.replace("strategy: longest_idle", "strategy: fastest\n    wrap_up: soon")
            .replace("{billing: 3}", "{billing: 7}")
            .replace("endpoint: PJSIP/1001", "endpoint: 1001"))
    path = write(tmp_path, text)
    found = problems(path, {})
    joined = "\n".join(found)
    assert f"{path}:{line_of(path, 'billing: 7')}: agents[0].skills.billing: expected a number " \
           "from 1 to 5, got 7" in found
    assert f"{path}:{line_of(path, 'endpoint')}: agents[0].endpoint: expected a channel " \
           "endpoint such as PJSIP/1001, got '1001'" in found
    assert f"{path}:{line_of(path, 'wrap_up')}: queues.billing.wrap_up: expected a number, " \
           "got 'soon'" in found
    assert "queues.billing.strategy: expected one of" in joined
    assert "ARI_PASSWORD is not set" in joined
    assert len(found) == 6  # the five above and the missing DSN
    message = str(ConfigError(found))
    assert message.startswith("6 problems in the configuration:")


def test_unknown_key_suggests_the_close_one(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("strategy: longest_idle", "stratgy: longest_idle"))
    assert problems(path) == [
        f"{path}:14: queues.billing.stratgy: unknown key (did you mean 'strategy'?)"]


def test_unknown_section(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "recordings:\n  enabled: true\n")
    assert problems(path) == [
        f"{path}:{line_of(path, 'recordings')}: recordings: unknown key "
        "(did you mean 'recording'?)"]


def test_missing_required_key(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace('    pin: "1234"\n', ""))
    assert problems(path) == [
        f"{path}:5: agents[0]: missing key 'pin' (the login PIN, 4 to 8 digits)"]


def test_pin_keeps_leading_zero_and_checks_length(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, BASE.replace('pin: "1234"', "pin: 0123")), ENV)
    assert config.agents[0].pin.reveal() == "0123"
    path = write(tmp_path, BASE.replace('pin: "1234"', "pin: 12"))
    assert problems(path) == [
        f"{path}:10: agents[0].pin: expected a PIN of 4 to 8 digits, got 2 digits"]


def test_endpoints_pjsip_or_local_with_options(tmp_path: Path) -> None:
    local = BASE.replace("endpoint: PJSIP/1001", "endpoint: Local/1001@bench-agent/n")
    assert load_config(write(tmp_path, local), ENV).agents[0].endpoint == \
        "Local/1001@bench-agent/n"
    for bad in ("PJSIP/1001/n", "Local/1001@ctx/n/x", "pjsip 1001"):
        path = write(tmp_path, BASE.replace("endpoint: PJSIP/1001", f"endpoint: {bad}"))
        assert problems(path) == [f"{path}:7: agents[0].endpoint: expected a channel "
                                  f"endpoint such as PJSIP/1001, got {bad!r}"]


def test_overflow_target_must_exist(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("strategy: longest_idle",
                                        "max_wait: 60\n    overflow: billng"))
    assert problems(path) == [
        f"{path}:15: queues.billing.overflow: expected a queue name, callback or voicemail, "
        "got 'billng'"]


def test_max_wait_needs_overflow_and_relax_needs_order(tmp_path: Path) -> None:
    text = BASE.replace("strategy: longest_idle", textwrap.dedent("""\
        max_wait: 60
            relax:
              - {after: 60, min_proficiency: 1}
              - {after: 30, team: nobody}"""))
    path = write(tmp_path, text)
    found = problems(path)
    queue_line = line_of(path, "  billing:")
    assert f"{path}:{queue_line}: queues.billing: max_wait is set but overflow is not " \
           "(a queue, callback or voicemail)" in found
    assert f"{path}:17: queues.billing.relax[1].team: expected a team of the roster (t1), " \
           "got 'nobody'" in found
    assert f"{path}:17: queues.billing.relax[1]: relax steps must come in order of 'after' " \
           "(30 follows 60)" in found


def test_duplicate_keys_and_agents(tmp_path: Path) -> None:
    agent = BASE[BASE.index("  - id"):BASE.index("queues:")]
    text = BASE.replace("queues:", agent + "queues:").replace(
        "    strategy: longest_idle", "    strategy: longest_idle\n    weight: 2\n    weight: 3")
    path = write(tmp_path, text)
    found = problems(path)
    assert f"{path}:11: agents[1]: agent id '1001' is also used on line 5" in found
    assert f"{path}:11: agents[1]: agent endpoint 'PJSIP/1001' is also used on line 5" in found
    assert any(p.endswith("queues.billing.weight: duplicate key (first given on line 21)")
               for p in found)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("  entry: menu", "  entry: [menu"))
    found = problems(path)
    assert len(found) == 1
    assert found[0].startswith(f"{path}:4: invalid YAML:")


def test_missing_file(tmp_path: Path) -> None:
    found = problems(tmp_path / "nope.yaml")
    assert found == [f"{tmp_path / 'nope.yaml'}: cannot read the file (No such file or directory)"]


def test_ari_password_must_not_be_in_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "ari:\n  password: hunter2\n" + BASE)
    found = problems(path)
    assert found == [f"{path}:2: ari.password: expected no password in the file: name an "
                     "environment variable with password_env"]
    assert "hunter2" not in "\n".join(found)


def test_feature_codes_must_not_overlap(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + 'feature_codes:\n  pause: "*1"\n  ready: "9x"\n')
    found = problems(path)
    assert f"{path}:{line_of(path, 'ready')}: feature_codes.ready: expected a feature code " \
           "such as *11, got '9x'" in found
    codes_line = line_of(path, "feature_codes:")
    assert f"{path}:{codes_line}: feature_codes: feature codes login (*11) and pause (*1) " \
           "overlap" in found
    assert f"{path}:{codes_line}: feature_codes: feature codes pause (*1) and logout (*14) " \
           "overlap" in found
    assert len(found) == 3


def test_vip_class_must_be_a_priority(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "priorities: [gold, normal]\nvip:\n  class: vip\n")
    assert problems(path) == [
        f"{path}:{line_of(path, 'class: vip')}: vip.class: expected a class from priorities "
        "(gold, normal), got 'vip'"]


def test_ivr_errors_in_a_node_file_name_that_file(tmp_path: Path) -> None:
    nodes = write(tmp_path, """\
        nodes:
          menu:
            kind: menu
            prompt: sound:hello-world
            choices: {"1": q, "22": q}
            fallback: qq
          q:
            kind: queue
            queue: billing
            priority: platinum
        """, name="menus.yaml")
    text = BASE[:BASE.index("ivr:")] + "ivr:\n  files: [menus.yaml]\n"
    path = write(tmp_path, text)
    found = problems(path)
    assert f"{nodes}:5: nodes.menu.choices.22: expected a single DTMF key " \
           "(one of 0123456789*#), got '22'" in found
    assert f"{nodes}:6: nodes.menu.fallback: expected the name of a node, got 'qq' " \
           "(did you mean 'q'?)" in found
    assert f"{nodes}:10: nodes.q.priority: expected one of caller, vip, green_channel, " \
           "normal, got 'platinum'" in found
    assert len(found) == 3


def test_missing_node_file(tmp_path: Path) -> None:
    text = BASE[:BASE.index("ivr:")] + "ivr:\n  files: [menus.yaml]\n"
    path = write(tmp_path, text)
    found = problems(path)
    assert found[0] == f"{tmp_path / 'menus.yaml'}: cannot read the file (No such file or " \
                       "directory)"
    assert found[1] == f"{path}:{line_of(path, 'files')}: ivr.files[0]: the node file " \
                       "'menus.yaml' could not be read (see above)"


def test_error_message_has_no_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("strategy: longest_idle", "strategy: 3"))
    with pytest.raises(ConfigError) as caught:
        load_config(path, ENV)
    assert "Traceback" not in str(caught.value)
    assert str(caught.value).splitlines()[1].startswith(f"  {path}:14: queues.billing.strategy")
