"""Work that can wait until the window is on screen (issue 16: start to first paint).

Opening the sound devices (numpy, miniaudio and a device probe: ~70 ms) and the number
tester's service need not hold back the first sight of the window: they run right after
its first paint, before the user can reach anything that needs them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class FirstPaint(QObject):
    """Runs ``work`` once, just after ``window`` first paints (never, if it never does)."""

    def __init__(self, window: QWidget, work: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._work: Callable[[], None] | None = work
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._work is not None and event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, self.run)  # once this paint is done
        return False

    def run(self) -> None:
        work, self._work = self._work, None
        if work is not None:
            self._window.removeEventFilter(self)
            work()


def after_first_paint(window: QWidget, work: Callable[[], None]) -> None:
    """Run ``work`` once, on the GUI thread, just after ``window`` first paints; at the
    event loop's first turn when it starts hidden (in the tray: nothing paints)."""
    runner = FirstPaint(window, work)
    if not window.isVisible():
        QTimer.singleShot(0, runner.run)
