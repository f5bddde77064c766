"""Recordings play inside the app (history pane, and the card's links through it) on the
speaker through miniaudio; or the pane says why not. miniaudio's NULL backend stands in
for a sound card here: it takes audio at the device's real pace, so the position moves as
it would on a speaker."""

from __future__ import annotations

import wave

import miniaudio
import pytest

from softphone.audio.clip_player import ClipPlayer
from softphone.audio.devices import DeviceError, list_devices
from softphone.store.wav_repair import repair_wav

pytestmark = pytest.mark.gui
NULL = [miniaudio.Backend.NULL]


def write_wav(path, seconds: float, rate: int = 16000) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x10" * int(seconds * rate))


@pytest.fixture
def pane(qtbot, tmp_path):
    from softphone.store import History
    from softphone.ui.history_pane import HistoryPane

    history = History.open(tmp_path / "history.sqlite3")
    pane = HistoryPane(history, tmp_path / "recordings")
    qtbot.addWidget(pane)
    messages: list[str] = []
    pane.message.connect(messages.append)
    pane.messages = messages
    yield pane
    pane.shutdown()
    history.close()


def test_play_button_plays_and_the_position_advances_then_stop(qtbot, pane, tmp_path):
    pane.set_player(ClipPlayer(backends=NULL, repair=repair_wav))
    pane.show()
    wav = tmp_path / "call_1.wav"
    write_wav(wav, 2.0)
    pane.play_file(wav)
    bar = pane.clip_bar
    assert bar.isVisible() and bar.title.text() == "▶ call_1.wav"
    assert bar.position.text() == "0:00 / 0:02"
    qtbot.waitUntil(lambda: bar.position.text() == "0:01 / 0:02", timeout=3000)
    assert bar.player.playing and 0 < bar.progress.value() < bar.progress.maximum()
    bar.stop_button.click()
    assert not bar.isVisible() and not bar.player.playing
    assert pane.messages == []


def test_one_clip_at_a_time_and_the_end_is_shown(qtbot, pane, tmp_path):
    pane.set_player(ClipPlayer(backends=NULL))
    pane.show()
    first, second = tmp_path / "a.wav", tmp_path / "b.wav"
    write_wav(first, 5.0)
    write_wav(second, 0.5)
    pane.play_file(first)
    pane.play_file(second)  # the first stops: one speaker, one clip
    bar = pane.clip_bar
    assert bar.title.text() == "▶ b.wav" and bar.player.path == second
    qtbot.waitUntil(lambda: not bar.player.playing, timeout=3000)
    qtbot.waitUntil(lambda: bar.title.text() == "■ b.wav", timeout=1000)
    assert bar.player.position_s == pytest.approx(0.5)


def test_a_missing_file_says_so(pane, tmp_path):
    pane.set_player(ClipPlayer(backends=NULL))
    pane.play_file(tmp_path / "gone.wav")
    assert pane.messages == [f"Cannot play gone.wav: the file is not in {tmp_path} any more"]
    assert not pane.clip_bar.isVisible()


def test_a_damaged_file_says_so(pane, tmp_path):
    pane.set_player(ClipPlayer(backends=NULL, repair=repair_wav))
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF\x00\x00\x00\x00not a wave at all")
    pane.play_file(junk)
    assert pane.messages == ["Cannot play junk.wav: it is not a sound file this app can read "
                             "(damaged?)"]


def test_a_crashed_recorders_wav_is_repaired_and_plays(qtbot, pane, tmp_path):
    """pjsua2 leaves the header's sizes at 0 when killed mid-call: repaired, it plays."""
    wav = tmp_path / "crashed.wav"
    write_wav(wav, 1.0)
    data = bytearray(wav.read_bytes())
    data[4:8] = data[40:44] = b"\x00\x00\x00\x00"
    wav.write_bytes(bytes(data))
    pane.set_player(ClipPlayer(backends=NULL, repair=repair_wav))
    pane.show()
    pane.play_file(wav)
    assert pane.messages == []
    assert pane.clip_bar.player.duration_s == pytest.approx(1.0)


def _has_speaker() -> bool:
    try:
        return bool(list_devices().playbacks)
    except DeviceError:
        return False


@pytest.mark.skipif(_has_speaker(), reason="this computer has a sound output device")
def test_no_output_device_says_so(pane, tmp_path):
    pane.set_player(ClipPlayer())  # the real backends: none answers on this machine
    wav = tmp_path / "call.wav"
    write_wav(wav, 1.0)
    pane.play_file(wav)
    assert pane.messages == [f"Cannot play call.wav: this computer has no sound output device "
                             f"(the file is in {tmp_path})"]
