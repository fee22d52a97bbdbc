"""Reconnect delays: exponential, bounded, with jitter so many controllers do not
reconnect in lock-step after an Asterisk restart."""

from __future__ import annotations

import random

from acd.ari.config import AriConfig

__all__ = ["Backoff"]

_MAX_EXPONENT = 64


class Backoff:
    """`delay(attempt)` for attempt 0, 1, 2...: ``min(maximum, initial * factor**attempt)``
    shortened by a random fraction of up to `jitter`."""

    def __init__(
        self,
        initial: float,
        maximum: float,
        *,
        factor: float = 2.0,
        jitter: float = 0.5,
        rng: random.Random | None = None,
    ) -> None:
        if initial <= 0 or maximum < initial or factor < 1 or not 0 <= jitter <= 1:
            raise ValueError("Backoff: need 0 < initial <= maximum, factor >= 1, 0 <= jitter <= 1")
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
        self._rng = rng or random.Random()

    @classmethod
    def from_config(cls, config: AriConfig) -> Backoff:
        return cls(
            config.reconnect_initial,
            config.reconnect_max,
            factor=config.reconnect_factor,
            jitter=config.reconnect_jitter,
        )

    def delay(self, attempt: int) -> float:
        ceiling = min(self.maximum, self.initial * self.factor ** min(attempt, _MAX_EXPONENT))
        return ceiling * (1.0 - self.jitter * self._rng.random())
