"""Audio for the call's players: WAV as it is, MP3 (and FLAC, Vorbis) decoded to WAV, and
speech synthesised offline by eSpeak NG.

eSpeak NG's own command (``espeak-ng -w``) writes a WAV straight away, offline, with a voice
per language; a wrapper such as pyttsx3 speaks to the sound device through a run loop of its
own, which a SIP call's audio cannot use. miniaudio (already the app's audio I/O library)
decodes MP3 without any system codec.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

from softphone.flows.errors import ActionFailed

SPEECH_TIMEOUT_S = 30.0
_scratch: Path | None = None


def scratch_dir() -> Path:
    """A private folder for this process's synthesised and decoded audio."""
    global _scratch
    if _scratch is None:
        _scratch = Path(tempfile.mkdtemp(prefix="softphone-flow-"))
        atexit.register(shutil.rmtree, _scratch, True)
    return _scratch


def _is_pcm16_wav(path: Path) -> bool:
    try:
        with wave.open(str(path), "rb") as reader:
            return reader.getsampwidth() == 2 and reader.getnchannels() in (1, 2)
    except (wave.Error, EOFError):
        return False


def playable_wav(path: Path) -> Path:
    """A 16-bit PCM WAV of ``path`` for pjsua2's player (the file itself when it is one)."""
    if not path.is_file():
        raise ActionFailed(f"no such audio file: {path}")
    if _is_pcm16_wav(path):
        return path
    import miniaudio  # type: ignore[import-untyped]  # here: only flows that play compressed files need it loaded

    try:
        decoded = miniaudio.decode_file(str(path), output_format=miniaudio.SampleFormat.SIGNED16,
                                        nchannels=1, sample_rate=16000)
    except miniaudio.DecodeError as exc:
        raise ActionFailed(f"cannot decode {path.name} (WAV, MP3, FLAC or Vorbis): "
                           f"{exc}") from None
    out = Path(tempfile.mkstemp(suffix=".wav", dir=scratch_dir())[1])
    with wave.open(str(out), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(16000)
        writer.writeframes(decoded.samples.tobytes())
    return out


def espeak_voice(language: str, gender: str) -> str:
    """eSpeak NG's voice for VoIPBIN's language (``en-US``) and gender."""
    voice = (language or "en-US").lower()
    if gender == "female":
        voice += "+f3"
    elif gender == "male":
        voice += "+m3"
    return voice


def synthesize(text: str, language: str = "en-US", gender: str = "") -> Path:
    """Speak ``text`` into a WAV file; ActionFailed (one line) when no voice can."""
    command = shutil.which("espeak-ng") or shutil.which("espeak")
    if command is None:
        raise ActionFailed("no text-to-speech voice on this system: install eSpeak NG "
                           "(the espeak-ng command) for the talk action")
    out = Path(tempfile.mkstemp(suffix=".wav", dir=scratch_dir())[1])
    try:
        result = subprocess.run(
            [command, "-v", espeak_voice(language, gender), "-w", str(out), "--", text],
            capture_output=True, text=True, timeout=SPEECH_TIMEOUT_S, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ActionFailed(f"text to speech failed: {exc}") from None
    if result.returncode != 0 or not _is_pcm16_wav(out):
        why = (result.stderr or result.stdout).strip().splitlines()
        raise ActionFailed(f"text to speech failed for language {language!r}: "
                           f"{why[0] if why else 'no audio written'}")
    return out
