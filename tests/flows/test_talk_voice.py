"""talk's text to speech (eSpeak NG): a WAV when the voice exists, one clear line when the
system has no voice or none for the language."""

from __future__ import annotations

import shutil
import wave

import pytest

from softphone.flows.audio_files import synthesize
from softphone.flows.errors import ActionFailed


def test_no_espeak_is_one_clear_line(monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ActionFailed) as failed:
        synthesize("hello")
    assert "install eSpeak NG" in str(failed.value)
    assert "\n" not in str(failed.value)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="eSpeak NG is not installed")
def test_speech_is_a_wav_and_an_unknown_language_is_refused() -> None:
    out = synthesize("Hello.", "en-US", "female")
    with wave.open(str(out), "rb") as reader:
        assert reader.getnframes() / reader.getframerate() > 0.3
    with pytest.raises(ActionFailed) as failed:
        synthesize("Hello.", "xx-nowhere")
    assert "language 'xx-nowhere'" in str(failed.value)
    assert "\n" not in str(failed.value)
