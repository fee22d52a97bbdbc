"""Runs each call's IVR interpreter over ARI: plays prompts, runs digit timers and lookups,
feeds back DTMF and playback ends, and hands queue/callback/transfer actions to the flow."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import uuid
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp

from acd.ari import AriError, AriNotFound
from acd.calls import Call, CallState
from ivr import actions as ia
from ivr import inputs as ii
from ivr.interpreter import Interpreter

if TYPE_CHECKING:
    from acd.callflow import CallFlow

__all__ = ["IvrRunner", "Lookup", "http_lookup"]

log = logging.getLogger(__name__)

Lookup = Callable[[str, float], Coroutine[Any, Any, dict[str, str]]]
_SOUND_LANG = "en"


@dataclass
class _Playback:
    call_id: str
    token: int


class IvrRunner:
    def __init__(self, flow: CallFlow, lookup: Lookup | None = None) -> None:
        self.flow = flow
        self._lookup = lookup or http_lookup
        self._ivr: dict[str, Interpreter] = {}
        self._playbacks: dict[str, _Playback] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}

    def _now(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.flow.clock(), tz=datetime.UTC)

    def has(self, call_id: str) -> bool:
        return call_id in self._ivr

    async def start(self, call: Call) -> None:
        board = self.flow.notices
        self._ivr[call.call_id] = Interpreter(self.flow.config.ivr,
                                              notices=lambda: tuple(board.media))
        await self.feed(call, ii.Started(self._now(), call.ani, call.dnis))

    def drop(self, call: Call, caller_hung_up: bool = False) -> None:
        ivr = self._ivr.pop(call.call_id, None)
        if ivr is not None and caller_hung_up:
            ivr.feed(ii.CallerHungUp(self._now()))
        timer = self._timers.pop(call.call_id, None)
        if timer is not None:
            timer.cancel()

    def stop(self) -> None:
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()

    async def agent_side_ended(self, call: Call) -> bool:
        """Offer what follows the agent (a survey); True when the IVR is done with the call."""
        ivr = self._ivr.get(call.call_id)
        if ivr is None:
            return True
        await self.feed(call, ii.AgentSideEnded(self._now()))
        return ivr.done

    async def feed(self, call: Call, inp: ii.Input) -> None:
        ivr = self._ivr.get(call.call_id)
        if ivr is None:
            return
        step = ivr.feed(inp)
        record = self.flow.record
        for s in step.trail:
            if s.kind == "caller_class":
                if call.caller_class != ivr.caller_class:
                    call.caller_class = ivr.caller_class
                    record("call_class", call_id=call.call_id, call_class=ivr.caller_class)
                continue
            data: dict[str, Any] = {"node": s.node, "step": s.kind}
            if "digit" in s.detail:
                data["key"] = s.detail["digit"]
            if s.kind == "entered" and s.detail.get("node_kind") == "survey":
                record("survey_offered", call_id=call.call_id)
            record("ivr_step", call_id=call.call_id, **data)
        for action in step.actions:
            await self._perform(call, action)

    async def _perform(self, call: Call, action: ia.Action) -> None:
        f = self.flow
        match action:
            case ia.Play(token=token, media=media):
                await self._play(call, token, media)
            case ia.StopPlayback():
                for pid, pb in list(self._playbacks.items()):
                    if pb.call_id == call.call_id:
                        with contextlib.suppress(AriNotFound):
                            await f.ari.playbacks.stop(pid)
            case ia.StartDigitTimer(token=token, seconds=seconds):
                self._start_timer(call, token, seconds)
            case ia.DoLookup(token=token, url=url, timeout=timeout):
                f.spawn(self._do_lookup(call, token, url, timeout))
            case ia.EnterQueue(queue=queue, priority=priority, skills=skills):
                await f.enter_queue(call, queue, priority, dict(skills or ()))
            case ia.Hangup():
                await f.hangup_caller(call, "system", "ivr")
            case ia.Transfer(number=number):
                await f.transfers.to_number(call, number)
            case ia.RequestCallback(queue=queue, number=number):
                await f.callbacks.request(call, queue, number)
            case ia.Voicemail(mailbox=mailbox, max_seconds=max_seconds):
                await f.voicemail(call, mailbox, max_seconds)
            case ia.RecordSurvey(score=score):
                if score is not None:
                    f.record("survey_answer", call_id=call.call_id, score=score)

    async def _play(self, call: Call, token: int, media: Sequence[str]) -> None:
        playback_id = uuid.uuid4().hex
        self._playbacks[playback_id] = _Playback(call.call_id, token)
        try:
            await self.flow.ari.channels.play(call.channel_id, list(media),
                                              playback_id=playback_id, lang=_SOUND_LANG)
        except AriError:
            self._playbacks.pop(playback_id, None)
            log.warning("call %s: cannot play %s; going on as if it finished",
                        call.call_id, media)
            await self.feed(call, ii.PlaybackFinished(self._now(), token))

    async def playback_finished(self, playback_id: str) -> None:
        pb = self._playbacks.pop(playback_id, None)
        call = self.flow.calls.get(pb.call_id) if pb else None
        if pb is not None and call is not None and not call.ended:
            await self.feed(call, ii.PlaybackFinished(self._now(), pb.token))

    def _start_timer(self, call: Call, token: int, seconds: float) -> None:
        old = self._timers.pop(call.call_id, None)
        if old is not None:
            old.cancel()

        def fire() -> None:
            self._timers.pop(call.call_id, None)
            if not call.ended:
                self.flow.spawn(self.feed(call, ii.TimerExpired(self._now(), token)))

        self._timers[call.call_id] = asyncio.get_running_loop().call_later(seconds, fire)

    async def _do_lookup(self, call: Call, token: int, url: str, timeout: float) -> None:
        inp: ii.Input
        try:
            fields = await asyncio.wait_for(self._lookup(url, timeout), timeout)
            inp = ii.LookupSucceeded(self._now(), token, fields)
        except Exception as exc:  # any failure of the service is the spoken-fallback case
            log.info("call %s: lookup %s failed: %s", call.call_id, url, exc)
            inp = ii.LookupFailed(self._now(), token)
        if not call.ended:
            await self.feed(call, inp)

    async def dtmf(self, call: Call, digit: str) -> None:
        if call.state in (CallState.IVR, CallState.SURVEY):
            await self.feed(call, ii.Digit(self._now(), digit))


async def http_lookup(url: str, timeout: float) -> dict[str, str]:
    """GET a self-service webhook; its JSON object's fields become IVR variables."""
    timeout_ = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(timeout=timeout_) as session, session.get(url) as resp:
        resp.raise_for_status()
        body = await resp.json(content_type=None)
    if not isinstance(body, dict):
        raise ValueError("lookup answer is not a JSON object")
    return {str(k): str(v) for k, v in body.items()}
