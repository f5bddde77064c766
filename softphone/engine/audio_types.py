"""What the engine asks of a sound device side, with no pjsua2 in sight.

The engine's conference-bridge port (audio_port.py) hands PCM frames to and from an object
of this shape; softphone/audio implements it with real devices. Frames are 16-bit signed
little-endian mono PCM at ``clock_rate``.
"""

from __future__ import annotations

from typing import Protocol


class FrameExchange(Protocol):
    """Called on pjmedia's clock thread every 20 ms: implementations must be quick and must
    not raise (the port guards anyway)."""

    @property
    def clock_rate(self) -> int: ...

    def capture_frame(self, nbytes: int) -> bytes:
        """Microphone audio for the bridge: exactly ``nbytes`` (silence when none)."""
        ...

    def playback_frame(self, pcm: bytes) -> None:
        """What the bridge mixed for our speaker (every call we hear)."""
        ...


class AudioCues(Protocol):
    """Sounds the engine asks for as calls move; called on the engine's thread."""

    def set_ringtone(self, on: bool) -> None: ...

    def set_ringback(self, on: bool) -> None: ...

    def play_dtmf(self, digits: str) -> None: ...


class AudioDevices(FrameExchange, AudioCues, Protocol):
    """A device side the engine owns: opened in Engine.start(), closed in its shutdown."""

    def start(self) -> None: ...

    def close(self) -> None: ...
