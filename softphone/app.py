"""Composition root of the window: engine, history store and Qt on one qasync loop."""

from __future__ import annotations

import asyncio
import logging
import logging.handlers
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from softphone.accounts_service import AccountsService
from softphone.engine import BindAddress, CallUpdate, Engine, EngineConfig, EngineError
from softphone.engine.remote import ControlCommands
from softphone.hooks import HookRunner
from softphone.model import Target, parse_target
from softphone.model.account import stun_servers
from softphone.store import (
    DataDirs,
    History,
    LadderKeeper,
    Settings,
    SettingsStore,
    StoreError,
)
from softphone.store.settings import AudioSettings

if TYPE_CHECKING:
    from softphone.ui.main_window import MainWindow

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
    from importlib import metadata  # 10 ms of imports: only when asked

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


class EventHooks:
    """The window's call-event command (Settings > Call settings), run by softphone.hooks;
    replaced when the setting changes. Failures wait for the GUI thread to show them."""

    def __init__(self, command: str) -> None:
        self._runner: HookRunner | None = None
        self.configure(command)

    def configure(self, command: str) -> None:
        old, self._runner = self._runner, None
        if old is not None:
            old.close(wait_s=0)
        if command.strip():
            try:
                self._runner = HookRunner(command)
            except ValueError as exc:
                _log.warning("call-event command not used: %s", exc)

    def __call__(self, update: CallUpdate) -> None:
        if self._runner is not None:
            self._runner.on_update(update.call, update.diagnostics, update.changes)

    def take_failures(self) -> list[str]:
        failures: list[str] = []
        runner = self._runner
        while runner is not None and not runner.failures.empty():
            failures.append(runner.failures.get_nowait())
        return failures

    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()


def run_window(dirs: DataDirs, dial: str | None = None, minimized: bool = False) -> int:
    # First, before any other Qt or ui import: every import after QtCore pays PySide6's hook.
    from softphone.ui.pyside_import_hook import lighten_pyside_import_hook

    lighten_pyside_import_hook()
    from PySide6 import __version__ as qt_version
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox
    from qasync import QEventLoop

    from softphone.ui.about_dialog import AboutInfo
    from softphone.ui.engine_poller import EnginePoller
    from softphone.ui.first_paint import after_first_paint
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
        # The one owner of settings.json for this process: window, accounts and audio all
        # change it through the store, so none writes back a stale copy.
        store = SettingsStore.open(dirs.settings_file)
        settings = store.settings
        recordings = dirs.recordings
        if settings.recordings_dir:
            recordings = type(dirs.recordings)(settings.recordings_dir).expanduser()
        # The recordings folder goes with each row: recovery repairs a crashed call's WAV.
        history = History.open(dirs.history_db, recordings_dir=recordings)
        # The history pane reads on its own connection, from a worker thread: a long search
        # never holds the lock the saver needs on the GUI thread.
        history_reader = History.open(dirs.history_db, recover=False)
    except StoreError as exc:
        QMessageBox.critical(None, "softphone", str(exc))
        return 1
    net = settings.network
    # An explicit SIP port is taken as asked (a clear error when busy); none: 5060 or next.
    engine = Engine(EngineConfig(bind=BindAddress(net.interface, net.sip_port),
                                 rtp_port=net.rtp_port, rtp_port_range=net.rtp_port_range,
                                 recordings_dir=recordings,
                                 stun_servers=stun_servers(settings.accounts)))
    try:
        engine.start()
    except EngineError as exc:
        QMessageBox.critical(None, "softphone", str(exc))
        history.close()
        history_reader.close()
        return 1

    saver = HistorySaver(history)
    engine.add_listener(saver)
    ladder = LadderKeeper(history)
    engine.add_trace_listener(ladder.add)
    engine.add_listener(ladder.follow)
    accounts = AccountsService(engine, store)
    window = MainWindow(
        engine,
        history_reader,
        recordings,
        default_domain=os.environ.get("SOFTPHONE_DOMAIN") or None,
        store=store,
    )
    window.hold_messages()  # start-up's messages shown together, none lost (below)
    if store.warnings:
        # A damaged settings file was set aside or an account skipped: say so once.
        window.show_message(" · ".join(store.warnings))
    window.about_info = AboutInfo(data_dir=dirs.root, log_file=log_file, qt_version=qt_version)
    saver.on_error = window.show_message
    accounts.on_error = window.show_message
    window.set_accounts_backend(accounts)
    accounts.start_all()  # registration proceeds as the engine is polled
    from softphone.ui.flows_menu import FlowsMenu
    from softphone.window_flows import WindowFlows

    flows = WindowFlows(engine, dirs.root / "flows")  # saved flows, attached from the menu
    window.flows_menu = FlowsMenu(window, flows, window.show_message)  # type: ignore[attr-defined]

    def once_on_screen() -> None:
        try:
            window.notifier.open()  # the session bus: ready before the first call rings
            # Help → About's PJSIP line: a package-metadata lookup the paint need not wait for.
            window.about_info = replace(window.about_info, pjsip_version=pjsip_version())
            finish_start_up()
        finally:
            window.show_held_messages()  # start-up's messages together, this one's too

    def finish_start_up() -> None:
        from softphone.audio import open_system_audio
        from softphone.audio.clip_player import ClipPlayer
        from softphone.store.wav_repair import repair_wav
        from softphone.tester.service import NumberTesterService

        window.number_tester = NumberTesterService(dirs.history_db, recordings, dirs.root)
        # Recordings play in the app, on the chosen speaker (or say why they cannot).
        clips = ClipPlayer(store.settings.audio.playback_device, repair=repair_wav)
        window.history_pane.set_player(clips)
        store.subscribe(lambda stored, changed: setattr(
            clips, "speaker", stored.audio.playback_device) if "audio" in changed else None)
        # The computer's sound devices (remembered by name); none: the null device stays.
        a = store.settings.audio
        audio = open_system_audio(a.capture_device, a.playback_device, a.ring_device,
                                  speaker_volume=a.speaker_volume)
        if audio is None:
            # Say so once, rather than let the first call be mysteriously silent.
            window.show_message("No sound device found: calls connect, but without "
                                "microphone or speaker")
            return
        engine.attach_audio(audio)
        from softphone.ui.audio_panel import mount_audio_panel

        def save_audio(chosen: AudioSettings) -> None:
            # Only the audio section changes: accounts added meanwhile stay (issue 10.4).
            try:
                store.update(audio=chosen)
            except StoreError as exc:
                window.show_message(str(exc))

        mount_audio_panel(window, audio, a, save_audio)
    # pjsua2 runs without threads of its own: poll it from the GUI thread (DESIGN.md),
    # slowly when idle and at once when SIP arrives (ui/engine_poller.py, issue 16).
    hooks = EventHooks(settings.calls.on_event)
    engine.add_listener(hooks)
    store.subscribe(lambda stored, changed: hooks.configure(stored.calls.on_event)
                    if "calls" in changed else None)

    def after_poll() -> None:
        ladder.flush()  # SIP messages are written here, never inside a SIP callback
        for failure in hooks.take_failures():
            window.show_message(failure)

    poller = EnginePoller(engine, after_poll)
    poller.start()
    if net.sip_port is None and engine.local_port != 5060:
        window.show_message(f"SIP port 5060 is taken (another softphone?): listening on "
                            f"{engine.local_port}. Choose a port in Settings → Desktop and "
                            "network")
    if minimized or settings.desktop.start_minimized:
        window.start_hidden()
    else:
        window.show()
    # A session-only password is asked again (issue 15.3): once the window is up, or, started
    # minimized, when it is shown (the tray says "password needed" meanwhile).
    QTimer.singleShot(0, window.ask_session_passwords)
    # One window per data folder; sip:/tel: links (and `dial`) reach window.dial().
    engine.refuse_transfers = settings.calls.refuse_transfers
    window.settings_changed.connect(
        lambda calls: setattr(engine, "refuse_transfers", calls.refuse_transfers))
    after_first_paint(window, once_on_screen)  # before serve_window: ahead of a dialled link
    instance = serve_window(window, dirs.root, dial, window_control(engine, window).handle,
                            on_terminate=window.quit_unasked)
    try:
        with loop:
            app.aboutToQuit.connect(poller.stop)
            # Stop, not a future awaited until the last window closes: Qt quits the app at
            # that same moment and stopped the loop before the future completed (a
            # "Event loop stopped before Future completed" traceback on one close in two).
            app.lastWindowClosed.connect(loop.stop)
            window.closed.connect(loop.stop)  # quit from the tray: no window was visible
            loop.run_forever()
    finally:
        instance.close()
        engine.shutdown()
        hooks.close()
        ladder.flush()
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


__all__ = ["HistorySaver", "Settings", "run_window"]
