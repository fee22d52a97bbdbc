"""The callers waiting in one queue, ordered by priority class, then by time waited."""

from __future__ import annotations

import bisect
from collections.abc import Iterator

__all__ = ["WaitKey", "WaitingLine"]

# (priority rank, first entered at, sequence, call id): lower sorts first.
WaitKey = tuple[int, float, int, str]


class WaitingLine:
    __slots__ = ("_keys",)

    def __init__(self) -> None:
        self._keys: list[WaitKey] = []

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: WaitKey) -> int:
        """Insert and return the number of callers ahead."""
        index = bisect.bisect_left(self._keys, key)
        self._keys.insert(index, key)
        return index

    def remove(self, key: WaitKey) -> None:
        index = bisect.bisect_left(self._keys, key)
        if index < len(self._keys) and self._keys[index] == key:
            del self._keys[index]

    def ahead(self, key: WaitKey) -> int:
        return bisect.bisect_left(self._keys, key)

    def __iter__(self) -> Iterator[WaitKey]:
        return iter(self._keys)
