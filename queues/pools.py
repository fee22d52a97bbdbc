"""Available agents of one queue at one entry level, kept in the queue strategy's order.

Each pool yields its agents lazily, best first, without removing them, so the core can
merge the pools of several relax levels and stop at the first acceptable agent.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import random
from collections.abc import Iterator
from typing import Any

__all__ = ["HeapPool", "RandomPool", "RankPool"]

_seq = itertools.count()

# An entry is (sort key, sequence, agent id); the sort key's shape is fixed per queue.
Entry = tuple[tuple[Any, ...], int, str]


class HeapPool:
    """A binary heap with lazy deletion, walked in order through a small frontier heap."""

    __slots__ = ("_heap", "_live")

    def __init__(self) -> None:
        self._heap: list[Entry] = []
        self._live: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._live)

    def __contains__(self, agent_id: str) -> bool:
        return agent_id in self._live

    def add(self, agent_id: str, key: tuple[Any, ...]) -> None:
        seq = next(_seq)
        self._live[agent_id] = seq
        heapq.heappush(self._heap, (key, seq, agent_id))

    def discard(self, agent_id: str) -> None:
        if self._live.pop(agent_id, None) is None:
            return
        heap = self._heap
        if len(heap) > 64 and len(heap) > 3 * len(self._live):
            live = self._live
            self._heap = [e for e in heap if live.get(e[2]) == e[1]]
            heapq.heapify(self._heap)

    def ordered(self) -> Iterator[Entry]:
        heap, live = self._heap, self._live
        while heap and live.get(heap[0][2]) != heap[0][1]:
            heapq.heappop(heap)
        if not heap:
            return
        size = len(heap)
        frontier: list[tuple[Entry, int]] = [(heap[0], 0)]
        while frontier:
            entry, index = heapq.heappop(frontier)
            if live.get(entry[2]) == entry[1]:
                yield entry
            for child in (2 * index + 1, 2 * index + 2):
                # The heap may shrink if the consumer discards while walking; stop at its end.
                if child < size and child < len(heap):
                    heapq.heappush(frontier, (heap[child], child))


class RankPool:
    """Agents sorted by a fixed integer rank; walked round-robin from just after a rank."""

    __slots__ = ("_by_rank", "_ranks")

    def __init__(self) -> None:
        self._ranks: list[int] = []
        self._by_rank: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._ranks)

    def add(self, agent_id: str, rank: int) -> None:
        if rank not in self._by_rank:
            bisect.insort(self._ranks, rank)
        self._by_rank[rank] = agent_id

    def discard(self, agent_id: str, rank: int) -> None:
        if self._by_rank.get(rank) == agent_id:
            del self._by_rank[rank]
            index = bisect.bisect_left(self._ranks, rank)
            del self._ranks[index]

    def ordered(self, after: int) -> Iterator[Entry]:
        ranks = list(self._ranks)
        start = bisect.bisect_right(ranks, after)
        for i in itertools.chain(range(start, len(ranks)), range(start)):
            rank = ranks[i]
            agent_id = self._by_rank.get(rank)
            if agent_id is not None:
                yield ((rank <= after, rank), rank, agent_id)


class RandomPool:
    """Agents in a list with O(1) removal, for uniform sampling with an injected RNG."""

    __slots__ = ("_index", "_items")

    def __init__(self) -> None:
        self._items: list[str] = []
        self._index: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> str:
        return self._items[index]

    def add(self, agent_id: str) -> None:
        if agent_id not in self._index:
            self._index[agent_id] = len(self._items)
            self._items.append(agent_id)

    def discard(self, agent_id: str) -> None:
        index = self._index.pop(agent_id, None)
        if index is None:
            return
        last = self._items.pop()
        if last != agent_id:
            self._items[index] = last
            self._index[last] = index

    def sample(self, rng: random.Random) -> str:
        return self._items[rng.randrange(len(self._items))]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._items))
