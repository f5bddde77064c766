"""A strip under the history that plays one recording in the app: its name, where it is,
and Stop. The sound itself is the injected player's (softphone.audio, no Qt there)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from softphone.ui.facade import ClipPlayback
from softphone.ui.text import clock

TICK_MS = 100
TITLE_MIN_PX = 120


class ElidedLabel(QLabel):
    """A one-line label that never widens its window: a long recording name (time,
    direction, remote, id: ~90 characters) is drawn elided in the middle, whole in text()."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        return QSize(TITLE_MIN_PX, super().minimumSizeHint().height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        area = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle,
                                              area.width())
        painter = QPainter(self)
        painter.drawText(area, int(self.alignment()), shown)


class ClipBar(QWidget):
    message = Signal(str)  # why a recording cannot play, for the status bar
    # This bar took the player: another bar sharing it (history pane, call details) calls
    # release(), since one speaker plays one clip at a time.
    started = Signal()

    def __init__(self, player: ClipPlayback, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Recording player")
        self.player = player
        self.title = ElidedLabel()
        self.position = QLabel()
        self.position.setAccessibleName("Playback position")
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setAccessibleName("Stop the recording")
        self.stop_button.clicked.connect(self.stop)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((self.title, 3), (self.progress, 2), (self.position, 0),
                                (self.stop_button, 0)):
            layout.addWidget(widget, stretch)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self.owns_player = False  # what the player plays now was started here
        self.hide()

    def play(self, path: Path) -> bool:
        """Play ``path`` (stopping any other); False, with the reason said, if it cannot."""
        try:
            duration = self.player.play(path)
        except Exception as exc:  # the player's one-line reason (ClipError)
            self.stop()
            self.message.emit(str(exc))
            return False
        self.owns_player = True
        self.started.emit()
        self.title.setText(f"▶ {path.name}")
        self.title.setToolTip(str(path))
        self.progress.setRange(0, max(1, int(duration * 1000)))
        self._tick()
        self.show()
        self._timer.start()
        return True

    def stop(self) -> None:
        self.player.stop()
        self.release()

    def release(self) -> None:
        """Another bar plays on the shared player now: stop showing it, leave the sound."""
        self.owns_player = False
        self._timer.stop()
        self.hide()

    def _tick(self) -> None:
        position = self.player.position_s
        self.progress.setValue(int(position * 1000))
        self.position.setText(f"{clock(position)} / {clock(self.player.duration_s)}")
        if not self.player.playing:
            self._timer.stop()
            self.title.setText(self.title.text().replace("▶", "■", 1))
