"""The request checks on their own: any bytes give a typed request or a RequestError."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acd.api_validation import (
    MAX_BODY_BYTES,
    RequestError,
    TransferRequest,
    check_id,
    parse_disposition,
    parse_empty,
    parse_login,
    parse_notices,
    parse_pause,
    parse_supervise,
    parse_transfer,
)

PARSERS: list[Callable[[bytes], object]] = [
    parse_disposition, parse_empty, parse_login, parse_notices, parse_pause, parse_supervise,
    parse_transfer,
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
fields = st.sampled_from(["mode", "kind", "target", "code", "resolved", "notes", "endpoint",
                          "notices", "pin", "reason", "x"])
bodies = st.dictionaries(fields, json_values, max_size=5)


@pytest.mark.parametrize("parse", PARSERS)
@settings(max_examples=40)
@given(raw=st.binary(max_size=200))
def test_any_bytes_parse_or_are_refused_cleanly(parse: Callable[[bytes], object],
                                                raw: bytes) -> None:
    try:
        parse(raw)
    except RequestError as e:
        assert str(e).startswith("body")


@pytest.mark.parametrize("parse", PARSERS)
@settings(max_examples=40)
@given(body=bodies)
def test_any_json_object_parses_or_is_refused_cleanly(parse: Callable[[bytes], object],
                                                      body: dict[str, object]) -> None:
    try:
        parse(json.dumps(body).encode())
    except RequestError as e:
        assert str(e).startswith("body.")


@given(target=st.text(min_size=1, max_size=128).filter(
    lambda s: s.strip() and not any(ord(c) < 32 or ord(c) == 127 for c in s)))
def test_a_valid_transfer_keeps_its_target(target: str) -> None:
    raw = json.dumps({"mode": "attended", "kind": "agent", "target": target}).encode()
    assert parse_transfer(raw) == TransferRequest("attended", "agent", target)


def test_empty_and_blank_bodies_mean_no_fields() -> None:
    parse_empty(b"")
    parse_empty(b"  \n")
    assert parse_login(b"").pin is None


def test_size_limit_is_exact() -> None:
    body = b"{}" + b" " * (MAX_BODY_BYTES - 2)
    parse_empty(body)
    with pytest.raises(RequestError, match="65537 bytes is over the 65536-byte limit"):
        parse_empty(body + b" ")


def test_long_values_are_cut_short_in_messages() -> None:
    with pytest.raises(RequestError) as e:
        parse_transfer(json.dumps({"mode": "w" * 500, "kind": "q", "target": "t"}).encode())
    assert len(str(e.value)) < 150
    assert str(e.value) == 'body.mode: expected one of blind, attended; got "' + "w" * 56 + "..."


@pytest.mark.parametrize(("value", "message"), [
    ("", "path.call_id: must not be empty"),
    ("c\n1", "path.call_id: contains blanks or control characters"),
    ("x" * 129, "path.call_id: longer than 128 characters (129)"),
])
def test_bad_ids(value: str, message: str) -> None:
    with pytest.raises(RequestError) as e:
        check_id("call_id", value)
    assert str(e.value) == message


def test_notes_may_span_lines_but_other_fields_may_not() -> None:
    ok = parse_disposition(b'{"code": "c", "resolved": true, "notes": "a\\nb\\tc"}')
    assert ok.notes == "a\nb\tc"
    with pytest.raises(RequestError, match=r"body\.code: contains control characters"):
        parse_disposition(b'{"code": "c\\n", "resolved": true}')
