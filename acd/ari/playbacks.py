"""`/playbacks`: inspect and control a running playback."""

from __future__ import annotations

from typing import Literal

from acd.ari.http import AriHttp, seg
from acd.ari.models_generated import Playback

__all__ = ["PlaybackOperation", "Playbacks"]

PlaybackOperation = Literal["restart", "pause", "unpause", "reverse", "forward"]


class Playbacks:
    """Typed calls on `/ari/playbacks`."""

    def __init__(self, http: AriHttp) -> None:
        self._http = http

    async def get(self, playback_id: str) -> Playback:
        reply = await self._http.request("GET", f"/playbacks/{seg(playback_id)}")
        return Playback.from_json(reply)

    async def stop(self, playback_id: str) -> None:
        await self._http.request("DELETE", f"/playbacks/{seg(playback_id)}")

    async def control(self, playback_id: str, operation: PlaybackOperation) -> None:
        await self._http.request(
            "POST", f"/playbacks/{seg(playback_id)}/control", params={"operation": operation}
        )
