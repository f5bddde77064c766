"""The engine's device side with no sound card: silence in, whatever we hear dropped.

Driver processes that run the engine (or the whole app) with a stand-in for the computer's
devices subclass this and override only what they need (a tone as microphone, named devices).
"""

from __future__ import annotations


class SilentAudio:
    clock_rate = 16000

    def capture_frame(self, nbytes: int) -> bytes:
        return bytes(nbytes)

    def playback_frame(self, pcm: bytes) -> None:
        pass

    def set_ringtone(self, on: bool) -> None:
        pass

    def set_ringback(self, on: bool) -> None:
        pass

    def play_dtmf(self, digits: str) -> None:
        pass

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass
