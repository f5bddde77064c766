"""Slow work (SQLite queries over a million calls, exports, host look-ups) off the GUI thread.

Results come back as a queued Qt signal, so callbacks run on the GUI thread; the window
keeps painting while a query runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

_log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[Exception], None]


class _Relay(QObject):
    finished = Signal(object, object, object)  # callback, result, error


class Worker(QObject):
    """One background thread running jobs in order (SQLite reads are serial anyway)."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._relay = _Relay()
        self._relay.finished.connect(self._deliver)
        self._pending = 0

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def submit(
        self, job: Callable[[], Any], done: Done, failed: Failed | None = None
    ) -> None:
        self._pending += 1

        def run() -> None:
            try:
                result = job()
            except Exception as exc:  # handed to the GUI thread, shown to the user there
                self._relay.finished.emit((done, failed), None, exc)
                return
            self._relay.finished.emit((done, failed), result, None)

        self._pool.submit(run)

    @Slot(object, object, object)
    def _deliver(self, callbacks: tuple[Done, Failed | None], result: Any, error: Any) -> None:
        self._pending -= 1
        done, failed = callbacks
        try:
            if error is None:
                done(result)
            elif failed is not None:
                failed(error)
            else:
                _log.error("background job failed: %s", error)
        except Exception:
            _log.exception("a background job's callback failed")

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
