"""Greetings for answering-machine detection, generated offline (eSpeak NG and numpy), each
with its truth: people who answer "Hello?" and wait, voicemail greetings, dead air, noise.

Every greeting is a mono 16-bit WAV at 8 kHz, as the call carries it: a pause (picking up),
the words, then the silence of someone waiting (or of a machine's beep wait).
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 8000


@dataclass(frozen=True)
class Greeting:
    name: str
    truth: str  # HUMAN / MACHINE (what a good detector says)
    text: str = ""  # spoken, or "" for silence / noise
    lead_s: float = 0.5  # silence before the words
    tail_s: float = 3.0  # silence after them
    voice: str = "en-us"
    speed: int = 175  # words per minute
    noise: float = 0.0  # white noise RMS (0-1 of full scale) under everything


HUMANS = [
    Greeting("hello", "HUMAN", "Hello?"),
    Greeting("hello-quick", "HUMAN", "Hello?", lead_s=0.2, speed=200),
    Greeting("yes", "HUMAN", "Yes?", lead_s=0.8),
    Greeting("hi-there", "HUMAN", "Hi there.", voice="en-gb"),
    Greeting("hello-slow", "HUMAN", "Hello?", lead_s=1.2, speed=140, voice="en-us+f3"),
    Greeting("speaking", "HUMAN", "Yes, speaking.", lead_s=0.4),
    Greeting("hello-noisy", "HUMAN", "Hello?", noise=0.003),
    Greeting("hallo", "HUMAN", "Hallo?", voice="de"),
]
MACHINES = [
    Greeting("voicemail", "MACHINE", "Hi, you have reached John Smith. I can't take your call "
             "right now, please leave a message after the tone."),
    Greeting("carrier", "MACHINE", "The person you are calling is not available. "
             "Please leave a message after the beep.", voice="en-us+f3"),
    Greeting("office", "MACHINE", "Thank you for calling Acme support. Our office is "
             "closed.", lead_s=0.3, voice="en-gb"),
    Greeting("slow-voicemail", "MACHINE", "Hello, this is Maria, leave me a message.",
             speed=130, lead_s=0.9),
    Greeting("voicemail-noisy", "MACHINE", "You have reached the voicemail of extension "
             "two zero one.", noise=0.003),
    Greeting("silence", "MACHINE", "", lead_s=0.0, tail_s=6.0),
    Greeting("noise", "MACHINE", "", lead_s=0.0, tail_s=6.0, noise=0.01),
]
ALL = HUMANS + MACHINES
# Where rules on timing alone are known to fail (Asterisk's too): a person who answers with
# a whole sentence, a voicemail greeting as short as a "Hello?". The benchmark includes them
# so its accuracy is not flattered; the tests do not expect them right.
HARD = [
    Greeting("human-sentence", "HUMAN", "Hello, this is Dave speaking, how can I help you?"),
    Greeting("short-voicemail", "MACHINE", "Leave a message.", tail_s=3.0),
]


def espeak() -> str | None:
    return shutil.which("espeak-ng") or shutil.which("espeak")


def _speech(greeting: Greeting, scratch: Path) -> np.ndarray:
    command = espeak()
    assert command is not None, "eSpeak NG is needed (Debian package espeak-ng)"
    raw = scratch / f"{greeting.name}.espeak.wav"
    subprocess.run([command, "-v", greeting.voice, "-s", str(greeting.speed), "-w", str(raw),
                    "--", greeting.text], check=True, capture_output=True, timeout=30)
    with wave.open(str(raw), "rb") as reader:
        rate = reader.getframerate()
        samples = np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2")
    # To 8 kHz by linear interpolation: plenty for a detector of speech, no resampler needed.
    times = np.arange(int(len(samples) * RATE / rate)) * (rate / RATE)
    return np.interp(times, np.arange(len(samples)), samples.astype(np.float64))


def write_greeting(greeting: Greeting, directory: Path, seed: int = 1) -> Path:
    """The greeting's WAV in ``directory`` (made once)."""
    path = directory / f"{greeting.name}.wav"
    if path.exists():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    words = _speech(greeting, directory) if greeting.text else np.zeros(0)
    audio = np.concatenate([np.zeros(int(greeting.lead_s * RATE)), words,
                            np.zeros(int(greeting.tail_s * RATE))])
    if greeting.noise:
        rng = np.random.default_rng(seed)
        audio = audio + rng.normal(0.0, greeting.noise * 32767, audio.size)
    pcm = np.clip(audio, -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(RATE)
        writer.writeframes(pcm.tobytes())
    return path


def read_pcm(path: Path) -> bytes:
    with wave.open(str(path), "rb") as reader:
        assert reader.getframerate() == RATE and reader.getnchannels() == 1
        return reader.readframes(reader.getnframes())
