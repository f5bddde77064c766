"""A private PulseAudio server (null sinks, a virtual microphone) for the audio tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.audio.pulse_server import PulseServer, pulseaudio_available


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[PulseServer]:
    if not pulseaudio_available():
        pytest.skip("PulseAudio is not installed (Debian: pulseaudio pulseaudio-utils)")
    folder = tmp_path / "pulse"
    folder.mkdir()
    server = PulseServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
