"""`/channels`: originate, answer, hang up, play, record, hold, snoop, dial..."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from acd.ari.http import AriHttp, Params, seg
from acd.ari.models_generated import Channel, LiveRecording, Playback, Variable

__all__ = ["Channels", "HangupReason", "SnoopDirection", "TransferProgress"]

HangupReason = Literal[
    "normal", "busy", "congestion", "no_answer", "timeout", "rejected", "unallocated",
    "normal_unspecified", "number_incomplete", "codec_mismatch", "interworking",
    "failure", "answered_elsewhere",
]
SnoopDirection = Literal["none", "both", "out", "in"]
TransferProgress = Literal[
    "channel_progress", "channel_answered", "channel_unavailable", "channel_declined",
]


def _csv(values: Sequence[str] | None) -> str | None:
    return None if values is None else ",".join(values)


class Channels:
    """Typed calls on `/ari/channels`."""

    def __init__(self, http: AriHttp) -> None:
        self._http = http

    async def list(self) -> list[Channel]:
        return [Channel.from_json(c) for c in await self._http.request("GET", "/channels")]

    async def get(self, channel_id: str) -> Channel:
        return Channel.from_json(await self._http.request("GET", f"/channels/{seg(channel_id)}"))

    async def originate(
        self,
        endpoint: str,
        *,
        channel_id: str | None = None,
        app: str | None = None,
        app_args: Sequence[str] | None = None,
        extension: str | None = None,
        context: str | None = None,
        priority: int | None = None,
        label: str | None = None,
        caller_id: str | None = None,
        timeout: int | None = None,
        variables: Mapping[str, str] | None = None,
        other_channel_id: str | None = None,
        originator: str | None = None,
        formats: Sequence[str] | None = None,
    ) -> Channel:
        """Originate a call. Pass `channel_id` (and register a waiter first) to match the
        StasisStart that may arrive before this reply."""
        params = {
            "endpoint": endpoint,
            "app": app,
            "appArgs": _csv(app_args),
            "extension": extension,
            "context": context,
            "priority": priority,
            "label": label,
            "callerId": caller_id,
            "timeout": timeout,
            "otherChannelId": other_channel_id,
            "originator": originator,
            "formats": _csv(formats),
        }
        body = {"variables": dict(variables)} if variables else None
        path = f"/channels/{seg(channel_id)}" if channel_id else "/channels"
        return Channel.from_json(await self._http.request("POST", path, params=params, body=body))

    async def create(
        self,
        endpoint: str,
        app: str,
        *,
        channel_id: str | None = None,
        app_args: Sequence[str] | None = None,
        other_channel_id: str | None = None,
        originator: str | None = None,
        formats: Sequence[str] | None = None,
        variables: Mapping[str, str] | None = None,
    ) -> Channel:
        """Create a channel without dialing it (dial later with `dial`)."""
        params = {
            "endpoint": endpoint,
            "app": app,
            "appArgs": _csv(app_args),
            "channelId": channel_id,
            "otherChannelId": other_channel_id,
            "originator": originator,
            "formats": _csv(formats),
        }
        body = {"variables": dict(variables)} if variables else None
        return Channel.from_json(
            await self._http.request("POST", "/channels/create", params=params, body=body)
        )

    async def hangup(self, channel_id: str, *, reason: HangupReason | None = None) -> None:
        await self._http.request(
            "DELETE", f"/channels/{seg(channel_id)}", params={"reason": reason}
        )

    async def answer(self, channel_id: str) -> None:
        await self._post(channel_id, "answer")

    async def ring(self, channel_id: str) -> None:
        await self._post(channel_id, "ring")

    async def ring_stop(self, channel_id: str) -> None:
        await self._delete(channel_id, "ring")

    async def hold(self, channel_id: str) -> None:
        await self._post(channel_id, "hold")

    async def unhold(self, channel_id: str) -> None:
        await self._delete(channel_id, "hold")

    async def start_moh(self, channel_id: str, *, moh_class: str | None = None) -> None:
        await self._post(channel_id, "moh", {"mohClass": moh_class})

    async def stop_moh(self, channel_id: str) -> None:
        await self._delete(channel_id, "moh")

    async def start_silence(self, channel_id: str) -> None:
        await self._post(channel_id, "silence")

    async def stop_silence(self, channel_id: str) -> None:
        await self._delete(channel_id, "silence")

    async def mute(self, channel_id: str, *, direction: SnoopDirection = "both") -> None:
        await self._post(channel_id, "mute", {"direction": direction})

    async def unmute(self, channel_id: str, *, direction: SnoopDirection = "both") -> None:
        await self._delete(channel_id, "mute", {"direction": direction})

    async def send_dtmf(
        self,
        channel_id: str,
        dtmf: str,
        *,
        before: int | None = None,
        between: int | None = None,
        duration: int | None = None,
        after: int | None = None,
    ) -> None:
        params = {
            "dtmf": dtmf, "before": before, "between": between,
            "duration": duration, "after": after,
        }
        await self._post(channel_id, "dtmf", params)

    async def play(
        self,
        channel_id: str,
        media: str | Sequence[str],
        *,
        playback_id: str | None = None,
        lang: str | None = None,
        offsetms: int | None = None,
        skipms: int | None = None,
    ) -> Playback:
        """Play one media URI or several in turn (`sound:`, `recording:`, `digits:`...)."""
        params = {
            "media": media if isinstance(media, str) else ",".join(media),
            "lang": lang,
            "offsetms": offsetms,
            "skipms": skipms,
        }
        suffix = f"play/{seg(playback_id)}" if playback_id else "play"
        return Playback.from_json(await self._post(channel_id, suffix, params))

    async def record(
        self,
        channel_id: str,
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
        return LiveRecording.from_json(await self._post(channel_id, "record", params))

    async def snoop(
        self,
        channel_id: str,
        app: str,
        *,
        spy: SnoopDirection = "none",
        whisper: SnoopDirection = "none",
        app_args: Sequence[str] | None = None,
        snoop_id: str | None = None,
    ) -> Channel:
        """A snoop channel on `channel_id`: `spy` to listen, `whisper` to talk to it
        (supervisor listen: spy="both"; whisper to the agent: whisper="out")."""
        params = {"app": app, "spy": spy, "whisper": whisper, "appArgs": _csv(app_args)}
        suffix = f"snoop/{seg(snoop_id)}" if snoop_id else "snoop"
        return Channel.from_json(await self._post(channel_id, suffix, params))

    async def dial(
        self, channel_id: str, *, caller: str | None = None, timeout: int | None = None
    ) -> None:
        await self._post(channel_id, "dial", {"caller": caller, "timeout": timeout})

    async def continue_in_dialplan(
        self,
        channel_id: str,
        *,
        context: str | None = None,
        extension: str | None = None,
        priority: int | None = None,
        label: str | None = None,
    ) -> None:
        params = {
            "context": context, "extension": extension, "priority": priority, "label": label,
        }
        await self._post(channel_id, "continue", params)

    async def redirect(self, channel_id: str, endpoint: str) -> None:
        await self._post(channel_id, "redirect", {"endpoint": endpoint})

    async def get_var(self, channel_id: str, variable: str) -> str:
        reply = await self._http.request(
            "GET", f"/channels/{seg(channel_id)}/variable", params={"variable": variable}
        )
        return Variable.from_json(reply).value

    async def set_var(self, channel_id: str, variable: str, value: str | None) -> None:
        await self._post(channel_id, "variable", {"variable": variable, "value": value})

    async def transfer_progress(self, channel_id: str, states: TransferProgress) -> None:
        """Tell the transferring phone how a transfer the app handles is going (a SIP REFER
        on a channel with ``PJSIP_TRANSFER_HANDLING(ari-only)``)."""
        await self._post(channel_id, "transfer_progress", {"states": states})

    async def _post(
        self, channel_id: str, suffix: str, params: Params | None = None
    ) -> Any:
        return await self._http.request(
            "POST", f"/channels/{seg(channel_id)}/{suffix}", params=params
        )

    async def _delete(
        self, channel_id: str, suffix: str, params: Params | None = None
    ) -> None:
        await self._http.request("DELETE", f"/channels/{seg(channel_id)}/{suffix}", params=params)
