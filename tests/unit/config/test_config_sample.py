"""The sample hotline.yaml loads, and the values it sets arrive in the config object."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from acd.config import Config, ConfigError, Overflow, Strategy, WhenNoAgents, load_config
from ivr.model import LookupNode, MenuNode, QueueNode

SAMPLE = Path(__file__).resolve().parents[3] / "hotline.yaml"
ENV = {"ARI_PASSWORD": "ari-pw-9f1c", "ACD_DSN": "postgresql://acd:db-pw-77e2@db/acd"}


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(SAMPLE, ENV)


def test_sample_loads_without_warnings(config: Config) -> None:
    assert config.warnings == ()
    assert config.hotline.numbers == ("95598", "9000")
    assert config.hotline.entry == "start"
    assert config.hotline.app == config.ari.app == "acd-hotline"


def test_sample_roster(config: Config) -> None:
    assert [a.endpoint for a in config.agents] == [f"PJSIP/100{i}" for i in range(1, 7)]
    assert config.agent("1003").dedicated
    assert config.agent("1001").proficiency("fault") == 5
    assert config.agent("1001").proficiency("billing") == 0
    assert config.agent("1001").pin.reveal() == "7301"
    assert config.teams == {"faults", "billing", "service", "quality"}


def test_sample_queues(config: Config) -> None:
    assert [q.name for q in config.queues] == [
        "faults", "billing", "service", "complaints", "operator"]
    faults = config.queue("faults")
    assert faults.strategy is Strategy.LONGEST_IDLE
    assert faults.skills[0].skill == "fault" and faults.skills[0].min_proficiency == 2
    assert [(s.after, s.min_proficiency, s.team) for s in faults.relax] == [
        (30.0, 1, None), (90.0, None, "service")]
    assert faults.overflow == Overflow("callback")
    assert faults.announce.every == 45
    assert faults.rona_pause_after == 2
    assert config.queue("billing").overflow == Overflow("queue", "operator")
    assert config.queue("operator").when_no_agents is WhenNoAgents.BLOCK
    assert config.queue("service").strategy is Strategy.BEST_SKILL


def test_sample_priorities_vip_and_codes(config: Config) -> None:
    assert config.priorities == ("vip", "green_channel", "normal")
    assert config.priority_rank("vip") == 0
    assert "13800000001" in config.vip.numbers
    assert "3100000001" in config.vip.accounts
    assert (config.feature_codes.login, config.feature_codes.logout) == ("*11", "*14")
    assert config.report.ring_cadence_seconds == 5


def test_sample_ivr_menu(config: Config) -> None:
    menu = config.ivr.node("main_menu")
    assert isinstance(menu, MenuNode)
    assert dict(menu.choices) == {"1": "fault_menu", "2": "billing_menu", "3": "service_queue",
                                  "4": "complaints_hours", "0": "operator_queue"}
    assert menu.fallback == "operator_queue"
    lookup = config.ivr.node("outage_lookup")
    assert isinstance(lookup, LookupNode) and lookup.url_variables == ("area",)
    queue = config.ivr.node("faults_queue")
    assert isinstance(queue, QueueNode) and queue.after == "survey"
    langs = {p.lang for p in config.ivr.text_prompts()}
    assert langs == {"zh", "en"}
    assert config.ivr.timezone == "Asia/Shanghai"


def test_secrets_never_in_repr_or_str(config: Config) -> None:
    assert config.ari.password.reveal() == "ari-pw-9f1c"
    assert config.database.dsn.reveal() == ENV["ACD_DSN"]
    for text in (repr(config), str(config), repr(config.ari), str(config.ari.password),
                 repr(config.database), repr(config.agents), f"{config.ari.password}"):
        assert "ari-pw-9f1c" not in text
        assert "db-pw-77e2" not in text
        assert "7301" not in text


def test_config_is_frozen(config: Config) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.hotline = config.hotline  # type: ignore[misc]


def test_missing_secrets_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(SAMPLE, {})
    message = str(caught.value)
    assert "environment variable ARI_PASSWORD is not set" in message
    assert "ACD_DSN" in message
    assert message.startswith("2 problems")


def test_secrets_optional_for_tools() -> None:
    config = load_config(SAMPLE, {}, require_secrets=False)
    assert not config.ari.password
    assert len(config.agents) == 6


def test_dsn_from_file_when_env_unset(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "  dsn_env: ACD_DSN\n", "  dsn_env: ACD_DSN\n  dsn: postgresql://acd@localhost/acd\n")
    path = tmp_path / "hotline.yaml"
    path.write_text(text, encoding="utf-8")
    config = load_config(path, {"ARI_PASSWORD": "x"})
    assert config.database.dsn.reveal() == "postgresql://acd@localhost/acd"
    config = load_config(path, {"ARI_PASSWORD": "x", "ACD_DSN": "postgresql://env/db"})
    assert config.database.dsn.reveal() == "postgresql://env/db"
