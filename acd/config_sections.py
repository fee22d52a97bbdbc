"""Readers for each top-level section; each records its problems and returns a value anyway."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
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
from acd.config_yaml import MapReader, Value

__all__ = [
    "DEFAULT_PRIORITIES",
    "Secrets",
    "read_agents",
    "read_ari",
    "read_database",
    "read_feature_codes",
    "read_hotline",
    "read_priorities",
    "read_queues",
    "read_recording",
    "read_report",
    "read_vip",
]

DEFAULT_PRIORITIES = ("vip", "green_channel", "normal")
OVERFLOW_SPECIAL = ("callback", "voicemail")
# A Local channel may carry its options (`/n`: never optimised away).
_ENDPOINT = re.compile(r"^((PJSIP|SIP|IAX2)/[\w.@+-]+|Local/[\w.@+-]+(/[a-z]+)?)$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Secrets:
    """Where secrets come from; with `required` off a missing one is not an error (tools that
    only read menus or prompts run without the passwords)."""

    env: Mapping[str, str]
    required: bool = True

    def from_env(self, name_value: Value | None, name: str, what: str,
                 anchor: MapReader) -> Secret:
        if not _ENV_NAME.match(name):
            (name_value or anchor.value).expected("an environment variable name")
            return Secret("")
        value = self.env.get(name, "")
        if not value and self.required:
            target = name_value or anchor.value
            target.error(f"environment variable {name} is not set (it holds {what})")
        return Secret(value)


def read_ari(r: MapReader | None, secrets: Secrets, anchor: MapReader) -> AriConfig:
    if r is None:
        default = AriConfig()
        password = secrets.from_env(None, default.password_env, "the ARI password", anchor)
        return AriConfig(password=password)
    url = r.text("url", AriConfig.url)
    if not url.startswith(("http://", "https://")):
        url_value = r.get("url")
        if url_value is not None:
            url_value.error(f"expected an http:// or https:// URL, got {url!r}")
    if "@" in url.split("//", 1)[-1].split("/", 1)[0]:
        r.error("ari.url must not carry credentials; use user and password_env")
    env_name = r.text("password_env", AriConfig.password_env)
    if "password" in r:
        password_value = r.get("password")
        assert password_value is not None
        password_value.error("expected no password in the file: name an environment "
                             "variable with password_env")
    password = secrets.from_env(r.get("password_env"), env_name, "the ARI password", r)
    result = AriConfig(url.rstrip("/"), r.text("user", AriConfig.user),
                       r.text("app", AriConfig.app), env_name, password)
    r.finish()
    return result


def read_database(r: MapReader | None, secrets: Secrets, base_dir: Path,
                  anchor: Value) -> DatabaseConfig:
    dsn_env = "ACD_DSN" if r is None else r.text("dsn_env", "ACD_DSN")
    dsn = secrets.env.get(dsn_env, "")
    spool = Path("spool")
    if r is not None:
        file_dsn = r.text("dsn", "")
        dsn = dsn or file_dsn
        spool = Path(r.text("spool_dir", "spool"))
        r.finish()
    if not dsn and secrets.required:
        (r.value if r is not None else anchor).error(
            f"no database: set database.dsn or the environment variable {dsn_env}"
        )
    if dsn and not dsn.startswith(("postgres://", "postgresql://")):
        target = r.get("dsn") if r is not None and "dsn" in r else None
        (target or anchor).error(
            f"expected a PostgreSQL DSN (postgresql://user@host/db) in "
            f"{'database.dsn' if target else dsn_env}"
        )
    spool = spool if spool.is_absolute() else base_dir / spool
    return DatabaseConfig(Secret(dsn), dsn_env, spool)


def read_hotline(r: MapReader | None, ari: AriConfig, anchor: Value) -> tuple[HotlineConfig,
                                                                              Value | None]:
    if r is None:
        anchor.error("missing section 'hotline' (numbers, entry)")
        return HotlineConfig((), ari.app, ""), None
    numbers = []
    for item in r.values("numbers"):
        numbers.append(item.as_digits("a dialled number", allowed="0123456789*#+"))
    if not numbers:
        r.error("missing key 'numbers' (the number(s) callers dial)")
    entry_value = r.require("entry", "the first IVR node")
    entry = entry_value.as_str() if entry_value is not None else ""
    result = HotlineConfig(tuple(numbers), r.text("app", ari.app), entry,
                           r.text("name", "hotline"))
    r.finish()
    return result, entry_value


def read_priorities(value: Value | None) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_PRIORITIES
    names: list[str] = []
    for item in value.as_list():
        name = item.as_str()
        if not name.isidentifier():
            item.expected("a class name (letters, digits, _)")
        elif name in names:
            item.error(f"class {name!r} is listed twice")
        names.append(name)
    if not names:
        value.error("expected at least one caller class, highest priority first")
        return DEFAULT_PRIORITIES
    return tuple(names)


def read_vip(r: MapReader | None, classes: tuple[str, ...]) -> VipConfig:
    if r is None:
        return VipConfig(caller_class=classes[0])
    caller_class = r.text("class", classes[0])
    if caller_class not in classes:
        class_value = r.get("class")
        assert class_value is not None
        class_value.error(f"expected a class from priorities ({', '.join(classes)}), "
                          f"got {caller_class!r}")
    numbers = frozenset(v.as_digits("a phone number", allowed="0123456789+")
                        for v in r.values("numbers"))
    accounts = frozenset(v.as_str() for v in r.values("accounts"))
    r.finish()
    return VipConfig(caller_class, numbers, accounts)


def _skills(value: Value) -> tuple[tuple[str, int], ...]:
    r = value.as_map()
    if r is None:
        return ()
    return tuple((skill, level.as_int(low=1, high=5)) for skill, level in r.items())


def read_agents(value: Value | None, secrets: Secrets) -> tuple[AgentConfig, ...]:
    agents: list[AgentConfig] = []
    seen_ids: dict[str, int] = {}
    seen_endpoints: dict[str, int] = {}
    for item in value.as_list() if value is not None else []:
        r = item.as_map()
        if r is None:
            continue
        agent_id = r.required_text("id", "the agent's id")
        endpoint_value = r.require("endpoint", "the SIP endpoint, e.g. PJSIP/1001")
        endpoint = endpoint_value.as_str() if endpoint_value is not None else ""
        if endpoint_value is not None and endpoint and not _ENDPOINT.match(endpoint):
            endpoint_value.expected("a channel endpoint such as PJSIP/1001")
        pin_value = r.require("pin", "the login PIN, 4 to 8 digits")
        pin = pin_value.as_digits("a PIN of 4 to 8 digits") if pin_value is not None else ""
        if pin_value is not None and pin.isdigit() and not 4 <= len(pin) <= 8:
            pin_value.error(f"expected a PIN of 4 to 8 digits, got {len(pin)} digits")
        sip_password = Secret(r.text("sip_password", ""))
        env_name = r.get("sip_password_env")
        if env_name is not None:
            sip_password = secrets.from_env(env_name, env_name.as_str(),
                                            f"the SIP password of agent {agent_id}", r)
        skills_value = r.require("skills", "skill: proficiency 1-5")
        agent = AgentConfig(
            id=agent_id,
            name=r.text("name", agent_id),
            endpoint=endpoint,
            team=r.required_text("team", "the agent's team"),
            skills=_skills(skills_value) if skills_value is not None else (),
            pin=Secret(pin),
            sip_password=sip_password,
            dedicated=r.flag("dedicated", False),
        )
        r.finish()
        for key, seen, what in ((agent_id, seen_ids, "id"), (endpoint, seen_endpoints, "endpoint")):
            if key and key in seen:
                item.error(f"agent {what} {key!r} is also used on line {seen[key]}")
            seen.setdefault(key, item.line)
        agents.append(agent)
    return tuple(agents)


def _relax(value: Value, teams: frozenset[str]) -> tuple[RelaxStep, ...]:
    steps: list[RelaxStep] = []
    for item in value.as_list():
        r = item.as_map()
        if r is None:
            continue
        after_value = r.require("after", "seconds of waiting before this step")
        after = after_value.as_number(low=0) if after_value is not None else 0.0
        level = r.read("min_proficiency", lambda v: v.as_int(low=1, high=5), None)
        team = r.read("team", Value.as_str, None)
        if team is not None and team not in teams:
            team_value = r.get("team")
            assert team_value is not None
            team_value.error(f"expected a team of the roster ({', '.join(sorted(teams))}), "
                             f"got {team!r}")
        if level is None and team is None:
            item.error("expected min_proficiency and/or team in a relax step")
        if steps and after <= steps[-1].after:
            item.error(f"relax steps must come in order of 'after' ({after:g} follows "
                       f"{steps[-1].after:g})")
        r.finish()
        steps.append(RelaxStep(after, level, team))
    return tuple(steps)


def read_queues(value: Value | None, teams: frozenset[str],
                skills: frozenset[str]) -> tuple[QueueConfig, ...]:
    if value is None:
        return ()
    mapping = value.as_map()
    if mapping is None:
        return ()
    queues: list[QueueConfig] = []
    overflow_refs: list[tuple[str, Value, str]] = []
    for name, body in mapping.items():
        if name in OVERFLOW_SPECIAL or not name.isidentifier():
            body.error(f"expected a queue name of letters, digits and _ other than "
                       f"{' or '.join(OVERFLOW_SPECIAL)}, got {name!r}")
        r = body.as_map() if not body.is_null else None
        if r is None:
            if body.is_null:
                queues.append(QueueConfig(name))
            continue
        requirements: list[SkillRequirement] = []
        skills_reader = r.section("skills")
        if skills_reader is not None:
            for skill, level in skills_reader.items():
                requirements.append(SkillRequirement(skill, level.as_int(low=1, high=5)))
                if skill not in skills:
                    level.warn(f"no agent has skill {skill!r}")
        overflow = None
        overflow_value = r.get("overflow")
        if overflow_value is not None:
            target = overflow_value.as_str()
            if target in OVERFLOW_SPECIAL:
                overflow = Overflow(target)
            else:
                overflow = Overflow("queue", target)
                overflow_refs.append((name, overflow_value, target))
        max_wait = r.optional_number("max_wait", low=1)
        announce = _announce(r.section("announce"))
        queue = QueueConfig(
            name=name,
            skills=tuple(requirements),
            relax=r.read("relax", lambda v: _relax(v, teams), ()),
            strategy=Strategy(r.choice("strategy", tuple(Strategy), Strategy.LONGEST_IDLE)),
            weight=r.integer("weight", 1, low=0, high=1000),
            max_length=r.read("max_length", lambda v: v.as_int(low=1), None),
            when_no_agents=WhenNoAgents(r.choice("when_no_agents", tuple(WhenNoAgents), "wait")),
            max_wait=max_wait,
            overflow=overflow,
            ring_timeout=r.number("ring_timeout", 15.0, low=3, high=300),
            wrap_up=r.number("wrap_up", 10.0, low=0, high=3600),
            announce=announce,
            music_class=r.text("music_class", "default"),
            preferred_agent_window=r.number("preferred_agent_window", 15.0, low=0, high=600),
            last_agent_memory_hours=r.number("last_agent_memory_hours", 24.0, low=0),
            rona_pause_after=r.integer("rona_pause_after", 2, low=1, high=100),
            reject_backoff=r.number("reject_backoff", 10.0, low=0, high=600),
        )
        if max_wait is not None and overflow is None:
            r.error("max_wait is set but overflow is not (a queue, callback or voicemail)")
        r.finish()
        queues.append(queue)
    names = {q.name for q in queues}
    for name, target_value, target in overflow_refs:
        if target == name:
            target_value.error("a queue cannot overflow to itself")
        elif target not in names:
            target_value.error(f"expected a queue name, callback or voicemail, got {target!r}")
    return tuple(queues)


def _announce(r: MapReader | None) -> AnnounceConfig:
    if r is None:
        return AnnounceConfig()
    result = AnnounceConfig(r.number("every", 0.0, low=0), r.flag("position", True),
                            r.flag("ewt", True))
    r.finish()
    return result


def read_feature_codes(r: MapReader | None) -> FeatureCodes:
    if r is None:
        return FeatureCodes()
    values: dict[str, str] = {}
    for key in ("login", "pause", "ready", "logout"):
        found = r.get(key)
        if found is None:
            values[key] = getattr(FeatureCodes(), key)
            continue
        code = found.as_str()
        if not re.fullmatch(r"[*#]?[0-9]{1,4}", code):
            found.error(f"expected a feature code such as *11, got {code!r}")
        values[key] = code
    codes = list(values.items())
    for i, (key, code) in enumerate(codes):
        for other, other_code in codes[i + 1:]:
            if code.startswith(other_code) or other_code.startswith(code):
                r.error(f"feature codes {key} ({code}) and {other} ({other_code}) overlap")
    r.finish()
    return FeatureCodes(**values)


def read_recording(r: MapReader | None, base_dir: Path) -> RecordingConfig:
    if r is None:
        return RecordingConfig(dir=base_dir / "recordings")
    directory = Path(r.text("dir", "recordings"))
    result = RecordingConfig(r.flag("enabled", True),
                             r.integer("retention_days", 180, low=1, high=3650),
                             directory if directory.is_absolute() else base_dir / directory)
    r.finish()
    return result


def read_report(r: MapReader | None) -> ReportConfig:
    if r is None:
        return ReportConfig()
    result = ReportConfig(
        service_level_seconds=r.number("service_level_seconds", 20.0, low=1),
        short_abandon_seconds=r.number("short_abandon_seconds", 5.0, low=0),
        ring_cadence_seconds=r.number("ring_cadence_seconds", 6.0, low=1),
        fcr_window_hours=r.number("fcr_window_hours", 24.0, low=1),
        interval=r.choice("interval", ("15min", "30min", "hour", "day", "week", "month"),
                          "30min"),
    )
    r.finish()
    return result
