"""The tray icon: missed calls and accounts waiting for a password at a glance, and
desktop notifications."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon, QWidget

PASSWORD_BADGE = "#e67e22"  # orange, with a "!": an account waits for its password


def tray_pixmap(missed: int, size: int = 64, *, password_needed: bool = False) -> QPixmap:
    """A green disc with a handset glyph; a red badge with the count when calls were missed;
    an orange "!" at the bottom left while an account waits for its password."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#1e8449"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(2, 2, size - 4, size - 4)
    painter.setPen(QColor("white"))
    font = QFont()
    font.setPixelSize(int(size * 0.55))
    painter.setFont(font)
    painter.drawText(QRect(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "✆")
    if missed:
        count = str(missed) if missed < 100 else "99+"
        _badge(painter, QRect(size // 2 - 2, 0, size // 2 + 2, size // 2 + 2), "#e0302a",
               count, int(size * 0.32))
    if password_needed:
        _badge(painter, QRect(0, size // 2 - 2, size // 2 + 2, size // 2 + 2), PASSWORD_BADGE,
               "!", int(size * 0.36))
    painter.end()
    return pixmap


def _badge(painter: QPainter, rect: QRect, colour: str, text: str, pixels: int) -> None:
    """A filled disc with bold white text in it."""
    painter.setBrush(QColor(colour))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(rect)
    painter.setPen(QColor("white"))
    font = QFont(painter.font())
    font.setPixelSize(pixels)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


class Tray(QSystemTrayIcon):
    show_requested = Signal()
    quit_requested = Signal()
    password_requested = Signal()  # "Enter the password…": show the window and ask

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self.missed = 0
        self.password_needed: list[str] = []  # accounts waiting for their password
        self.last_notification: tuple[str, str] | None = None
        menu = QMenu(window)
        show = QAction("Show softphone", menu)
        show.triggered.connect(self.show_requested.emit)
        menu.addAction(show)
        self.password_action = QAction("Enter account password…", menu)
        self.password_action.triggered.connect(self.password_requested.emit)
        self.password_action.setVisible(False)
        menu.addAction(self.password_action)
        self.dnd_action = QAction("Do not disturb", menu)
        self.dnd_action.setCheckable(True)
        menu.addAction(self.dnd_action)
        menu.addSeparator()
        quit_action = QAction("Quit", menu)
        quit_action.triggered.connect(self.quit_requested.emit)
        menu.addAction(quit_action)
        self.setContextMenu(menu)
        self.activated.connect(self._activated)
        self.set_missed(0)
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.show()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            self.show_requested.emit()

    def set_missed(self, missed: int) -> None:
        self.missed = missed
        self._show_state()

    def set_password_needed(self, names: list[str]) -> None:
        """The accounts that stay unregistered until their password is typed again."""
        self.password_needed = list(names)
        self.password_action.setVisible(bool(names))
        self._show_state()

    def _show_state(self) -> None:
        missed, names = self.missed, self.password_needed
        self.setIcon(QIcon(tray_pixmap(missed, password_needed=bool(names))))
        parts = []
        if missed:
            parts.append(f"{missed} missed call{'s' if missed != 1 else ''}")
        if names:
            quoted = ", ".join(f"'{name}'" for name in names)
            parts.append(f"password needed for {quoted} (not registered)")
        self.setToolTip(" — ".join(["softphone", *parts]))

    def notify(self, title: str, text: str, *, shown_elsewhere: bool = False) -> None:
        """A desktop notification; without a tray, the window's taskbar entry flashes.

        ``shown_elsewhere``: the desktop's notification service already shows it (with
        buttons): only remembered here."""
        self.last_notification = (title, text)
        if shown_elsewhere:
            return
        if QSystemTrayIcon.isSystemTrayAvailable() and self.supportsMessages():
            self.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 10_000)
        else:
            # alert() never takes keyboard focus from whatever the user is typing in.
            QApplication.alert(self._window, 0)
