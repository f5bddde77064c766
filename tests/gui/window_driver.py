"""Runs the real app (softphone.app.run_window) offscreen in its own process and acts in it
as a user would, then prints one JSON report line and closes the window.

A process of its own: run_window creates its own pjsua2 Endpoint (one per process) and
exits only when its window closes, as the app does. The computer's sound devices are
replaced by a stand-in with two named microphones, so the audio panel is there to use.

    python -m tests.gui.window_driver DATA_DIR ACTION    (ACTION: look | add-then-audio)
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.harness.silent_audio import SilentAudio


class StandInAudio(SilentAudio):
    """The device side the engine and the audio panel use, with no sound card."""

    def __init__(self) -> None:
        self.muted = False
        self.speaker_volume = 1.0
        self.devices = ("", "", "")

    def levels(self) -> tuple[float, float]:
        return -90.0, -90.0

    def device_names(self) -> tuple[list[str], list[str]]:
        return ["Built-in Mic", "USB Headset Mic"], ["Speakers", "USB Headset"]

    def set_devices(self, capture: str, playback: str, ring: str) -> None:
        self.devices = (capture, playback, ring)


def main(data_dir: str, action: str) -> int:
    import softphone.audio

    softphone.audio.open_system_audio = lambda *a, **k: StandInAudio()  # type: ignore[assignment]

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from softphone.app import run_window
    from softphone.store import DataDirs

    app = QApplication.instance() or QApplication(sys.argv)

    def act() -> None:
        from softphone.ui.audio_panel import AudioPanel
        from softphone.ui.main_window import MainWindow

        windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
        # As a user would: once the window is up, its start-up work done (the audio panel,
        # the number tester and the held start-up messages come right after first paint).
        if not windows or windows[0].number_tester is None:
            QTimer.singleShot(100, act)
            return
        window = windows[0]
        report: dict[str, object] = {"status": window.statusBar().currentMessage()}
        report["menus"] = [a.text().replace("&", "") for a in window.menuBar().actions()]
        window.edit_accounts()
        dialog = window.accounts_dialog
        assert dialog is not None
        if action == "add-then-audio":
            dialog.new_account()
            dialog.name.setText("work")
            dialog.user.setText("alice")
            dialog.domain.setText("127.0.0.1")
            dialog.registrar.setText("none")
            dialog.save()
            report["dialog_error"] = dialog.error.text()
        report["accounts"] = [dialog.list.item(i).text().split("\n")[0]
                              for i in range(dialog.list.count())]
        dialog.accept()
        if action == "add-then-audio":
            panel = window.findChild(AudioPanel)
            assert panel is not None
            panel.capture.setCurrentIndex(panel.capture.findData("USB Headset Mic"))
        print("REPORT " + json.dumps(report), flush=True)
        window.close()

    QTimer.singleShot(200, act)
    return run_window(DataDirs(Path(data_dir).absolute()).ensure())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
