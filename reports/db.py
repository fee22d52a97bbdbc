"""Database access shared by the writer, projection and reports: connections and migrations."""

from __future__ import annotations

import logging
from importlib import resources

import asyncpg

__all__ = ["EPOCH_2000_US", "apply_migrations", "connect", "migration_files"]

log = logging.getLogger(__name__)

# PostgreSQL counts timestamps in microseconds from 2000-01-01; we use the Unix epoch.
EPOCH_2000_US = 946_684_800 * 1_000_000


def _ts_encode(us: int) -> tuple[int]:
    return (us - EPOCH_2000_US,)


def _ts_decode(t: tuple[int]) -> int:
    return t[0] + EPOCH_2000_US


async def _init(conn: asyncpg.Connection) -> None:
    # Report queries are many short aggregates; JIT compilation costs more than it saves.
    await conn.execute("SET jit = off")
    # timestamptz travels as integer microseconds: exact, and no datetime objects per row.
    await conn.set_type_codec(
        "timestamptz",
        schema="pg_catalog",
        encoder=_ts_encode,
        decoder=_ts_decode,
        format="tuple",
    )


async def connect(dsn: str, timeout: float = 10.0) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn, timeout=timeout)
    await _init(conn)
    return conn


def migration_files() -> list[tuple[str, str]]:
    """(name, sql) in order."""
    root = resources.files("reports") / "migrations"
    files = sorted(
        (p.name, p.read_text(encoding="utf-8")) for p in root.iterdir() if p.name.endswith(".sql")
    )
    return files


async def apply_migrations(conn: asyncpg.Connection) -> list[str]:
    """Apply pending migrations, each in its own transaction; returns the names applied."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
    )
    applied: list[str] = []
    for name, sql in migration_files():
        async with conn.transaction():
            # Serialise concurrent upgraders; the second sees the first one's rows.
            await conn.execute("LOCK TABLE schema_migrations IN EXCLUSIVE MODE")
            done = await conn.fetchval("SELECT 1 FROM schema_migrations WHERE name = $1", name)
            if done:
                continue
            await conn.execute(sql)
            await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
            applied.append(name)
            log.info("applied migration %s", name)
    return applied


async def create_database(admin_dsn: str, name: str) -> str:
    """A new, migrated database `name` (dropped first if it exists) on the server of
    `admin_dsn`; returns its DSN. For benchmarks and tests."""
    if not name.isidentifier():
        raise ValueError(f"database name {name!r} is not a plain identifier")
    conn = await connect(admin_dsn)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {name} TEMPLATE template0")
    finally:
        await conn.close()
    dsn = admin_dsn.rsplit("/", 1)[0] + "/" + name
    conn = await connect(dsn)
    try:
        await apply_migrations(conn)
    finally:
        await conn.close()
    return dsn
