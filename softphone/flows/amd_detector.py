"""Answering-machine detection in the style of Asterisk's AMD, on WebRTC's voice detector.

Fed the far end's audio from the moment it answered (16-bit mono PCM, 8 kHz, 20 ms
frames), it follows Asterisk's rules: a long silence before anyone speaks, too many words,
one word too long or a greeting too long is a MACHINE; a short greeting followed by
silence (someone saying "Hello?" and waiting) is a HUMAN; no decision within the total
analysis time is NOTSURE. The cause reads as Asterisk's (``LONGGREETING-1620-1500``).

Frames are classified by webrtcvad rather than by an energy threshold: a noisy line or
comfort noise is not taken for speech. A frame counts as voice only if it is also above a
floor of loudness, since the VAD at its lowest aggressiveness takes faint hiss for speech.
Pure Python over numbers; no engine, no clock: the caller feeds frames as they arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import webrtcvad

RATE = 8000
FRAME_MS = 20
FRAME_BYTES = RATE * FRAME_MS // 1000 * 2
# Below about -50 dBFS no frame is voice, whatever the VAD says.
_FLOOR_MEAN_SQUARE = 100.0**2


class AmdResult(StrEnum):
    HUMAN = "HUMAN"
    MACHINE = "MACHINE"
    NOTSURE = "NOTSURE"


@dataclass(frozen=True)
class AmdSettings:
    """Asterisk's amd.conf parameters (milliseconds), with its defaults except the word
    count: three words ("Hello, who's this?" is a person) before a greeting is a machine's."""

    initial_silence: int = 2500
    greeting: int = 1500
    after_greeting_silence: int = 800
    total_analysis_time: int = 5000
    min_word_length: int = 100
    between_words_silence: int = 50
    maximum_number_of_words: int = 3
    maximum_word_length: int = 5000
    vad_mode: int = 2  # webrtcvad's aggressiveness, 0-3


@dataclass(frozen=True)
class AmdVerdict:
    result: AmdResult
    cause: str  # Asterisk's AMDCAUSE: "HUMAN-800-800", "INITIALSILENCE-2500-2500", ...
    after_ms: int  # audio analysed before the verdict

    def __str__(self) -> str:
        return f"{self.result.value} ({self.cause}) after {self.after_ms / 1000:.2f} s"


class AmdDetector:
    """One call's analysis: feed() audio until it returns a verdict (then it keeps it)."""

    def __init__(self, settings: AmdSettings | None = None) -> None:
        self.settings = settings or AmdSettings()
        self._vad = webrtcvad.Vad(self.settings.vad_mode)
        self._pending = b""
        self.verdict: AmdVerdict | None = None
        self.elapsed = 0
        self._silence = 0  # this run of silent frames
        self._voice = 0  # all voice so far
        self._word = 0  # this run of voice frames
        self._words = 0
        self._in_word = False
        self._in_greeting = False

    def feed(self, pcm: bytes) -> AmdVerdict | None:
        """Analyse ``pcm`` (any length; a partial frame waits for the rest)."""
        if self.verdict is not None:
            return self.verdict
        data = self._pending + pcm
        whole = len(data) - len(data) % FRAME_BYTES
        self._pending = data[whole:]
        for start in range(0, whole, FRAME_BYTES):
            verdict = self._frame(data[start:start + FRAME_BYTES])
            if verdict is not None:
                self.verdict = verdict
                return verdict
        return None

    def _is_voice(self, frame: bytes) -> bool:
        samples = memoryview(frame).cast("h")
        mean_square = sum(s * s for s in samples) / len(samples)
        return mean_square > _FLOOR_MEAN_SQUARE and self._vad.is_speech(frame, RATE)

    def _frame(self, frame: bytes) -> AmdVerdict | None:
        s = self.settings
        self.elapsed += FRAME_MS
        verdict = self._voice_frame() if self._is_voice(frame) else self._silent_frame()
        if verdict is None and self.elapsed >= s.total_analysis_time:
            verdict = self._decide(AmdResult.NOTSURE, f"TOOLONG-{self.elapsed}")
        return verdict

    def _silent_frame(self) -> AmdVerdict | None:
        s = self.settings
        self._silence += FRAME_MS
        if self._silence >= s.between_words_silence:
            self._in_word = False
            self._word = 0
        if not self._in_greeting and self._silence >= s.initial_silence:
            return self._decide(AmdResult.MACHINE,
                                f"INITIALSILENCE-{self._silence}-{s.initial_silence}")
        if self._in_greeting and self._silence >= s.after_greeting_silence:
            return self._decide(AmdResult.HUMAN,
                                f"HUMAN-{self._silence}-{s.after_greeting_silence}")
        return None

    def _voice_frame(self) -> AmdVerdict | None:
        s = self.settings
        self._word += FRAME_MS
        self._voice += FRAME_MS
        if self._word >= s.min_word_length:
            if not self._in_word:
                self._in_word = True
                self._words += 1
            self._silence = 0  # a real word ends the silence; a click does not
            self._in_greeting = True
        if self._word >= s.maximum_word_length:
            return self._decide(AmdResult.MACHINE,
                                f"MAXWORDLENGTH-{self._word}-{s.maximum_word_length}")
        if self._words >= s.maximum_number_of_words:
            return self._decide(AmdResult.MACHINE,
                                f"MAXWORDS-{self._words}-{s.maximum_number_of_words}")
        if self._in_greeting and self._voice >= s.greeting:
            return self._decide(AmdResult.MACHINE, f"LONGGREETING-{self._voice}-{s.greeting}")
        return None

    def _decide(self, result: AmdResult, cause: str) -> AmdVerdict:
        return AmdVerdict(result, cause, self.elapsed)
