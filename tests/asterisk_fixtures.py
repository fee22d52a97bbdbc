"""The private Asterisk for integration tests. Under CI=true a missing Asterisk fails."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from acd.sandbox.asterisk import AsteriskSandbox, SandboxError
from acd.sandbox.cli import default_sandbox

__all__ = ["asterisk"]


def _unavailable(message: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the private Asterisk is required under CI=true: {message}", pytrace=False)
    pytest.skip(f"private Asterisk unavailable: {message}")


@pytest.fixture(scope="session")
def asterisk() -> Iterator[AsteriskSandbox]:
    sandbox = default_sandbox()
    if os.geteuid() != 0:
        _unavailable("the sandbox needs root (chroot)")
    started = False
    try:
        if not sandbox.is_built():
            sandbox.build()
        started = sandbox.start()
    except SandboxError as exc:
        _unavailable(str(exc))
    yield sandbox
    if started:
        sandbox.stop()
