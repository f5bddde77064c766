"""The engine's side of a flow's call port (softphone/flows/port.py's CallPort, matched by
shape: the engine never imports flows). One port per call; everything runs on the poll thread.

Events go to the flow through 0-second engine timers, never from inside a pjsua2 callback:
an action that answers or hangs up from there would re-enter pjsua.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

import pjsua2 as pj

from softphone.engine.errors import EngineError, UnknownCall
from softphone.engine.flow_connect import Connect
from softphone.engine.media_sources import (
    Attachment,
    Echo,
    FilePlayer,
    ReceiveTap,
    TonePlayer,
    wav_seconds,
)
from softphone.engine.timers import TimerHandle
from softphone.engine.transport import error_text
from softphone.model import (
    Action,
    Call,
    CallChange,
    CallStatus,
    CallType,
    EndCause,
    HangupReason,
)
from softphone.model.timestamps import Timestamp

if TYPE_CHECKING:
    from softphone.engine.engine import CallUpdate, Engine
    from softphone.engine.session import CallSession

_log = logging.getLogger(__name__)


class FlowEvents(Protocol):
    """What a flow runner takes from its call (flows.port.CallEvents)."""

    def on_answered(self) -> None: ...

    def on_digit(self, digit: str) -> None: ...

    def on_ended(self) -> None: ...


class _Many:
    """Several handles stopped as one."""

    def __init__(self, *handles: TimerHandle) -> None:
        self.handles = list(handles)

    def cancel(self) -> None:
        for handle in self.handles:
            handle.cancel()


class _Attached:
    """An attachment on a call's media graph, with the timer that ends it."""

    def __init__(self, port: EngineCallPort, attachment: Attachment) -> None:
        self._port = port
        self.attachment: Attachment | None = attachment
        self.timer: TimerHandle | None = None

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        attachment, self.attachment = self.attachment, None
        if attachment is not None:
            self._port.detach(attachment)


class _Tap(_Attached):
    """The receive tap while an analysis reads it."""

    def __init__(self, port: EngineCallPort, tap: ReceiveTap) -> None:
        super().__init__(port, tap)
        self._tap = tap

    def take(self) -> bytes:
        return self._tap.take() if self.attachment is not None else b""


class EngineCallPort:
    def __init__(self, engine: Engine, call_id: UUID) -> None:
        self._engine = engine
        self.call_id = call_id
        self._events: FlowEvents | None = None
        self._answered = False
        self._ended = False
        self._digits_seen = 0
        self._notes: list[str] = []

    # -- the call ----------------------------------------------------------------------

    def _session(self) -> CallSession | None:
        try:
            return self._engine._session(self.call_id)
        except UnknownCall:
            return None

    def _live(self) -> CallSession:
        session = self._session()
        if session is None or session.call.is_over:
            raise EngineError("the call has ended")
        return session

    @property
    def call(self) -> Call:
        session = self._session()
        if session is None:
            return self._last
        self._last = session.call.model_copy(deep=True)
        return self._last

    _last = Call()

    def watch(self, events: FlowEvents) -> None:
        self._events = events
        session = self._session()
        if session is not None:
            self._last = session.call.model_copy(deep=True)
            self._answered = session.call.was_answered
            self._digits_seen = len(session.diagnostics.dtmf_received)
        self._engine.add_listener(self._changed)
        if session is None or session.call.is_over:
            self._soon(self._end)

    def _changed(self, update: CallUpdate) -> None:
        call = update.call
        if call.id != self.call_id or self._events is None:
            return
        self._last = call
        if call.was_answered and not self._answered and call.status is CallStatus.PROGRESSING:
            self._answered = True
            self._soon(lambda: self._events.on_answered() if self._events else None)
        received = update.diagnostics.dtmf_received
        for digit in received[self._digits_seen:]:
            self._soon(partial(self._digit, digit))
        self._digits_seen = len(received)
        if call.is_over:
            self._soon(self._end)

    def _digit(self, digit: str) -> None:
        if self._events is not None:
            self._events.on_digit(digit)

    def _end(self) -> None:
        if self._ended:
            return
        self._ended = True
        events, self._events = self._events, None
        self._engine.remove_listener(self._changed)
        if events is not None:
            events.on_ended()

    def _soon(self, callback: Callable[[], None]) -> None:
        self._engine.call_later(0, callback)

    def later(self, delay_s: float, callback: Callable[[], None]) -> TimerHandle:
        return self._engine.call_later(delay_s, callback)

    # -- the Call's flow fields ---------------------------------------------------------

    def set_flow(self, flow_id: UUID, call_type: CallType) -> None:
        session = self._session()
        if session is None:
            return
        session.call.flow_id = flow_id
        session.call.type = call_type
        if call_type is CallType.SIP_SERVICE:
            # A service answers it, not the user: off our devices, and answering it puts
            # no call of the user's on hold (the Test call's own leg is one of them).
            session.media.apart = True
            session.media.reconnect()
        session.call.touch()
        session.publish(CallChange.TYPE)

    def set_action(self, action: Action) -> None:
        session = self._session()
        if session is None or session.call.is_over:
            return
        session.call.action = action.model_copy(update={"tm_execute": Timestamp.now()})
        session.call.touch()
        session.publish(CallChange.ACTION)

    def note(self, text: str) -> None:
        session = self._session()
        if session is None:
            return
        session.origin = f"{session.origin}; {text}" if session.origin else text

    # -- acts ----------------------------------------------------------------------------

    def answer(self) -> None:
        session = self._live()
        if session.call.status is CallStatus.RINGING and not session.outgoing:
            self._engine.answer(self.call_id)

    def hangup(self, reason: HangupReason | None = None) -> None:
        session = self._session()
        if session is None or session.call.is_over:
            return
        if reason is HangupReason.AMD and session.outgoing:
            self._engine.end_call(self.call_id, EndCause.AMD)
        elif session.call.was_answered or session.outgoing:
            self._engine.end_call(self.call_id)
        elif reason is HangupReason.NOANSWER:
            self._engine.end_call(self.call_id, EndCause.RING_TIMEOUT, 480)
        else:  # busy, or any other reason: declined as busy (486)
            self._engine.end_call(self.call_id, EndCause.LOCAL_REJECT, 486)

    def set_max_duration(self, seconds: float) -> None:
        self._engine.set_max_duration(self.call_id, seconds)

    def _attach(self, attachment: Attachment, seconds: float | None,
                on_done: Callable[[], None] | None) -> _Attached:
        session = self._live()
        handle = _Attached(self, attachment)
        session.media.attach(attachment)
        if seconds is not None:
            def finished() -> None:
                handle.cancel()
                if on_done is not None:
                    on_done()
            handle.timer = self._engine.call_later(seconds, finished)
        return handle

    def detach(self, attachment: Attachment) -> None:
        session = self._session()
        if session is not None:
            session.media.detach(attachment)
        else:
            attachment.close()

    def play_file(self, path: Path, on_done: Callable[[], None]) -> _Attached:
        try:
            seconds = wav_seconds(path)
            player = FilePlayer(path)
        except (OSError, EOFError, ValueError) as exc:
            raise EngineError(f"cannot play {path}: {exc}") from None
        except pj.Error as exc:
            raise EngineError(f"cannot play {path}: {error_text(exc)}") from None
        # A frame's slack: the bridge takes the last samples on its next 20 ms tick.
        return self._attach(player, seconds + 0.04, on_done)

    def play_tone(self, frequencies: tuple[int, ...], ms: int,
                  on_done: Callable[[], None]) -> _Attached:
        return self._attach(TonePlayer(frequencies, ms), ms / 1000 + 0.04, on_done)

    def echo(self) -> _Attached:
        return self._attach(Echo(), None, None)

    def connect(self, targets: list[str], ring_timeout_s: float,
                on_bridged: Callable[[str], None], on_done: Callable[[str], None]) -> Connect:
        """Dial ``targets`` chained to this call; bridge the first to answer with it
        (flow_connect.py). ``on_done(outcome)`` when that call ends or none answered."""
        self._live()
        connect = Connect(self._engine, self.call_id, on_bridged, on_done)
        connect.dial(targets, ring_timeout_s, None)
        return connect

    def tap_audio(self) -> _Tap:
        """What the far end sends from now on, 16-bit mono PCM at 8 kHz (take() it)."""
        session = self._live()
        tap = _Tap(self, ReceiveTap())
        session.media.attach(tap._tap)
        return tap

    def send_digits(self, digits: str, duration_ms: int, interval_ms: int,
                    on_done: Callable[[], None]) -> _Many:
        self._live()
        handles = _Many()
        step_s = (duration_ms + interval_ms) / 1000

        def send(digit: str) -> None:
            session = self._session()
            if session is None or session.call.status is not CallStatus.PROGRESSING:
                return
            try:
                session.send_dtmf(digit, duration_ms)
            except (EngineError, pj.Error) as exc:
                text = error_text(exc) if isinstance(exc, pj.Error) else str(exc)
                _log.warning("could not send DTMF %s: %s", digit, text)

        for i, digit in enumerate(digits):
            handles.handles.append(self._engine.call_later(i * step_s, partial(send, digit)))
        total = (len(digits) - 1) * step_s + duration_ms / 1000
        handles.handles.append(self._engine.call_later(total, on_done))
        return handles

    def start_recording(self) -> None:
        self._live()
        self._engine.set_recording(self.call_id, True)

    def stop_recording(self) -> None:
        if self._session() is not None:
            self._engine.set_recording(self.call_id, False)

    def join_conference(self) -> None:
        self._live()
        self._engine.join_local_conference(self.call_id)

    def rx_level(self) -> int:
        """The far end's audio level now (0-255, pjmedia's), for silence detection."""
        session = self._session()
        stream = session.media.stream if session is not None else None
        if stream is None:
            return 0
        try:
            # pjsua2 names levels from the port's side: what the stream port transmits
            # into the bridge is the far end's audio (getRxLevel stayed 0 with a tone in).
            return int(stream.getTxLevel())
        except pj.Error:
            return 0
