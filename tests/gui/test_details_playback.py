"""Call details play the call's recordings inside the app, as the history pane does, on
the same player (one speaker, one clip), or say in the dialog why they cannot.
miniaudio's NULL backend stands in for a sound card (it takes audio at a device's pace)."""

from __future__ import annotations

import random
import uuid

import miniaudio
import pytest

from softphone.audio.clip_player import ClipPlayer
from softphone.store.wav_repair import repair_wav
from tests.gui.fake_calls import fake_call
from tests.gui.test_recording_player import write_wav

pytestmark = pytest.mark.gui
NULL = [miniaudio.Backend.NULL]


def recorded_call(folder, seconds: float = 2.0, count: int = 1):
    """A finished answered call with ``count`` recordings written into ``folder``."""
    rng = random.Random(5)
    call, diagnostics = next((c, d) for n in range(400)
                             for c, d in [fake_call(n, 1_700_000_000 * 10**9, rng)]
                             if c.recording_ids)
    ids = [call.recording_ids[0], *(uuid.UUID(int=i + 1, version=4) for i in range(count - 1))]
    call = call.model_copy(update={"recording_ids": ids})
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for rid in ids:
        path = folder / f"20261202-120000_outgoing_bob_{rid}.wav"
        write_wav(path, seconds)
        paths.append(path)
    return call, diagnostics, paths


def dialog_for(qtbot, call, diagnostics, recordings, player):
    from softphone.ui.call_details import CallDetailsDialog

    dialog = CallDetailsDialog(call, diagnostics, None, [], recordings=recordings,
                               player=player)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_play_in_the_dialog_shows_the_position_and_closing_stops_it(qtbot, tmp_path):
    call, diagnostics, [wav] = recorded_call(tmp_path / "rec")
    player = ClipPlayer(backends=NULL, repair=repair_wav)
    dialog = dialog_for(qtbot, call, diagnostics, [(call.recording_ids[0], wav)], player)
    [button] = dialog.play_buttons
    assert button.text() == "▶ Play" and button.isEnabled() and button.toolTip() == str(wav)
    bar = dialog.clip_bar
    assert not bar.isVisible()
    button.click()
    assert bar.isVisible() and bar.title.text() == f"▶ {wav.name}"
    qtbot.waitUntil(lambda: bar.position.text() == "0:01 / 0:02", timeout=3000)
    assert player.playing and not dialog.play_message.isVisible()
    dialog.close()  # the clip it started does not play on with nothing to stop it
    assert not player.playing


def test_a_recording_gone_from_the_folder_cannot_be_pressed(qtbot, tmp_path):
    call, diagnostics, [wav, second] = recorded_call(tmp_path / "rec", count=2)
    second.unlink()
    dialog = dialog_for(qtbot, call, diagnostics,
                        [(call.recording_ids[0], wav), (call.recording_ids[1], None)],
                        ClipPlayer(backends=NULL))
    first, gone = dialog.play_buttons
    assert first.text() == "▶ Play 1" and first.isEnabled()
    assert gone.text() == "▶ Play 2" and not gone.isEnabled()
    assert "not in the recordings folder" in gone.toolTip()


def test_why_it_cannot_play_is_said_in_the_dialog(qtbot, tmp_path):
    call, diagnostics, [wav] = recorded_call(tmp_path / "rec")
    wav.write_bytes(b"RIFF\x00\x00\x00\x00not a wave at all")
    dialog = dialog_for(qtbot, call, diagnostics, [(call.recording_ids[0], wav)],
                        ClipPlayer(backends=NULL, repair=repair_wav))
    dialog.play_buttons[0].click()
    assert dialog.play_message.isVisible()
    assert dialog.play_message.text() == (f"Cannot play {wav.name}: it is not a sound file "
                                          "this app can read (damaged?)")
    assert not dialog.clip_bar.isVisible()


def test_the_window_dialog_and_the_history_share_one_player(rig, qtbot):
    """From the window: the details of a stored call play its WAV on the app's player; the
    history's bar and the dialog's show whichever started last."""
    pane = rig.window.history_pane
    pane.set_player(ClipPlayer(backends=NULL))
    call, diagnostics, [wav] = recorded_call(pane.recordings_dir, seconds=3.0)
    rig.window._show_details(call, diagnostics)
    dialog = rig.window._dialogs[-1]
    assert dialog.clip_bar.player is pane.clip_bar.player
    pane.play_file(wav)
    assert pane.clip_bar.isVisible()
    dialog.play_buttons[0].click()
    assert dialog.clip_bar.isVisible() and not pane.clip_bar.isVisible()
    assert dialog.clip_bar.player.path == wav and dialog.clip_bar.player.playing
    pane.play_file(wav)
    assert pane.clip_bar.isVisible() and not dialog.clip_bar.isVisible()
    dialog.close()  # not the dialog's clip any more: the history's plays on
    assert pane.clip_bar.player.playing
    pane.clip_bar.stop()


def test_a_long_recording_name_never_widens_the_dialog(qtbot, tmp_path):
    """The engine's names run to ~90 characters: playing one widened the dialog from 620 to
    almost 900 px (seen in the README's screenshot); it is elided in the middle now."""
    call, diagnostics, [wav] = recorded_call(tmp_path / "rec")
    long = wav.with_name("20261202-183522_outgoing_1002@127.0.0.1-5061_"
                         f"{call.recording_ids[0]}.wav")
    wav.rename(long)
    dialog = dialog_for(qtbot, call, diagnostics, [(call.recording_ids[0], long)],
                        ClipPlayer(backends=NULL))
    width = dialog.width()
    dialog.play_buttons[0].click()
    qtbot.wait(50)  # the layout settles
    assert dialog.clip_bar.isVisible() and dialog.width() == width
    assert dialog.clip_bar.title.text() == f"▶ {long.name}"  # whole, drawn elided
    assert dialog.clip_bar.title.toolTip() == str(long)
