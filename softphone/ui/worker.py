"""Slow work (SQLite queries over a million calls, exports, host look-ups) off the GUI thread.

Results come back through a queue that a GUI-thread timer drains while jobs are pending,
so callbacks run on the GUI thread and the window keeps painting while a query runs.
Why not a Qt signal emitted from the worker thread: the worker never touches Qt at all,
which keeps it clear of PySide's reference-count bugs (6.12.0 aborted with
``bool_dealloc``/``none_dealloc`` here) and of any thread-affinity surprise.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QTimer

_log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[Exception], None]
DRAIN_INTERVAL_MS = 5


class Worker(QObject):
    """One background thread running jobs in order (SQLite reads are serial anyway)."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._results: queue.SimpleQueue[tuple[Done, Failed | None, Any, Exception | None]] = (
            queue.SimpleQueue()
        )
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_INTERVAL_MS)
        self._timer.timeout.connect(self._drain)
        self._pending = 0
        self._closed = False

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def submit(self, job: Callable[[], Any], done: Done, failed: Failed | None = None) -> None:
        if self._closed:
            return
        self._pending += 1
        # Never restart a running drain timer: jobs submitted every few ms (a busy line)
        # pushed it back for good, and no result came back until the traffic paused.
        if not self._timer.isActive():
            self._timer.start()
        results = self._results

        def run() -> None:
            try:
                result = job()
            except Exception as exc:  # handed to the GUI thread, shown to the user there
                results.put((done, failed, None, exc))
                return
            results.put((done, failed, result, None))

        self._pool.submit(run)

    def _drain(self) -> None:
        while True:
            try:
                done, failed, result, error = self._results.get_nowait()
            except queue.Empty:
                break
            self._pending -= 1
            try:
                if error is None:
                    done(result)
                elif failed is not None:
                    failed(error)
                else:
                    _log.error("background job failed: %s", error)
            except Exception:
                _log.exception("a background job's callback failed")
        if self._pending <= 0:
            self._timer.stop()

    def shutdown(self) -> None:
        self._closed = True
        self._timer.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)
