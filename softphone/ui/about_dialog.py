"""Help → About: what a support ticket needs (versions, data folder, log file), copyable."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from softphone import __version__


@dataclass(frozen=True)
class AboutInfo:
    pjsip_version: str = ""
    data_dir: Path | None = None
    log_file: Path | None = None
    qt_version: str = ""

    def lines(self) -> list[tuple[str, str]]:
        return [
            ("softphone", __version__),
            ("PJSIP", self.pjsip_version or "unknown"),
            ("Qt", self.qt_version or "unknown"),
            ("Data folder", str(self.data_dir) if self.data_dir else "not set"),
            ("Log file", str(self.log_file) if self.log_file else "none (not written)"),
        ]

    def text(self) -> str:
        return "\n".join(f"{name}: {value}" for name, value in self.lines())


class AboutDialog(QDialog):
    def __init__(self, info: AboutInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About softphone")
        self.setAccessibleName("About softphone")
        self.info = info
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>softphone {__version__}</b><br>A SIP softphone: calls shaped "
                       "as VoIPBIN Calls.")
        layout.addWidget(title)
        rows = "".join(f"<tr><td><b>{name}</b>&nbsp;&nbsp;</td><td>{_escape(value)}</td></tr>"
                       for name, value in info.lines())
        self.details = QLabel(f"<table>{rows}</table>")
        self.details.setAccessibleName("Versions and folders")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.details)
        hint = QLabel("Attach the log file to a support ticket: it holds no passwords.")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.clicked.connect(self.copy)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.log_button = QPushButton("Show log file")
        self.log_button.setEnabled(info.log_file is not None)
        self.log_button.clicked.connect(self.open_log_folder)
        buttons.addButton(self.log_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self.info.text())

    def open_log_folder(self) -> None:
        if self.info.log_file is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.info.log_file.parent)))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
