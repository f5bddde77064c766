"""Which sound devices a headless command uses: `--audio`, `--mic`, `--speaker`."""

from __future__ import annotations

from dataclasses import dataclass

from softphone.engine.audio_types import AudioDevices

AUDIO_MODES = ("system", "null")


@dataclass(frozen=True)
class AudioChoice:
    # "system" by default: a call a person places from a terminal should be heard. It falls
    # back to the null device by itself when no sound device exists (servers, CI).
    mode: str = "system"
    mic: str = ""
    speaker: str = ""

    def open(self) -> AudioDevices | None:
        if self.mode == "null":
            return None
        from softphone.audio import open_system_audio  # only costs an import when used

        return open_system_audio(self.mic, self.speaker)
