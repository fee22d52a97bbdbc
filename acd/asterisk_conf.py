"""Render the project's Asterisk configuration templates (`asterisk-conf/templates`)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

__all__ = ["TEMPLATE_DIR", "AgentEndpoint", "AsteriskParams", "render"]

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "asterisk-conf" / "templates"

_FILES = (
    "asterisk.conf",
    "modules.conf",
    "http.conf",
    "ari.conf",
    "logger.conf",
    "musiconhold.conf",
    "rtp.conf",
    "pjsip.conf",
    "extensions.conf",
    "features.conf",
    "indications.conf",
    "cdr.conf",
    "cel.conf",
    "acl.conf",
    "ccss.conf",
    "udptl.conf",
    "pjproject.conf",
    "websocket_client.conf",
    "queues.conf",
)


@dataclass(frozen=True)
class AgentEndpoint:
    agent_id: str
    name: str
    endpoint: str
    sip_password: str = field(repr=False)


@dataclass(frozen=True)
class AsteriskParams:
    app: str = "acd"
    ari_user: str = "acd"
    ari_password: str = field(default="", repr=False)
    http_bind: str = "127.0.0.1"
    http_port: int = 8088
    sip_bind: str = "127.0.0.1"
    sip_port: int = 5060
    rtp_start: int = 20000
    rtp_end: int = 29999
    max_calls: int = 2000
    hotline_numbers: Sequence[str] = ("95598",)
    agents: Sequence[AgentEndpoint] = ()
    caller_match: str = "127.0.0.1"
    # Where calls to external numbers and callbacks go: a SIP URI, or "" for none.
    caller_contact: str = ""
    etc_dir: str = "/etc/acd-asterisk"


def _template(name: str) -> Template:
    return Template((TEMPLATE_DIR / name).read_text(encoding="utf-8"))


def _agent_blocks(agents: Sequence[AgentEndpoint]) -> str:
    tmpl = _template("pjsip_agent.conf")
    return "\n".join(
        tmpl.substitute(
            agent_id=a.agent_id,
            agent_name=a.name,
            endpoint=a.endpoint,
            sip_password=a.sip_password,
        )
        for a in agents
    )


def _hotline_extensions(params: AsteriskParams) -> str:
    lines = []
    for number in params.hotline_numbers:
        lines.append(f"exten => {number},1,Stasis({params.app},hotline)")
        lines.append(" same => n,Hangup()")
    return "\n".join(lines)


def render(dest: Path, params: AsteriskParams) -> list[Path]:
    """Write every config file into `dest`; the ARI password lands only in ari.conf."""
    if not params.ari_password:
        raise ValueError("AsteriskParams.ari_password is empty")
    values: dict[str, object] = {
        "app": params.app,
        "ari_user": params.ari_user,
        "ari_password": params.ari_password,
        "http_bind": params.http_bind,
        "http_port": params.http_port,
        "sip_bind": params.sip_bind,
        "sip_port": params.sip_port,
        "rtp_start": params.rtp_start,
        "rtp_end": params.rtp_end,
        "max_calls": params.max_calls,
        "etc_dir": params.etc_dir,
        "caller_match": f"match = {params.caller_match}",
        "caller_contact": f"contact = {params.caller_contact}" if params.caller_contact else "",
        "agents": _agent_blocks(params.agents),
        "hotline_extensions": _hotline_extensions(params),
    }
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name in _FILES:
        path = dest / name
        path.write_text(_template(name).substitute(values), encoding="utf-8")
        if name in ("ari.conf", "pjsip.conf"):
            os.chmod(path, 0o600)
        written.append(path)
    return written
