"""Simulated callers for a demo without real phones (agents are `Local/ID@sim-agent`).

Each caller is a Local channel whose far half runs the `sim-caller` dialplan context: it
listens to the greeting, presses the menu keys in SIM_KEY and hangs up after SIM_PATIENCE
seconds unless an agent ended the call first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random

from acd.ari import AriClient, AriError
from acd.config import Config

__all__ = ["simulate_traffic"]

log = logging.getLogger(__name__)

# Menu keys of the sample hotline and how often callers choose them.
_CHOICES = (("12", 35), ("22", 30), ("3", 15), ("4", 10), ("0", 10))


async def simulate_traffic(ari: AriClient, config: Config, calls: int, stop: asyncio.Event,
                           *, mean_gap: float = 8.0, seed: int = 1) -> None:
    rng = random.Random(seed)
    keys = [k for k, _ in _CHOICES]
    weights = [w for _, w in _CHOICES]
    vips = sorted(config.vip.numbers)
    number = config.hotline.numbers[0]
    for n in range(calls):
        if stop.is_set():
            return
        ani = vips[0] if vips and rng.random() < 0.1 else f"139{rng.randrange(10**8):08d}"
        try:
            await ari.channels.originate(
                f"Local/{number}@hotline", extension="s", context="sim-caller",
                caller_id=f'"Caller {n + 1}" <{ani}>', formats=["ulaw"],
                variables={"SIM_KEY": rng.choices(keys, weights)[0],
                           "SIM_PATIENCE": str(rng.randint(60, 300))},
            )
        except AriError as exc:
            log.warning("simulated call %d not placed: %s", n + 1, exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), rng.expovariate(1.0 / mean_gap))
    log.info("all %d simulated calls placed", calls)
