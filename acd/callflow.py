"""The hotline's call flow: ARI events in, routing-core and IVR decisions carried out.

One `CallFlow` serves every call of one Asterisk. ARI events arrive in order per channel
(the client's dispatcher); the routing core and the IVR interpreters are pure and are fed
from here; their commands become ARI requests. Facts go to the event recorder.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

from acd.agent_desk import AgentDesk, AgentRuntime
from acd.ari import AriClient, AriError, AriEvent, AriNotFound, Connected, Disconnected
from acd.ari.models_generated import (
    ChannelDestroyed,
    ChannelDtmfReceived,
    ChannelHangupRequest,
    ChannelHold,
    ChannelStateChange,
    ChannelTransfer,
    ChannelUnhold,
    DeviceStateChanged,
    PlaybackFinished,
    RecordingFailed,
    RecordingFinished,
    StasisEnd,
    StasisStart,
)
from acd.callbacks import Callbacks
from acd.calls import Call, CallState, Leg
from acd.config import Config
from acd.config_model import AnnounceConfig
from acd.control import TransferTargetKind
from acd.event_sink import Recorder
from acd.ivr_runner import IvrRunner, Lookup
from acd.notices import NoticeBoard
from acd.reattach import reattach, release_agent
from acd.routing_setup import routing_config
from acd.supervision import Supervision
from acd.transfers import Transfers
from agents.states import AgentStateChanged, IllegalTransition
from queues import commands as qc
from queues import events as qe
from queues.config import MaxWaitAction, OfferResult
from queues.core import InvalidEvent, RoutingCore

__all__ = ["CallFlow"]

log = logging.getLogger(__name__)

# Q.850 causes of an agent leg that ended before answer.
_BUSY_CAUSES = {17}
_REJECT_CAUSES = {21}
CALLBACK_KEY = "*"
_BRIDGE_PREFIXES = ("call-", "consult-", "sup-")
VOICEMAIL_KEY = "#"
_TICK_SECONDS = 0.25


def announcement_media(announce: AnnounceConfig, position: int, ewt: float | None) -> list[str]:
    """What a waiting caller hears: the position and the estimated wait (whole minutes,
    at least one), each only if the queue's `announce` section asks for it."""
    media: list[str] = []
    if announce.position:
        media += ["sound:queue-thereare", f"number:{position}", "sound:queue-callswaiting"]
    if announce.ewt and ewt is not None:
        media += ["sound:queue-holdtime", f"number:{max(1, round(ewt / 60))}",
                  "sound:queue-minutes"]
    return media


class CallFlow:
    def __init__(
        self,
        config: Config,
        ari: AriClient,
        record: Recorder,
        *,
        clock: Callable[[], float] = time.time,
        lookup: Lookup | None = None,
    ) -> None:
        self.config = config
        self.ari = ari
        self.record = record
        self.clock = clock
        self.core = RoutingCore(routing_config(config), clock)
        self.calls: dict[str, Call] = {}
        self._by_channel: dict[str, str] = {}
        self._legs: dict[str, tuple[str, Leg]] = {}
        self._offers: dict[int, str] = {}
        self.notices = NoticeBoard(config.ivr)
        self._voicemails: dict[str, str] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._errors: list[BaseException] = []
        self._resync_lock = asyncio.Lock()
        self.app = config.ari.app
        self.consults: dict[str, str] = {}
        self.transfers = Transfers(self)
        self.callbacks = Callbacks(self)
        self.desk = AgentDesk(self)
        self.agents = self.desk.agents
        self.ivr = IvrRunner(self, lookup)
        self.supervision = Supervision(self)

    # ------------------------------------------------------------------ lifecycle

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set; tick the routing core's timers meanwhile."""
        sub = self.ari.subscribe(self.on_event)
        if self.ari.connected:
            # Its Connected event may have gone out before this subscription.
            self.spawn(self.resync())
        try:
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), _TICK_SECONDS)
                # Never wait for ARI work here: a slow request must not hold back the
                # core's clock-driven decisions (ring timeouts, overflow).
                self.apply_event(qe.Tick())
        finally:
            sub.close()
            self.ivr.stop()
            await self._drain()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(self._guarded(coro))
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            assert exc is not None
            log.error("call-flow task failed", exc_info=exc)
            self._errors.append(exc)

    async def _drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ------------------------------------------------------------------ agents

    # ------------------------------------------------------------------ ARI events

    async def on_event(self, event: AriEvent) -> None:
        await self._guarded(self._on_event(event))

    @staticmethod
    async def _guarded(coro: Coroutine[Any, Any, None]) -> None:
        try:
            await coro
        except AriNotFound as exc:
            # The channel went away while we acted on it; its own hang-up event follows.
            log.info("ARI: %s", exc)
        except AriError as exc:
            # A channel that hung up meanwhile is "not found" in some requests' 400s too.
            log.warning("ARI request failed: %s", exc)

    async def _on_event(self, event: AriEvent) -> None:
        match event:
            case StasisStart():
                await self._stasis_start(event)
            case ChannelDtmfReceived():
                await self._dtmf(event.channel.id, event.digit)
            case PlaybackFinished():
                await self.ivr.playback_finished(event.playback.id)
            case RecordingFinished() | RecordingFailed():
                await self._recording_done(event.recording.name)
            case ChannelStateChange() if event.channel.state == "Ringing":
                leg = self._legs.get(event.channel.id)
                if leg is not None and leg[1].offer_id is not None:
                    self.apply_event(qe.OfferRinging(leg[1].offer_id))
            case ChannelHangupRequest() | StasisEnd() | ChannelDestroyed():
                await self._channel_gone(event)
            case ChannelHold():
                await self._agent_hold(event.channel.id, held=True)
            case ChannelUnhold():
                await self._agent_hold(event.channel.id, held=False)
            case ChannelTransfer():
                await self._refer(event)
            case DeviceStateChanged():
                self.desk.device_state(event.device_state.name, event.device_state.state)
            case Connected():
                await self.resync()
            case Disconnected():
                log.warning("ARI disconnected: %s; calls stay up in Asterisk", event.reason)
            case _:
                pass

    async def _stasis_start(self, event: StasisStart) -> None:
        args = list(event.args)
        role = args[0] if args else ""
        channel = event.channel
        if role == "hotline":
            await self._new_call(channel.id, channel.caller.number, channel.dialplan.exten,
                                 channel.channelvars or {})
        elif role == "agent" and channel.id in self._legs:
            await self._agent_answered(channel.id)
        elif role == "agent":
            # An offer that ended before the phone was answered: nobody waits for this leg.
            await self._hangup_quietly(channel.id)
        elif role == "feature":
            await self.desk.feature(channel.id, channel.name, args[1] if len(args) > 1 else "")
        elif role == "external" and channel.id in self._legs:
            call = self.calls.get(self._legs[channel.id][0])
            if call is not None:
                await self.transfers.external_answered(call, channel.id)
        elif role == "callback" and channel.id in self._by_channel:
            await self._callback_answered(self._by_channel[channel.id], channel.id)

    # ------------------------------------------------------------------ calls

    async def _new_call(self, channel_id: str, ani: str, dnis: str,
                        channelvars: Mapping[str, Any]) -> None:
        existing = str(channelvars.get("ACD_CALL_ID") or "")
        if existing and existing in self.calls:
            return
        call_id = existing or uuid.uuid4().hex
        now = self.clock()
        call = Call(call_id, channel_id, ani or "", dnis or "", now)
        self.calls[call_id] = call
        self._by_channel[channel_id] = call_id
        self.record("call_started", call_id=call_id, ani=call.ani, dnis=call.dnis)
        await self.ari.channels.set_var(channel_id, "ACD_CALL_ID", call_id)
        await self.ari.channels.set_var(channel_id, "ACD_ROLE", "caller")
        await self.ari.channels.answer(channel_id)
        await self.ivr.start(call)

    async def _dtmf(self, channel_id: str, digit: str) -> None:
        call_id = self._by_channel.get(channel_id)
        call = self.calls.get(call_id) if call_id else None
        if call is None or channel_id != call.channel_id:
            return
        if call.state is CallState.QUEUED:
            await self._queue_key(call, digit)
        else:
            await self.ivr.dtmf(call, digit)

    # ------------------------------------------------------------------ queueing

    async def enter_queue(self, call: Call, queue: str, priority: str,
                          skills: dict[str, int], preferred: str | None = None) -> None:
        call.queue = queue
        if call.state is not CallState.QUEUED:
            call.move(CallState.QUEUED, self.clock(), f"enter {queue}")
        call.priority = priority
        await self.ari.channels.set_var(call.channel_id, "ACD_QUEUE", queue)
        await self.ari.channels.set_var(call.channel_id, "ACD_PRIORITY", priority)
        preferred = preferred or self._dedicated_for(call)
        self.apply_event(qe.CallArrived(call.call_id, queue, priority, skills,
                                        preferred_agent=preferred, ani=call.ani))

    def _dedicated_for(self, call: Call) -> str | None:
        if call.caller_class != self.config.vip.caller_class:
            return None
        return next((a.id for a in self.config.agents if a.dedicated), None)

    def apply_event(self, event: qe.Event) -> None:
        """Feed the routing core and carry out what it says (ARI work is spawned)."""
        try:
            commands = self.core.handle(event)
        except (InvalidEvent, IllegalTransition) as exc:
            log.warning("routing core refused %s: %s", type(event).__name__, exc)
            return
        self.carry_out(commands)

    def carry_out(self, commands: Sequence[qc.Command | AgentStateChanged]) -> None:
        for command in commands:
            self._command(command)

    def _command(self, cmd: qc.Command | AgentStateChanged) -> None:
        if not isinstance(cmd, AgentStateChanged | qc.PauseAgent) and cmd.call_id in self.consults:
            self._consult_command(cmd)
            return
        match cmd:
            case AgentStateChanged():
                self.desk.state_changed(cmd)
            case qc.Queued() if self.callbacks.silent(cmd.call_id):
                pass
            case qc.Queued():
                call = self.calls.get(cmd.call_id)
                if call is not None:
                    self.record("queue_entered", call_id=cmd.call_id, queue=cmd.queue,
                                priority=call.priority)
                    if not self.callbacks.waiting(call.core_id):
                        self.spawn(self.moh(call, True))
            case qc.Offer():
                self._offer(cmd)
            case qc.CancelOffer():
                self._cancel_offer(cmd)
            case qc.Connected():
                self.spawn(self._connect(cmd))
            case qc.Blocked():
                self.record("queue_exited", call_id=cmd.call_id, queue=cmd.queue,
                            outcome=cmd.reason)
                call = self.calls.get(cmd.call_id)
                if call is not None:
                    self.spawn(self.hangup_caller(call, "system", cmd.reason))
            case qc.Overflow():
                # The old visit's exit and the new one's Queued come from the core as well.
                call = self.calls.get(cmd.call_id)
                if call is not None:
                    call.queue = cmd.to_queue
                    self.spawn(self.ari.channels.set_var(call.channel_id, "ACD_QUEUE",
                                                         cmd.to_queue))
            case qc.LeaveQueue():
                call = self.calls.get(cmd.call_id)
                if call is not None and cmd.action is MaxWaitAction.CALLBACK:
                    self.spawn(self.callbacks.after_max_wait(call, cmd.queue))
                elif call is not None:
                    self.spawn(self.voicemail(call, cmd.queue, 120))
            case qc.AnnounceEwt():
                call = self.calls.get(cmd.call_id)
                if call is not None and not self.callbacks.waiting(call.core_id):
                    self.spawn(self._announce(call, cmd.position, cmd.ewt))
            case qc.PauseAgent():
                log.info("agent %s paused: %s", cmd.agent_id, cmd.reason)
            case qc.QueueExit() if self.callbacks.waiting(cmd.call_id):
                pass  # the visit ended when the callback was requested
            case qc.QueueExit():
                self.record("queue_exited", call_id=self.call_id_for(cmd.call_id),
                            queue=cmd.queue, agent_id=cmd.agent_id, outcome=cmd.outcome)

    def _consult_command(self, cmd: qc.Command) -> None:
        """A consultation is routed like a call but is no queue visit of its own."""
        match cmd:
            case qc.Offer():
                self._offer(cmd)
            case qc.CancelOffer():
                self._cancel_offer(cmd)
            case qc.Connected():
                self.spawn(self._connect(cmd))
            case _:
                pass

    def call_for(self, core_id: str) -> Call | None:
        """The call a routing-core id belongs to (a consultation maps to its call, a
        waiting callback to the call that delivers it)."""
        if self.callbacks.waiting(core_id):
            return self.callbacks.call_for(core_id)
        return self.calls.get(self.consults.get(core_id, core_id))

    def call_id_for(self, core_id: str) -> str:
        """The call id events are recorded under for a routing-core id."""
        return self.consults.get(core_id) or self.callbacks.aliases.get(core_id) or core_id

    def map_channel(self, channel_id: str, call_id: str) -> None:
        self._by_channel[channel_id] = call_id

    async def end_agent_leg(self, call: Call) -> None:
        """The agent's part of a call ends without a caller (a callback nobody answered)."""
        self.apply_event(qe.CallEnded(call.core_id))
        await self.hangup_caller(call, "system", "callback_failed")

    def track_leg(self, call: Call, leg: Leg) -> None:
        call.legs[leg.channel_id] = leg
        self._legs[leg.channel_id] = (call.call_id, leg)
        self._by_channel[leg.channel_id] = call.call_id

    def forget_leg(self, call: Call, leg_id: str) -> None:
        call.legs.pop(leg_id, None)
        self._legs.pop(leg_id, None)
        self._by_channel.pop(leg_id, None)

    async def moh(self, call: Call, on: bool) -> None:
        with contextlib.suppress(AriNotFound):
            if on:
                queue = self.config.queue(call.queue) if call.queue else None
                await self.ari.channels.start_moh(
                    call.channel_id, moh_class=queue.music_class if queue else "default")
            else:
                await self.ari.channels.stop_moh(call.channel_id)

    async def _announce(self, call: Call, position: int, ewt: float | None) -> None:
        announce = self.config.queue(call.queue).announce if call.queue else AnnounceConfig()
        media = announcement_media(announce, position, ewt)
        if not media:
            return
        await self.moh(call, False)
        with contextlib.suppress(AriError):
            await self.ari.channels.play(call.channel_id, media, playback_id=uuid.uuid4().hex)
        await asyncio.sleep(0)
        if call.state is CallState.QUEUED:
            await self.moh(call, True)

    # ------------------------------------------------------------------ offers

    def _offer(self, offer: qc.Offer) -> None:
        """Book the offer at once, so a cancel that follows in the same turn finds it;
        only the originate is left to a task."""
        call = self.call_for(offer.call_id)
        agent = self.agents.get(offer.agent_id)
        if call is None or agent is None:
            self.spawn(self._offer_impossible(offer.offer_id))
            return
        leg_id = f"leg-{offer.offer_id}-{uuid.uuid4().hex[:8]}"
        leg = Leg(leg_id, offer.agent_id, offer.offer_id)
        self.track_leg(call, leg)
        self._offers[offer.offer_id] = leg_id
        if call.state is CallState.QUEUED:
            call.move(CallState.OFFERING, self.clock(), f"offer {offer.offer_id}")
        self.record("ring_started", call_id=call.call_id, agent_id=offer.agent_id,
                    queue=offer.queue)
        self.spawn(self._originate_offer(offer, call, agent, leg_id))

    async def _offer_impossible(self, offer_id: int) -> None:
        self.apply_event(qe.OfferFailed(offer_id, OfferResult.NO_ANSWER))

    async def _originate_offer(self, offer: qc.Offer, call: Call, agent: AgentRuntime,
                               leg_id: str) -> None:
        try:
            await self.ari.channels.originate(
                agent.endpoint, channel_id=leg_id, app=self.app,
                app_args=["agent", call.call_id, str(offer.offer_id)],
                caller_id=f'"{offer.queue}" <{call.ani}>',
                timeout=int(offer.timeout) + 5,
                variables={"ACD_CALL_ID": call.call_id, "ACD_ROLE": "agent",
                           "ACD_AGENT": offer.agent_id, "ACD_QUEUE": offer.queue},
                formats=["ulaw"] if agent.endpoint.startswith("Local/") else None,
            )
        except AriError as exc:
            log.info("offer %s to %s failed at once: %s", offer.offer_id, agent.endpoint, exc)
            self._leg_failed(leg_id, OfferResult.BUSY)
            return
        if leg_id not in self._legs:
            # Cancelled while the originate was on its way: its hang-up found no channel yet.
            await self._hangup_quietly(leg_id)

    def _leg_failed(self, leg_id: str, result: OfferResult) -> None:
        entry = self._legs.pop(leg_id, None)
        if entry is None:
            return
        call_id, leg = entry
        self._by_channel.pop(leg_id, None)
        call = self.calls.get(call_id)
        if call is not None:
            call.legs.pop(leg_id, None)
        if leg.offer_id is not None:
            self._offers.pop(leg.offer_id, None)
            self.record("ring_ended", call_id=call_id, agent_id=leg.agent_id, result=result.value)
            self.apply_event(qe.OfferFailed(leg.offer_id, result))
        if call is not None and call.state is CallState.OFFERING and not call.legs:
            call.move(CallState.QUEUED, self.clock(), "offer failed")

    def _cancel_offer(self, cmd: qc.CancelOffer) -> None:
        """Book the ring's end at once (the caller's own clean-up may follow in the same
        turn); only hanging up the agent's phone is left to a task."""
        leg_id = self._offers.pop(cmd.offer_id, None)
        entry = self._legs.pop(leg_id, None) if leg_id else None
        if entry is None or leg_id is None:
            return
        call_id, leg = entry
        self._by_channel.pop(leg_id, None)
        call = self.calls.get(call_id)
        if call is not None:
            call.legs.pop(leg_id, None)
            if call.state is CallState.OFFERING and not call.legs:
                call.move(CallState.QUEUED, self.clock(), "offer cancelled")
        gone = call is None or call.ended or call.hangup_by == "caller"
        result = "caller_gone" if gone else "no_answer"
        self.record("ring_ended", call_id=call_id, agent_id=leg.agent_id, result=result)
        self.spawn(self._hangup_quietly(leg_id))

    async def _hangup_quietly(self, channel_id: str) -> None:
        with contextlib.suppress(AriNotFound):
            await self.ari.channels.hangup(channel_id)

    async def _agent_answered(self, leg_id: str) -> None:
        entry = self._legs.get(leg_id)
        if entry is None:
            return
        call_id, leg = entry
        leg.answered = True
        if leg.offer_id is not None:
            self.record("ring_ended", call_id=call_id, agent_id=leg.agent_id, result="answered")
            self.apply_event(qe.OfferAnswered(leg.offer_id))

    async def _connect(self, cmd: qc.Connected) -> None:
        call = self.call_for(cmd.call_id)
        if call is None:
            return
        leg_id = next((lid for lid, leg in call.legs.items()
                       if leg.agent_id == cmd.agent_id and leg.answered), None)
        if leg_id is None:
            return
        leg = call.legs[leg_id]
        if leg.offer_id is not None:
            self._offers.pop(leg.offer_id, None)
        leg.offer_id = None
        if cmd.call_id not in self.consults:
            call.agent_id = cmd.agent_id
        if cmd.call_id in self.consults:
            await self.transfers.consult_connected(call, leg_id, cmd.agent_id)
            return
        if call.dnis == "callback":
            await self.callbacks.agent_answered(call, leg)
            return
        await self._bridge(call, leg_id, cmd.agent_id)

    async def _bridge(self, call: Call, leg_id: str, agent_id: str) -> None:
        call.move(CallState.CONNECTED, self.clock(), f"agent {agent_id}")
        await self.moh(call, False)
        if call.bridge_id is None:
            bridge = await self.ari.bridges.create(type="mixing,dtmf_events",
                                                   bridge_id=f"call-{call.call_id}")
            call.bridge_id = bridge.id
        await self.ari.bridges.add_channel(call.bridge_id, [call.channel_id, leg_id])
        await self.ari.channels.set_var(call.channel_id, "ACD_AGENT", agent_id)
        if self.agents[agent_id].endpoint.upper().startswith("PJSIP/"):
            # A REFER from the softphone comes to the app as ChannelTransfer (blind
            # transfers then follow the hotline's own rules and are recorded like the API's).
            with contextlib.suppress(AriError):
                await self.ari.channels.set_var(leg_id, "PJSIP_TRANSFER_HANDLING()", "ari-only")
        await self.begin_talk(call, agent_id)

    async def begin_talk(self, call: Call, agent_id: str) -> None:
        """The agent and the caller hear each other: record the bridge (one file per agent
        segment of the call) and the start of the talk segment, naming the file."""
        name = None
        if self.config.recording.enabled and call.bridge_id is not None:
            call.segments += 1
            name = f"acd-{call.call_id}-{call.segments}"
            try:
                await self.ari.bridges.record(call.bridge_id, name=name, format="wav",
                                              if_exists="overwrite")
                call.recording = name
            except AriError as exc:
                log.warning("call %s: recording not started: %s", call.call_id, exc)
                name = None
        extra = {"recording": name} if name else {}
        self.record("talk_started", call_id=call.call_id, agent_id=agent_id, queue=call.queue,
                    **extra)

    async def _refer(self, event: ChannelTransfer) -> None:
        """A softphone asked to transfer its call (SIP REFER)."""
        leg_id = event.referred_by.source_channel.id
        entry = self._legs.get(leg_id)
        call = self.calls.get(entry[0]) if entry else None
        target = event.refer_to.requested_destination.destination
        if call is None or entry is None or call.agent_id != entry[1].agent_id or not target:
            # Attended transfers by REFER/Replaces are not taken: the API offers them.
            await self.ari.channels.transfer_progress(leg_id, "channel_declined")
            return
        queues = {q.name for q in self.config.queues}
        kind: TransferTargetKind = (
            "agent" if target in self.agents else "queue" if target in queues else "external")
        await self.ari.channels.transfer_progress(leg_id, "channel_answered")
        await self.transfers.blind(call, kind, target)

    # ------------------------------------------------------------------ hold

    async def _agent_hold(self, channel_id: str, held: bool) -> None:
        entry = self._legs.get(channel_id)
        if entry is None:
            return
        call = self.calls.get(entry[0])
        if call is not None:
            await self.set_hold(call, held)

    async def set_hold(self, call: Call, held: bool) -> None:
        if held and call.state is CallState.CONNECTED:
            call.move(CallState.HELD, self.clock(), "hold")
            self.record("hold_started", call_id=call.call_id, agent_id=call.agent_id)
            self.apply_event(qe.CallHeld(call.core_id))
            await self.moh(call, True)
        elif not held and call.state is CallState.HELD:
            call.move(CallState.CONNECTED, self.clock(), "unhold")
            self.record("hold_ended", call_id=call.call_id, agent_id=call.agent_id)
            self.apply_event(qe.CallResumed(call.core_id))
            await self.moh(call, False)

    # ------------------------------------------------------------------ hang-ups

    async def _channel_gone(self, event: ChannelHangupRequest | StasisEnd | ChannelDestroyed,
                            ) -> None:
        channel_id = event.channel.id
        if await self.supervision.gone(channel_id):
            return
        if channel_id in self._legs:
            await self._leg_gone(channel_id, event)
            return
        call_id = self._by_channel.get(channel_id)
        call = self.calls.get(call_id) if call_id else None
        if call is None or call.ended:
            return
        if channel_id == call.channel_id:
            await self._caller_gone(call)

    async def _leg_gone(self, leg_id: str, event: AriEvent | _Vanished) -> None:
        call_id, leg = self._legs[leg_id]
        call = self.calls.get(call_id)
        if not leg.answered:
            if isinstance(event, ChannelDestroyed | _Vanished):
                cause = event.cause
                result = (OfferResult.BUSY if cause in _BUSY_CAUSES else
                          OfferResult.REJECTED if cause in _REJECT_CAUSES else
                          OfferResult.NO_ANSWER)
                self._leg_failed(leg_id, result)
            return
        self._legs.pop(leg_id, None)
        self._by_channel.pop(leg_id, None)
        if call is None or call.ended:
            return
        call.legs.pop(leg_id, None)
        if call.agent_id == leg.agent_id and call.state in (CallState.CONNECTED, CallState.HELD):
            await self._agent_side_ended(call, leg.agent_id)

    async def _agent_side_ended(self, call: Call, agent_id: str) -> None:
        if call.state is CallState.HELD:
            self.record("hold_ended", call_id=call.call_id, agent_id=agent_id)
        self.record("talk_ended", call_id=call.call_id, agent_id=agent_id)
        self.apply_event(qe.CallEnded(call.core_id))
        call.hangup_by = call.hangup_by or "agent"
        call.move(CallState.SURVEY, self.clock(), "agent hung up")
        await self.stop_recording(call)
        if call.bridge_id is not None:
            with contextlib.suppress(AriNotFound):
                await self.ari.bridges.remove_channel(call.bridge_id, [call.channel_id])
        done = await self.ivr.agent_side_ended(call)
        if done or call.state is CallState.ENDED:
            await self.hangup_caller(call, "agent", "agent hung up")

    async def _caller_gone(self, call: Call, outcome: str | None = None) -> None:
        now = self.clock()
        call.hangup_by = call.hangup_by or "caller"
        state = call.state
        self.ivr.drop(call, caller_hung_up=True)
        if state in (CallState.QUEUED, CallState.OFFERING):
            if self.callbacks.waiting(call.core_id) and call.dnis != "callback":
                pass  # the caller keeps their place for the callback
            elif call.dnis == "callback" and call.agent_id is not None:
                self.apply_event(qe.CallEnded(call.core_id))
            else:
                self.apply_event(qe.CallerLeft(call.core_id, "hangup"))
        elif state in (CallState.CONNECTED, CallState.HELD):
            if state is CallState.HELD:
                self.record("hold_ended", call_id=call.call_id, agent_id=call.agent_id)
            self.record("talk_ended", call_id=call.call_id, agent_id=call.agent_id)
            self.apply_event(qe.CallEnded(call.core_id))
            await self.stop_recording(call)
        elif state is CallState.IVR:
            self.record("ivr_finished", call_id=call.call_id, self_service=True)
        call.move(CallState.ENDED, now, outcome or "caller hung up")
        self.record("call_ended", call_id=call.call_id, hangup_by=call.hangup_by,
                    outcome=outcome or state.value)
        await self._cleanup(call)

    async def hangup_caller(self, call: Call, by: str, reason: str) -> None:
        if call.ended:
            return
        call.hangup_by = call.hangup_by or by
        state = call.state
        if state is CallState.IVR:
            self.record("ivr_finished", call_id=call.call_id, self_service=True)
        call.move(CallState.ENDED, self.clock(), reason)
        self.record("call_ended", call_id=call.call_id, hangup_by=call.hangup_by,
                    outcome=reason)
        self.ivr.drop(call)
        with contextlib.suppress(AriNotFound):
            await self.ari.channels.hangup(call.channel_id)
        await self._cleanup(call)

    async def _cleanup(self, call: Call) -> None:
        for leg_id in list(call.legs):
            self._legs.pop(leg_id, None)
            self._by_channel.pop(leg_id, None)
            with contextlib.suppress(AriNotFound):
                await self.ari.channels.hangup(leg_id)
        call.legs.clear()
        if call.bridge_id is not None:
            with contextlib.suppress(AriNotFound):
                await self.ari.bridges.destroy(call.bridge_id)
        self._by_channel.pop(call.channel_id, None)
        self.calls.pop(call.call_id, None)
        if call.reattached and call.agent_id is not None:
            release_agent(self, call.agent_id)

    async def stop_recording(self, call: Call) -> None:
        if call.recording is None:
            return
        name, call.recording = call.recording, None
        with contextlib.suppress(AriNotFound):
            await self.ari.recordings.stop(name)

    # ------------------------------------------------------------------ other exits

    async def voicemail(self, call: Call, mailbox: str, max_seconds: int) -> None:
        """Record a message after the beep; the call ends when the recording does."""
        if call.ended:
            return
        await self.moh(call, False)
        name = f"vm-{mailbox}-{call.call_id}"
        self._voicemails[name] = call.call_id
        try:
            await self.ari.channels.record(
                call.channel_id, name=name, format="wav", max_duration_seconds=max_seconds,
                beep=True, terminate_on="#", if_exists="overwrite")
        except AriError as exc:
            self._voicemails.pop(name, None)
            log.warning("call %s: voicemail not recorded: %s", call.call_id, exc)
            await self.hangup_caller(call, "system", "voicemail_failed")

    async def _recording_done(self, name: str) -> None:
        call = self.calls.get(self._voicemails.pop(name, ""))
        if call is not None:
            await self.hangup_caller(call, "system", "voicemail")

    async def _queue_key(self, call: Call, digit: str) -> None:
        """Keys a waiting caller may press: `*` for a callback (keeping their place), `#` to
        leave a message instead of waiting."""
        if call.call_id in self._voicemails.values():
            return  # recording a message: `#` ends it in Asterisk
        if digit == CALLBACK_KEY and call.queue is not None:
            await self.callbacks.request(call, call.queue, call.ani)
            await self.moh(call, False)
            await self.hangup_caller(call, "system", "callback_requested")
        elif digit == VOICEMAIL_KEY and call.queue is not None:
            queue = call.queue
            self.apply_event(qe.CallerLeft(call.core_id, "exit_key"))
            await self.voicemail(call, queue, 120)

    async def _callback_answered(self, call_id: str, channel_id: str) -> None:
        call = self.calls.get(call_id)
        if call is not None and call.channel_id == channel_id:
            await self.callbacks.caller_answered(call)

    # ------------------------------------------------------------------ supervisors

    # ------------------------------------------------------------------ re-sync

    async def resync(self) -> None:
        """After a (re)connect: subscribe to the agents' phones, log in again the agents an
        earlier controller had logged in (Asterisk globals), close calls whose channels
        vanished while disconnected, keep the rest, adopt tagged calls this controller does
        not know, and destroy the hotline's bridges that no call uses any more."""
        async with self._resync_lock:
            await self._resync()

    async def _resync(self) -> None:
        try:
            await self.desk.subscribe_devices()
        except AriError as exc:
            log.warning("device states not subscribed: %s", exc)
        await self.desk.presence.restore()
        try:
            channels = await self.ari.channels.list()
        except AriError as exc:
            log.warning("re-sync: cannot list channels: %s", exc)
            return
        live = {c.id for c in channels}
        for call in list(self.calls.values()):
            if call.channel_id not in live and not call.ended:
                log.info("re-sync: call %s vanished while disconnected", call.call_id)
                call.hangup_by = call.hangup_by or "system"
                await self._caller_gone(call, "lost_while_disconnected")
            for leg_id in list(call.legs):
                if leg_id not in live:
                    await self._leg_gone(leg_id, _Vanished())
        await reattach(self, channels)
        await self._drop_orphan_bridges()

    async def _drop_orphan_bridges(self) -> None:
        try:
            bridges = await self.ari.bridges.list()
        except AriError as exc:
            log.warning("re-sync: cannot list bridges: %s", exc)
            return
        used = {b for call in self.calls.values() for b in (call.bridge_id, call.consult_bridge)}
        used |= self.supervision.bridges()
        for bridge in bridges:
            ours = bridge.id.startswith(_BRIDGE_PREFIXES)
            if ours and bridge.id not in used and not bridge.channels:
                log.info("re-sync: destroying bridge %s that no call uses", bridge.id)
                with contextlib.suppress(AriNotFound):
                    await self.ari.bridges.destroy(bridge.id)

    def adopt(self, call: Call) -> None:
        """Take over a call found in Asterisk (see acd.reattach)."""
        call.reattached = True
        self.calls[call.call_id] = call
        self._by_channel[call.channel_id] = call.call_id


class _Vanished:
    """Stands for a leg's ChannelDestroyed that was lost while disconnected."""

    cause = 0
