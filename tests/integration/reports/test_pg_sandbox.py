from __future__ import annotations

import asyncio

import asyncpg
import pytest

from acd.sandbox import postgres

pytestmark = pytest.mark.postgres


def test_fresh_database_is_empty_and_loopback(pg_dsn: str, pg_db: str) -> None:
    async def probe() -> tuple[int, str]:
        conn = await asyncpg.connect(pg_db)
        try:
            tables = await conn.fetchval(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            )
            listen = await conn.fetchval("SHOW listen_addresses")
            return int(tables), str(listen)
        finally:
            await conn.close()

    tables, listen = asyncio.run(probe())
    assert tables == 0
    assert listen == "127.0.0.1"
    assert pg_db != pg_dsn
    assert postgres.status()


def test_start_is_idempotent(pg_dsn: str) -> None:
    again = postgres.start()
    assert again.dsn == pg_dsn
