"""The narrow engine facade a flow drives one call through (implemented in engine/flow_port.py).

Everything here runs on the engine's poll thread (pjsua2 is mainThreadOnly): an action never
blocks; it asks for a timer or a media callback and returns.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol
from uuid import UUID

from softphone.model import Action, Call, CallType, HangupReason


class Cancel(Protocol):
    """A timer, player, echo or tap started for an action: stopped when the action ends."""

    def cancel(self) -> None: ...


class AudioTap(Protocol):
    """The far end's audio, as it arrives (16-bit mono PCM at 8 kHz, 20 ms frames)."""

    def take(self) -> bytes:
        """What arrived since the last take (at most the last ten seconds)."""
        ...

    def cancel(self) -> None: ...


class CallEvents(Protocol):
    """What the call tells the flow running on it (the runner implements this)."""

    def on_answered(self) -> None: ...

    def on_digit(self, digit: str) -> None: ...

    def on_ended(self) -> None: ...


class CallPort(Protocol):
    """One call, as a flow sees it."""

    @property
    def call(self) -> Call:
        """A snapshot of the Call now."""
        ...

    def watch(self, events: CallEvents) -> None:
        """Send this call's answer, received digits and end to ``events``."""
        ...

    def later(self, delay_s: float, callback: Callable[[], None]) -> Cancel:
        """An engine timer (never sleep: the poll thread must keep turning)."""
        ...

    def set_flow(self, flow_id: UUID, call_type: CallType) -> None:
        """Mark the Call as running a flow (type ``flow`` or ``sip-service``)."""
        ...

    def set_action(self, action: Action) -> None:
        """The action running now; tm_execute is stamped and CallChange.ACTION published."""
        ...

    def answer(self) -> None:
        """Answer a ringing incoming call (on_answered follows); no-op once answered."""
        ...

    def hangup(self, reason: HangupReason | None = None) -> None:
        """End the call by our act; a ringing incoming call is declined by ``reason``."""
        ...

    def set_max_duration(self, seconds: float) -> None:
        """End the call (reason timeout) this long after answer."""
        ...

    def play_file(self, path: Path, on_done: Callable[[], None]) -> Cancel:
        """Play a WAV file (any rate, mono or stereo 16-bit) into the call, once."""
        ...

    def play_tone(self, frequencies: tuple[int, ...], ms: int,
                  on_done: Callable[[], None]) -> Cancel:
        """A tone (one or two frequencies) for ``ms`` milliseconds."""
        ...

    def send_digits(self, digits: str, duration_ms: int, interval_ms: int,
                    on_done: Callable[[], None]) -> Cancel:
        """DTMF by the account's method, each ``duration_ms`` long, ``interval_ms`` apart."""
        ...

    def echo(self) -> Cancel:
        """Send the far end's audio straight back to it until cancelled."""
        ...

    def start_recording(self) -> None:
        """Record the call (both directions) into the recordings folder."""
        ...

    def stop_recording(self) -> None: ...

    def join_conference(self) -> None:
        """Mix the call into the local conference (engine/conference.py)."""
        ...

    def connect(self, targets: list[str], ring_timeout_s: float,
                on_bridged: Callable[[str], None], on_done: Callable[[str], None]) -> Cancel:
        """Dial every target at once, each a call chained to this one; bridge the first
        to answer with this call (the others are hung up). ``on_bridged(target)`` then;
        ``on_done(outcome)`` when the bridged call ends or no target answered. A target
        that is not a SIP address raises the engine's one-line error."""
        ...

    def tap_audio(self) -> AudioTap:
        """Start receiving the far end's audio (for answering-machine detection)."""
        ...

    def rx_level(self) -> int:
        """The far end's audio level now (0-255), for silence detection."""
        ...

    def note(self, text: str) -> None:
        """A line for the call's details (beside the Call JSON, never inside it)."""
        ...
