"""VoIPBIN's sip-service responders as built-in flows, chosen by the destination's user part.

Each runs with the Call type ``sip-service`` and an absolute limit of 300 s (reason timeout).
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path
from uuid import UUID

from softphone.flows.audio_files import scratch_dir
from softphone.flows.flow import Flow
from softphone.flows.loader import parse_flow

LIMIT_S = 300.0
_LIMIT_MS = int(LIMIT_S * 1000)
SAMPLE_RATE = 16000
# The built-in sample: three tones a support engineer can tell apart by ear and by meter.
SAMPLE_TONES = ((440, 1.0), (660, 1.0), (880, 1.0))

_FLOWS: dict[str, list[dict[str, object]]] = {
    "answer": [{"type": "answer"}, {"type": "stop"}],
    "echo": [{"type": "answer"}, {"type": "echo", "option": {"duration": _LIMIT_MS}}],
    "stream_echo": [{"type": "answer"},
                    {"type": "stream_echo", "option": {"duration": _LIMIT_MS}}],
    "play": [{"type": "answer"}, {"type": "play", "option": {"stream_urls": ["SAMPLE"]}},
             {"type": "hangup"}],
    "confbridge_join": [{"type": "answer"}, {"type": "confbridge_join"}, {"type": "stop"}],
}
_HANG_UP = [{"type": "hangup"}]
# Fixed ids, so history shows which service answered (uuid5 of the service's name).
_NAMESPACE = UUID("0f2b7a4e-6a59-4f4e-8d52-6a1e3c0de5e1")


def sample_wav() -> Path:
    """The `play` service's sample (written once per process)."""
    path = scratch_dir() / "sip-service-sample.wav"
    if not path.exists():
        frames = bytearray()
        for hz, seconds in SAMPLE_TONES:
            for n in range(int(SAMPLE_RATE * seconds)):
                value = int(8000 * math.sin(2 * math.pi * hz * n / SAMPLE_RATE))
                frames += struct.pack("<h", value)
        with wave.open(str(path), "wb") as writer:
            writer.setnchannels(1)
            writer.setsampwidth(2)
            writer.setframerate(SAMPLE_RATE)
            writer.writeframes(bytes(frames))
    return path


def service_names() -> list[str]:
    return sorted(_FLOWS)


def service_flow(user: str) -> Flow:
    """The flow answering a call to ``user`` (anything unknown is hung up)."""
    from uuid import uuid5

    actions = _FLOWS.get(user, _HANG_UP)
    name = user if user in _FLOWS else "hangup"
    resolved = [
        {**a, "option": {"stream_urls": [str(sample_wav())]}} if a.get("option") == {
            "stream_urls": ["SAMPLE"]} else a
        for a in actions
    ]
    return parse_flow({"id": str(uuid5(_NAMESPACE, name)), "name": f"sip-service {name}",
                       "actions": resolved}, f"sip-service {name}")
