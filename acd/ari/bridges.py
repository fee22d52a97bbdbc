"""`/bridges`: mixing/holding bridges, members, media on a bridge."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from acd.ari.http import AriHttp, seg
from acd.ari.models_generated import Bridge, LiveRecording, Playback

__all__ = ["BridgeRole", "Bridges"]

BridgeRole = Literal["participant", "announcer", "partner"] | str


class Bridges:
    """Typed calls on `/ari/bridges`."""

    def __init__(self, http: AriHttp) -> None:
        self._http = http

    async def list(self) -> list[Bridge]:
        return [Bridge.from_json(b) for b in await self._http.request("GET", "/bridges")]

    async def get(self, bridge_id: str) -> Bridge:
        return Bridge.from_json(await self._http.request("GET", f"/bridges/{seg(bridge_id)}"))

    async def create(
        self,
        *,
        type: str = "mixing",
        bridge_id: str | None = None,
        name: str | None = None,
    ) -> Bridge:
        """Create a bridge; `type` is a comma list such as ``"mixing,dtmf_events"``."""
        params = {"type": type, "name": name}
        path = f"/bridges/{seg(bridge_id)}" if bridge_id else "/bridges"
        return Bridge.from_json(await self._http.request("POST", path, params=params))

    async def destroy(self, bridge_id: str) -> None:
        await self._http.request("DELETE", f"/bridges/{seg(bridge_id)}")

    async def add_channel(
        self,
        bridge_id: str,
        channel: str | Sequence[str],
        *,
        role: BridgeRole | None = None,
        absorb_dtmf: bool | None = None,
        mute: bool | None = None,
        inhibit_connected_line_updates: bool | None = None,
    ) -> None:
        params = {
            "channel": channel if isinstance(channel, str) else ",".join(channel),
            "role": role,
            "absorbDTMF": absorb_dtmf,
            "mute": mute,
            "inhibitConnectedLineUpdates": inhibit_connected_line_updates,
        }
        await self._http.request(
            "POST", f"/bridges/{seg(bridge_id)}/addChannel", params=params
        )

    async def remove_channel(self, bridge_id: str, channel: str | Sequence[str]) -> None:
        params = {"channel": channel if isinstance(channel, str) else ",".join(channel)}
        await self._http.request(
            "POST", f"/bridges/{seg(bridge_id)}/removeChannel", params=params
        )

    async def play(
        self,
        bridge_id: str,
        media: str | Sequence[str],
        *,
        playback_id: str | None = None,
        lang: str | None = None,
        offsetms: int | None = None,
        skipms: int | None = None,
    ) -> Playback:
        params = {
            "media": media if isinstance(media, str) else ",".join(media),
            "lang": lang,
            "offsetms": offsetms,
            "skipms": skipms,
        }
        suffix = f"play/{seg(playback_id)}" if playback_id else "play"
        reply = await self._http.request(
            "POST", f"/bridges/{seg(bridge_id)}/{suffix}", params=params
        )
        return Playback.from_json(reply)

    async def record(
        self,
        bridge_id: str,
        name: str,
        *,
        format: str = "wav",
        max_duration_seconds: int | None = None,
        max_silence_seconds: int | None = None,
        if_exists: Literal["fail", "overwrite", "append"] | None = None,
        beep: bool | None = None,
        terminate_on: Literal["none", "any", "*", "#"] | None = None,
    ) -> LiveRecording:
        params = {
            "name": name,
            "format": format,
            "maxDurationSeconds": max_duration_seconds,
            "maxSilenceSeconds": max_silence_seconds,
            "ifExists": if_exists,
            "beep": beep,
            "terminateOn": terminate_on,
        }
        reply = await self._http.request(
            "POST", f"/bridges/{seg(bridge_id)}/record", params=params
        )
        return LiveRecording.from_json(reply)

    async def start_moh(self, bridge_id: str, *, moh_class: str | None = None) -> None:
        await self._http.request(
            "POST", f"/bridges/{seg(bridge_id)}/moh", params={"mohClass": moh_class}
        )

    async def stop_moh(self, bridge_id: str) -> None:
        await self._http.request("DELETE", f"/bridges/{seg(bridge_id)}/moh")
