"""Composition root of the window: engine, history store and Qt on one qasync loop."""

from __future__ import annotations

import asyncio
import logging
import logging.handlers
import os
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from softphone.accounts_service import AccountsService
from softphone.engine import BindAddress, CallUpdate, Engine, EngineConfig, EngineError
from softphone.model.account import stun_servers
from softphone.store import DataDirs, History, Settings, StoreError, load_settings
from softphone.store.settings import AudioSettings

_log = logging.getLogger(__name__)
POLL_INTERVAL_MS = 10
LOG_FILE_NAME = "softphone.log"
LOG_FILE_BYTES = 2_000_000  # a few days of a working window, small enough to attach
LOG_FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def open_log_file(logs: Path) -> Path | None:
    """The window's log in the data folder (rotated, 3 old files kept): what a user attaches
    to a support ticket. Informative lines go to the file; stderr keeps its own level.
    Passwords never reach it (the engine redacts SIP credentials before logging)."""
    path = logs / LOG_FILE_NAME
    try:
        logs.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_FILE_BYTES, backupCount=3, encoding="utf-8")
    except OSError as exc:
        _log.warning("no log file %s: %s", path, exc.strerror or exc)
        return None
    handler.setFormatter(logging.Formatter(LOG_FILE_FORMAT))
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    for existing in root.handlers:
        if existing.level == logging.NOTSET:
            existing.setLevel(root.level)  # stderr stays as quiet as it was
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    root.addHandler(handler)
    return path


def pjsip_version() -> str:
    """PJSIP's version as the binding ships it (its wheel is versioned after pjproject)."""
    try:
        binding = metadata.version("pjsua2-python")
    except metadata.PackageNotFoundError:
        return ""
    return f"{binding.split('.post')[0]} (pjsua2-python {binding})"


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


def run_window(dirs: DataDirs, dial: str | None = None, minimized: bool = False) -> int:
    from PySide6 import __version__ as qt_version
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox
    from qasync import QEventLoop

    from softphone.ui.about_dialog import AboutInfo
    from softphone.ui.main_window import MainWindow
    from softphone.ui.single_instance import serve_window

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("softphone")
    app.setApplicationDisplayName("softphone")
    from softphone.ui.theme import apply_style

    apply_style(app, os.environ.get("SOFTPHONE_THEME", "system"))
    loop = QEventLoop(app)
    asyncio.set_event_loop(loop)
    log_file = open_log_file(dirs.logs)
    _log.info("softphone window starting, data folder %s", dirs.root)

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
    net = settings.network
    # An explicit SIP port is taken as asked (a clear error when busy); none: 5060 or next.
    engine = Engine(EngineConfig(bind=BindAddress(net.interface, net.sip_port),
                                 rtp_port=net.rtp_port, rtp_port_range=net.rtp_port_range,
                                 recordings_dir=recordings,
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
    window.about_info = AboutInfo(pjsip_version=pjsip_version(), data_dir=dirs.root,
                                  log_file=log_file, qt_version=qt_version)
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
    if net.sip_port is None and engine.local_port != 5060:
        window.show_message(f"SIP port 5060 is taken (another softphone?): listening on "
                            f"{engine.local_port}. Choose a port in Settings → Desktop and "
                            "network")
    if minimized or settings.desktop.start_minimized:
        window.start_hidden()
    else:
        window.show()
    # One window per data folder; sip:/tel: links (and `dial`) reach window.dial().
    instance = serve_window(window, dirs.root, dial)
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


async def _until_quit(app: object) -> None:
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    done = asyncio.Event()
    app.lastWindowClosed.connect(done.set)
    await done.wait()


__all__ = ["HistorySaver", "Settings", "run_window"]
