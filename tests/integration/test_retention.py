"""Recordings older than the retention period are deleted; newer ones are kept."""

from __future__ import annotations

import time

import pytest

from acd.ari import AriNotFound
from acd.retention import prune_recordings
from reports.db import apply_migrations, connect
from reports.events import make_event
from reports.writer import EventWriter

pytestmark = pytest.mark.postgres


async def test_only_expired_recordings_are_deleted(pg_db: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    conn = await connect(pg_db)
    await apply_migrations(conn)
    await conn.close()
    now = time.time()
    async with EventWriter(pg_db, tmp_path / "spool") as writer:
        for name, age_days in (("acd-old-1", 200), ("acd-old-2", 181), ("acd-new-1", 10),
                               ("acd-gone-1", 300)):
            writer.emit(make_event("talk_started", ts=now - age_days * 86400, call_id=name,
                                   agent_id="1001", recording=name))
        writer.emit(make_event("talk_started", ts=now - 400 * 86400, call_id="c",
                               agent_id="1001"))
    deleted_calls: list[str] = []

    async def delete(name: str) -> None:
        deleted_calls.append(name)
        if name == "acd-gone-1":
            raise AriNotFound("DELETE", f"/recordings/stored/{name}", "not found", 404)

    deleted = await prune_recordings(pg_db, delete, now - 180 * 86400)
    assert sorted(deleted_calls) == ["acd-gone-1", "acd-old-1", "acd-old-2"]
    assert sorted(deleted) == ["acd-old-1", "acd-old-2"]
    again = await prune_recordings(pg_db, delete, now - 180 * 86400, since=now - 180 * 86400)
    assert again == []
