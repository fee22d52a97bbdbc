"""The hotline configuration: one frozen `Config` read from YAML (secrets from the environment)
and validated at load. Every mistake is reported at once in one `ConfigError`, each line naming
the file, the line, the key path and what was expected."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from acd.config_model import (
    AgentConfig,
    AnnounceConfig,
    AriConfig,
    DatabaseConfig,
    FeatureCodes,
    HotlineConfig,
    Overflow,
    QueueConfig,
    RecordingConfig,
    RelaxStep,
    ReportConfig,
    Secret,
    SkillRequirement,
    Strategy,
    VipConfig,
    WhenNoAgents,
)
from acd.config_sections import (
    Secrets,
    read_agents,
    read_ari,
    read_database,
    read_feature_codes,
    read_hotline,
    read_priorities,
    read_queues,
    read_recording,
    read_report,
    read_vip,
)
from acd.config_yaml import ConfigError, Problems, load_yaml_file
from ivr.loader import IvrContext, read_ivr
from ivr.model import CallerRules, IvrGraph

__all__ = [
    "AgentConfig",
    "AnnounceConfig",
    "AriConfig",
    "Config",
    "ConfigError",
    "DatabaseConfig",
    "FeatureCodes",
    "HotlineConfig",
    "Overflow",
    "QueueConfig",
    "RecordingConfig",
    "RelaxStep",
    "ReportConfig",
    "Secret",
    "SkillRequirement",
    "Strategy",
    "VipConfig",
    "WhenNoAgents",
    "load_config",
]

log = logging.getLogger(__name__)

SECTIONS = ("ari", "database", "hotline", "agents", "queues", "priorities", "vip",
            "feature_codes", "recording", "report", "ivr")


@dataclass(frozen=True)
class Config:
    source: Path
    ari: AriConfig
    database: DatabaseConfig
    hotline: HotlineConfig
    agents: tuple[AgentConfig, ...]
    queues: tuple[QueueConfig, ...]
    priorities: tuple[str, ...]
    vip: VipConfig
    feature_codes: FeatureCodes
    recording: RecordingConfig
    report: ReportConfig
    ivr: IvrGraph
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def queue(self, name: str) -> QueueConfig:
        return next(q for q in self.queues if q.name == name)

    def agent(self, agent_id: str) -> AgentConfig:
        return next(a for a in self.agents if a.id == agent_id)

    @property
    def teams(self) -> frozenset[str]:
        return frozenset(a.team for a in self.agents)

    def priority_rank(self, caller_class: str) -> int:
        """0 for the highest class."""
        return self.priorities.index(caller_class)


def load_config(path: str | os.PathLike[str], env: Mapping[str, str] | None = None, *,
                require_secrets: bool = True) -> Config:
    """Read and check `path`. Raises ConfigError listing every problem found.

    `env` defaults to the process environment. With `require_secrets` off, missing passwords
    and DSN are not errors (for tools that only need the menus or the roster)."""
    source = Path(path)
    problems = Problems()
    secrets = Secrets(os.environ if env is None else env, require_secrets)
    root = load_yaml_file(source, problems)
    top = root.as_map() if root is not None else None
    if root is None or top is None:
        problems.raise_if_any()
        raise ConfigError([f"{source}: expected a mapping of sections"])
    base_dir = source.parent.resolve()

    ari = read_ari(top.section("ari"), secrets, top)
    database = read_database(top.section("database"), secrets, base_dir, root)
    hotline, entry_value = read_hotline(top.section("hotline"), ari, root)
    agents = read_agents(top.get("agents"), secrets)
    teams = frozenset(a.team for a in agents)
    skills = frozenset(skill for a in agents for skill, _ in a.skills)
    queues = read_queues(top.get("queues"), teams, skills)
    priorities = read_priorities(top.get("priorities"))
    vip = read_vip(top.section("vip"), priorities)
    callers = CallerRules(priorities[-1], vip.caller_class, vip.numbers, vip.accounts)
    ivr_context = IvrContext(base_dir, hotline.entry or None, entry_value,
                             frozenset(q.name for q in queues), skills, priorities, callers)
    ivr_value = top.get("ivr")
    graph = read_ivr(ivr_value, ivr_context)
    if ivr_value is None:
        root.error("missing section 'ivr' (the menus)")
    feature_codes = read_feature_codes(top.section("feature_codes"))
    recording = read_recording(top.section("recording"), base_dir)
    report = read_report(top.section("report"))
    if not agents:
        root.warn("no agents in the roster")
    top.finish()

    problems.raise_if_any()
    assert graph is not None
    for warning in problems.warnings:
        log.warning("%s", warning)
    return Config(source, ari, database, hotline, agents, queues, priorities, vip,
                  feature_codes, recording, report, graph, tuple(problems.warnings))
