"""`/recordings`: stored recordings and control of live ones."""

from __future__ import annotations

from acd.ari.http import AriHttp, seg
from acd.ari.models_generated import LiveRecording, StoredRecording

__all__ = ["Recordings"]


class Recordings:
    """Typed calls on `/ari/recordings/stored` and `/ari/recordings/live`."""

    def __init__(self, http: AriHttp) -> None:
        self._http = http

    async def list_stored(self) -> list[StoredRecording]:
        reply = await self._http.request("GET", "/recordings/stored")
        return [StoredRecording.from_json(r) for r in reply]

    async def get_stored(self, name: str) -> StoredRecording:
        reply = await self._http.request("GET", f"/recordings/stored/{seg(name)}")
        return StoredRecording.from_json(reply)

    async def delete_stored(self, name: str) -> None:
        await self._http.request("DELETE", f"/recordings/stored/{seg(name)}")

    async def copy_stored(self, name: str, destination: str) -> StoredRecording:
        reply = await self._http.request(
            "POST",
            f"/recordings/stored/{seg(name)}/copy",
            params={"destinationRecordingName": destination},
        )
        return StoredRecording.from_json(reply)

    async def get_live(self, name: str) -> LiveRecording:
        reply = await self._http.request("GET", f"/recordings/live/{seg(name)}")
        return LiveRecording.from_json(reply)

    async def stop(self, name: str) -> None:
        """Stop and store a live recording."""
        await self._http.request("POST", f"/recordings/live/{seg(name)}/stop")

    async def cancel(self, name: str) -> None:
        """Stop a live recording and discard it."""
        await self._http.request("DELETE", f"/recordings/live/{seg(name)}")

    async def pause(self, name: str) -> None:
        await self._http.request("POST", f"/recordings/live/{seg(name)}/pause")

    async def unpause(self, name: str) -> None:
        await self._http.request("DELETE", f"/recordings/live/{seg(name)}/pause")

    async def mute(self, name: str) -> None:
        await self._http.request("POST", f"/recordings/live/{seg(name)}/mute")

    async def unmute(self, name: str) -> None:
        await self._http.request("DELETE", f"/recordings/live/{seg(name)}/mute")
