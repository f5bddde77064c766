"""Composition root of the window: engine, history store and Qt on one qasync loop."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from softphone.accounts_service import AccountsService
from softphone.engine import CallUpdate, Engine, EngineConfig, EngineError
from softphone.engine.remote import ControlCommands
from softphone.model import Target, parse_target
from softphone.model.account import stun_servers
from softphone.store import DataDirs, History, Settings, StoreError, load_settings
from softphone.store.settings import AudioSettings

if TYPE_CHECKING:
    from softphone.ui.main_window import MainWindow

_log = logging.getLogger(__name__)
POLL_INTERVAL_MS = 10


class HistorySaver:
    """The engine listener that stores every call change; registered before the window's,
    so a call is in the history by the time the window refreshes its history pane."""

    def __init__(self, history: History) -> None:
        self.history = history
        self.on_error: Callable[[str], None] | None = None

    def __call__(self, update: CallUpdate) -> None:
        if not update.persisted:
            return  # live-only (media, hold, quality): nothing for the history
        try:
            self.history.save(update.call, update.diagnostics)
        except StoreError as exc:
            _log.error("%s", exc)
            if self.on_error is not None:
                self.on_error(str(exc))


def run_window(dirs: DataDirs, dial: str | None = None) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox
    from qasync import QEventLoop

    from softphone.ui.main_window import MainWindow
    from softphone.ui.single_instance import serve_window

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("softphone")
    app.setApplicationDisplayName("softphone")
    loop = QEventLoop(app)
    asyncio.set_event_loop(loop)

    try:
        settings = load_settings(dirs.settings_file)
        history = History.open(dirs.history_db)
        # The history pane reads on its own connection, from a worker thread: a long search
        # never holds the lock the saver needs on the GUI thread.
        history_reader = History.open(dirs.history_db)
    except StoreError as exc:
        QMessageBox.critical(None, "softphone", str(exc))
        return 1
    recordings = dirs.recordings
    if settings.recordings_dir:
        recordings = type(dirs.recordings)(settings.recordings_dir).expanduser()
    # The window uses the computer's sound devices (remembered by name); none: null device.
    from softphone.audio import open_system_audio

    a = settings.audio
    audio = open_system_audio(a.capture_device, a.playback_device, a.ring_device,
                              speaker_volume=a.speaker_volume)
    engine = Engine(EngineConfig(recordings_dir=recordings,
                                 stun_servers=stun_servers(settings.accounts)), audio=audio)
    try:
        engine.start()
    except EngineError as exc:
        QMessageBox.critical(None, "softphone", str(exc))
        history.close()
        history_reader.close()
        return 1

    saver = HistorySaver(history)
    engine.add_listener(saver)
    accounts = AccountsService(engine, dirs.settings_file)
    window = MainWindow(
        engine,
        history_reader,
        recordings,
        settings,
        dirs.settings_file,
        default_domain=os.environ.get("SOFTPHONE_DOMAIN") or None,
    )
    saver.on_error = window.show_message
    accounts.on_error = window.show_message
    window.set_accounts_backend(accounts)
    accounts.start_all()  # registration proceeds as the engine is polled
    if audio is not None:
        from softphone.store import save_settings
        from softphone.ui.audio_panel import mount_audio_panel

        def save_audio(chosen: AudioSettings) -> None:
            window.settings = window.settings.model_copy(update={"audio": chosen})
            try:
                save_settings(dirs.settings_file, window.settings)
            except StoreError as exc:
                window.show_message(str(exc))

        mount_audio_panel(window, audio, settings.audio, save_audio)
    else:
        # Say so once, rather than let the first call be mysteriously silent.
        window.show_message("No sound device found: calls connect, but without microphone "
                            "or speaker")
    # pjsua2 runs without threads of its own: poll it from the GUI thread (DESIGN.md).
    timer = QTimer()
    timer.timeout.connect(lambda: engine.poll(0))
    timer.start(POLL_INTERVAL_MS)
    window.show()
    # One window per data folder; sip:/tel: links (and `dial`) reach window.dial().
    engine.refuse_transfers = settings.calls.refuse_transfers
    window.settings_changed.connect(
        lambda calls: setattr(engine, "refuse_transfers", calls.refuse_transfers))
    instance = serve_window(window, dirs.root, dial, window_control(engine, window).handle)
    try:
        with loop:
            app.aboutToQuit.connect(timer.stop)
            loop.run_until_complete(_until_quit(app))
    finally:
        instance.close()
        engine.shutdown()
        history.close()
        history_reader.close()
    return 0


def window_control(engine: Engine, window: MainWindow) -> ControlCommands:
    """`softphone ctl` in the window: dial goes through the window (its account, its host
    lookup, its messages); the rest straight to the engine, as the cards do."""

    def dial(text: str) -> str:
        window.dial(text)
        return f"calling {text.strip()} (the window shows the call)"

    def target(text: str) -> Target:
        return parse_target(text, window.controller.default_domain)

    return ControlCommands(engine, dial, target)


async def _until_quit(app: object) -> None:
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    done = asyncio.Event()
    app.lastWindowClosed.connect(done.set)
    await done.wait()


__all__ = ["HistorySaver", "Settings", "run_window"]
