"""Composition root of the window: engine, history store and Qt on one qasync loop."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from softphone.engine import CallUpdate, Engine, EngineConfig, EngineError
from softphone.store import DataDirs, History, StoreError

_log = logging.getLogger(__name__)
POLL_INTERVAL_MS = 10


def run_window(dirs: DataDirs) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox
    from qasync import QEventLoop

    from softphone.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("softphone")
    loop = QEventLoop(app)
    asyncio.set_event_loop(loop)

    history = History.open(dirs.history_db)
    engine = Engine(EngineConfig(recordings_dir=dirs.recordings))
    try:
        engine.start()
    except EngineError as exc:
        QMessageBox.critical(None, "softphone", str(exc))
        history.close()
        return 1

    def save(update: CallUpdate) -> None:
        try:
            history.save(update.call, update.diagnostics)
        except StoreError as exc:
            _log.error("%s", exc)

    engine.add_listener(save)
    recent = [entry.call for entry in history.list(limit=200)]
    window = MainWindow(engine, recent, os.environ.get("SOFTPHONE_DOMAIN") or None)
    # pjsua2 runs without threads of its own: poll it from the GUI thread (DESIGN.md).
    timer = QTimer()
    timer.timeout.connect(lambda: engine.poll(0))
    timer.start(POLL_INTERVAL_MS)
    window.show()
    try:
        with loop:
            app.aboutToQuit.connect(timer.stop)
            loop.run_until_complete(_until_quit(app))
    finally:
        engine.shutdown()
        history.close()
    return 0


async def _until_quit(app: object) -> None:
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    done = asyncio.Event()
    app.lastWindowClosed.connect(done.set)
    await done.wait()
