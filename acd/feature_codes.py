"""Agents' softphone feature codes: `*11` + PIN to log in, `*12` pause, `*13` ready,
`*14` log out (the codes come from the configuration)."""

from __future__ import annotations

from dataclasses import dataclass

from acd.config_model import FeatureCodes

__all__ = ["FeatureRequest", "parse_feature"]


@dataclass(frozen=True)
class FeatureRequest:
    action: str  # login, pause, ready, logout
    argument: str = ""


def parse_feature(dialled: str, codes: FeatureCodes) -> FeatureRequest | None:
    """What the dialled string asks for, or None when it is no feature code. The longest
    code wins, so `*1` and `*11` can both be configured."""
    table = sorted(
        (("login", codes.login), ("pause", codes.pause), ("ready", codes.ready),
         ("logout", codes.logout)),
        key=lambda item: -len(item[1]),
    )
    for action, code in table:
        if code and dialled.startswith(code):
            rest = dialled[len(code):]
            if action == "login" or rest == "" or (action == "pause" and rest.isdigit()):
                return FeatureRequest(action, rest)
    return None
