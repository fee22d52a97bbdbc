"""The on-disk spool: JSONL segments of events not yet in PostgreSQL, fsync'd on every append."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path

from reports.events import Event, EventError, event_from_json

__all__ = ["Spool"]

log = logging.getLogger(__name__)


class Spool:
    """Append-only segments ``spool-<ns>-<pid>.jsonl``; a segment is deleted once its events are
    committed. Replaying a segment twice is harmless: event ids are idempotent."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self._current: Path | None = None

    def append(self, events: Iterable[Event]) -> int:
        lines = "".join(ev.to_json() + "\n" for ev in events)
        if not lines:
            return 0
        if self._current is None:
            self._current = self.dir / f"spool-{time.time_ns():020d}-{os.getpid()}.jsonl"
        fd = os.open(self._current, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
        try:
            os.write(fd, lines.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        return lines.count("\n")

    def rotate(self) -> None:
        """Close the current segment so the next append starts a new one."""
        self._current = None

    def segments(self) -> list[Path]:
        return sorted(self.dir.glob("spool-*.jsonl"))

    def pending(self) -> bool:
        return any(True for _ in self.dir.glob("spool-*.jsonl"))

    @staticmethod
    def read(segment: Path) -> list[Event]:
        out: list[Event] = []
        with segment.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.endswith("\n"):
                    # Torn last write from a crash: the append never completed (never fsync'd).
                    log.warning("%s:%d: incomplete last line skipped", segment, n)
                    break
                try:
                    out.append(event_from_json(line))
                except EventError as exc:
                    log.error("%s:%d: unreadable spooled event skipped: %s", segment, n, exc)
        return out

    def remove(self, segment: Path) -> None:
        if segment == self._current:
            self._current = None
        segment.unlink(missing_ok=True)
