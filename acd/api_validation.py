"""Request checks for the HTTP API: JSON bodies and path ids in, typed requests out.

Every refusal is a `RequestError` whose message names the place (`body.mode`, `path.call_id`)
and what was expected, so an operator with curl can fix the request without reading code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, cast

from acd.control import TransferMode, TransferTargetKind

__all__ = [
    "MAX_BODY_BYTES",
    "SUPERVISE_MODES",
    "TRANSFER_KINDS",
    "TRANSFER_MODES",
    "DispositionRequest",
    "LoginRequest",
    "NoticesRequest",
    "PauseRequest",
    "RequestError",
    "SuperviseMode",
    "SuperviseRequest",
    "TransferRequest",
    "check_id",
    "check_size",
    "parse_disposition",
    "parse_empty",
    "parse_login",
    "parse_notices",
    "parse_pause",
    "parse_supervise",
    "parse_transfer",
]

MAX_BODY_BYTES = 64 * 1024
MAX_ID_CHARS = 128
MAX_NOTICES = 50

SuperviseMode = Literal["listen", "whisper", "barge"]
TRANSFER_MODES: tuple[TransferMode, ...] = ("blind", "attended")
TRANSFER_KINDS: tuple[TransferTargetKind, ...] = ("queue", "agent", "external")
SUPERVISE_MODES: tuple[SuperviseMode, ...] = ("listen", "whisper", "barge")

# Asterisk dial strings: technology, a slash, a resource without blanks (PJSIP/2001).
_ENDPOINT = re.compile(r"[A-Za-z][A-Za-z0-9_-]*/\S+")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


class RequestError(ValueError):
    """A request refused before it reaches the control plane; answered with 400."""


@dataclass(frozen=True)
class LoginRequest:
    pin: str | None


@dataclass(frozen=True)
class PauseRequest:
    reason: str


@dataclass(frozen=True)
class TransferRequest:
    mode: TransferMode
    kind: TransferTargetKind
    target: str


@dataclass(frozen=True)
class DispositionRequest:
    code: str
    resolved: bool
    notes: str


@dataclass(frozen=True)
class SuperviseRequest:
    endpoint: str
    mode: SuperviseMode


@dataclass(frozen=True)
class NoticesRequest:
    notices: tuple[str, ...]


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _shown(value: object) -> str:
    """The offending value as JSON, cut short so a huge value cannot flood the answer."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _got(value: object) -> str:
    kind = _json_type(value)
    if kind in ("array", "object"):
        return f"got {kind}"
    if kind == "null":
        return "got null"
    return f"got {kind} {_shown(value)}"


def check_size(size: int) -> None:
    if size > MAX_BODY_BYTES:
        raise RequestError(f"body: {size} bytes is over the {MAX_BODY_BYTES}-byte limit")


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not allowed in JSON")


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate field {key!r}")
        out[key] = value
    return out


def _load_object(raw: bytes, allowed: Sequence[str]) -> dict[str, object]:
    """Parse the body as one JSON object with only `allowed` fields; empty means `{}`."""
    check_size(len(raw))
    if not raw.strip():
        body: object = {}
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise RequestError(f"body: not UTF-8 (bad byte at offset {e.start})") from None
        try:
            body = json.loads(text, parse_constant=_reject_constant,
                              object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as e:
            raise RequestError(
                f"body: not valid JSON ({e.msg} at line {e.lineno} column {e.colno})"
            ) from None
        except ValueError as e:
            raise RequestError(f"body: not valid JSON ({e})") from None
    if not isinstance(body, dict):
        raise RequestError(f"body: expected a JSON object; {_got(body)}")
    for key in body:
        if key not in allowed:
            accepted = ", ".join(allowed) if allowed else "none"
            raise RequestError(f"body.{key}: unknown field (accepted fields: {accepted})")
    return body


def _text(value: object, where: str, *, max_chars: int, multiline: bool = False) -> str:
    if not isinstance(value, str):
        raise RequestError(f"{where}: expected a string; {_got(value)}")
    if not value.strip():
        raise RequestError(f"{where}: must not be empty")
    if len(value) > max_chars:
        raise RequestError(f"{where}: longer than {max_chars} characters ({len(value)})")
    checked = value.replace("\n", "").replace("\t", "") if multiline else value
    if _CONTROL_CHARS.search(checked):
        raise RequestError(f"{where}: contains control characters")
    return value


def _choice(value: object, where: str, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        shown = f"got {_shown(value)}" if isinstance(value, str) else _got(value)
        raise RequestError(f"{where}: expected one of {', '.join(choices)}; {shown}")
    return value


def _required(body: Mapping[str, object], key: str, what: str) -> object:
    if key not in body:
        raise RequestError(f"body.{key}: missing (expected {what})")
    return body[key]


def check_id(name: str, value: str) -> str:
    """A path id (agent or call): non-empty, bounded, printable."""
    where = f"path.{name}"
    if not value:
        raise RequestError(f"{where}: must not be empty")
    if len(value) > MAX_ID_CHARS:
        raise RequestError(f"{where}: longer than {MAX_ID_CHARS} characters ({len(value)})")
    if _CONTROL_CHARS.search(value) or value != value.strip():
        raise RequestError(f"{where}: contains blanks or control characters")
    return value


def parse_empty(raw: bytes) -> None:
    """Actions without parameters accept no body, or `{}`."""
    _load_object(raw, ())


def parse_login(raw: bytes) -> LoginRequest:
    body = _load_object(raw, ("pin",))
    pin = body.get("pin")
    if pin is None:
        return LoginRequest(pin=None)
    return LoginRequest(pin=_text(pin, "body.pin", max_chars=64))


def parse_pause(raw: bytes) -> PauseRequest:
    body = _load_object(raw, ("reason",))
    reason = _required(body, "reason", "a string")
    return PauseRequest(reason=_text(reason, "body.reason", max_chars=100))


def parse_transfer(raw: bytes) -> TransferRequest:
    body = _load_object(raw, ("mode", "kind", "target"))
    modes, kinds = TRANSFER_MODES, TRANSFER_KINDS
    mode = _choice(_required(body, "mode", f"one of {', '.join(modes)}"), "body.mode", modes)
    kind = _choice(_required(body, "kind", f"one of {', '.join(kinds)}"), "body.kind", kinds)
    target = _text(_required(body, "target", "a string"), "body.target", max_chars=128)
    return TransferRequest(mode=cast(TransferMode, mode), kind=cast(TransferTargetKind, kind),
                           target=target)


def parse_disposition(raw: bytes) -> DispositionRequest:
    body = _load_object(raw, ("code", "resolved", "notes"))
    code = _text(_required(body, "code", "a string"), "body.code", max_chars=64)
    resolved = _required(body, "resolved", "true or false")
    if not isinstance(resolved, bool):
        raise RequestError(f"body.resolved: expected true or false; {_got(resolved)}")
    notes = body.get("notes", "")
    if not isinstance(notes, str):
        raise RequestError(f"body.notes: expected a string; {_got(notes)}")
    if notes:
        notes = _text(notes, "body.notes", max_chars=4000, multiline=True)
    return DispositionRequest(code=code, resolved=resolved, notes=notes)


def parse_supervise(raw: bytes) -> SuperviseRequest:
    body = _load_object(raw, ("endpoint", "mode"))
    endpoint = _text(_required(body, "endpoint", "a string like PJSIP/2001"), "body.endpoint",
                     max_chars=128)
    if not _ENDPOINT.fullmatch(endpoint):
        raise RequestError(
            f"body.endpoint: expected technology/resource like PJSIP/2001; got {_shown(endpoint)}"
        )
    modes = SUPERVISE_MODES
    mode = _choice(_required(body, "mode", f"one of {', '.join(modes)}"), "body.mode", modes)
    return SuperviseRequest(endpoint=endpoint, mode=cast(SuperviseMode, mode))


def parse_notices(raw: bytes) -> NoticesRequest:
    body = _load_object(raw, ("notices",))
    notices = _required(body, "notices", "an array of strings")
    if not isinstance(notices, list):
        raise RequestError(f"body.notices: expected an array of strings; {_got(notices)}")
    if len(notices) > MAX_NOTICES:
        raise RequestError(f"body.notices: more than {MAX_NOTICES} notices ({len(notices)})")
    checked = tuple(
        _text(n, f"body.notices[{i}]", max_chars=1000, multiline=True)
        for i, n in enumerate(notices)
    )
    return NoticesRequest(notices=checked)

