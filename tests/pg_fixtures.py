"""PostgreSQL fixtures: ``pg_dsn`` (the sandbox cluster, per session) and ``pg_db`` (a fresh
empty database per test). Without PostgreSQL they skip, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from acd.sandbox import postgres

__all__ = ["pg_db", "pg_dsn"]


def _unavailable(message: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required under CI=true: {message}", pytrace=False)
    pytest.skip(f"PostgreSQL unavailable: {message}")


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    base_env = os.environ.get("ACD_PG_DIR")
    base = Path(base_env) if base_env else None
    port = int(os.environ.get("ACD_PG_PORT", postgres.DEFAULT_PORT))
    started_here = False
    try:
        started_here = not postgres.status(base)
        cluster = postgres.start(base, port)
    except (postgres.PostgresUnavailable, OSError) as exc:
        _unavailable(str(exc))
        raise  # unreachable: _unavailable always raises
    try:
        yield cluster.dsn
    finally:
        if started_here:
            postgres.stop(base)


async def _admin(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture()
def pg_db(pg_dsn: str) -> Iterator[str]:
    """DSN of a new empty database (from template0), dropped after the test."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    asyncio.run(_admin(pg_dsn, f"CREATE DATABASE {name} TEMPLATE template0"))
    head, _, _ = pg_dsn.rpartition("/")
    try:
        yield f"{head}/{name}"
    finally:
        asyncio.run(_admin(pg_dsn, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
