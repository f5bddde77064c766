"""A call's details: the full Call JSON (copyable), its tm_* timeline, SIP diagnostics and
its recordings, played here."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from softphone.model import Call, Timestamp
from softphone.model.diagnostics import CallDiagnostics
from softphone.model.enums import HANGUP_REASON_DESCRIPTIONS
from softphone.model.explain import plain_outcome
from softphone.model.siptrace import SipMessage
from softphone.ui.clip_bar import ClipBar
from softphone.ui.facade import ClipPlayback
from softphone.ui.quality_graph import QualityGraph, quality_words
from softphone.ui.sip_ladder import SipLadderView
from softphone.ui.text import direction_label, local_time, outcome_text, party

# The moments of a Call, in the order they can happen.
TIMELINE_FIELDS = ("tm_create", "tm_ringing", "tm_progressing", "tm_update", "tm_hangup")
_MOMENT_WORDS = {
    "tm_create": "created",
    "tm_ringing": "ringing",
    "tm_progressing": "answered (progressing)",
    "tm_update": "last update",
    "tm_hangup": "hung up",
}


def call_json(call: Call) -> str:
    return json.dumps(call.model_dump(mode="json"), indent=2)


def timeline(call: Call) -> list[tuple[str, Timestamp]]:
    """The set tm_* moments, oldest first."""
    moments = [(name, getattr(call, name)) for name in TIMELINE_FIELDS]
    present = [(name, stamp) for name, stamp in moments if stamp is not None]
    return sorted(present, key=lambda item: item[1])


class CallDetailsDialog(QDialog):
    def __init__(
        self,
        call: Call,
        diagnostics: CallDiagnostics | None,
        parent: QWidget | None = None,
        messages: list[SipMessage] | None = None,
        recordings: list[tuple[UUID, Path | None]] | None = None,
        player: ClipPlayback | None = None,
        play_elsewhere: Callable[[Path], None] | None = None,
    ) -> None:
        """``recordings``: the call's recordings and their files (None: gone from the
        folder); they play on ``player`` in this dialog, else through ``play_elsewhere``."""
        super().__init__(parent)
        self.setWindowTitle(f"Call {call.remote.target or call.id}")
        self.setAccessibleName("Call details")
        self.resize(620, 640)
        self.call = call

        summary = QFormLayout()
        summary.addRow("Remote:", QLabel(party(call.remote)))
        summary.addRow("Direction:", QLabel(direction_label(call.direction)))
        outcome = QLabel(call.status.value if not call.is_over else outcome_text(call))
        outcome.setToolTip(HANGUP_REASON_DESCRIPTIONS.get(call.hangup_reason, ""))
        summary.addRow("Outcome:", outcome)
        plain = plain_outcome(call, diagnostics.sip_code if diagnostics else None)
        if plain:
            words = QLabel(plain)
            words.setWordWrap(True)
            words.setAccessibleName("What happened")
            summary.addRow("What happened:", words)
        if diagnostics is not None:
            for label, value in (
                ("Final SIP:", f"{diagnostics.sip_code or ''} {diagnostics.sip_reason or ''}"),
                ("Detail:", diagnostics.detail or ""),
                ("Far end agent:", diagnostics.user_agent or ""),
                ("Post-dial delay:", f"{diagnostics.post_dial_delay_ms} ms"
                 if diagnostics.post_dial_delay_ms is not None else ""),
                ("SIP Call-ID:", diagnostics.call_id_header or ""),
            ):
                if value.strip():
                    field = QLabel(value.strip())
                    field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                    summary.addRow(label, field)

        self.clip_bar: ClipBar | None = ClipBar(player, self) if player is not None else None
        self.play_message = QLabel()  # why a recording cannot play (no status bar here)
        self.play_message.setAccessibleName("Playback problem")
        self.play_message.setWordWrap(True)
        self.play_message.hide()
        self.play_buttons: list[QPushButton] = []
        if self.clip_bar is not None:
            self.clip_bar.message.connect(self._cannot_play)
        if recordings:
            summary.addRow("Recordings:", self._recordings_row(recordings, play_elsewhere))

        self.timeline = QTreeWidget()
        self.timeline.setAccessibleName("Call timeline")
        self.timeline.setHeaderLabels(("Moment", "Field", "Local time", "+ seconds"))
        self.timeline.setRootIsDecorated(False)
        moments = timeline(call)
        start = moments[0][1] if moments else None
        for name, stamp in moments:
            offset = f"{stamp.seconds_since(start):+.3f}" if start is not None else ""
            self.timeline.addTopLevelItem(QTreeWidgetItem(
                [_MOMENT_WORDS[name], name, f"{local_time(stamp)}  ({stamp} UTC)", offset]
            ))
        for column in range(4):
            self.timeline.resizeColumnToContents(column)
        self.timeline.setMaximumHeight(150)

        self.json_view = QPlainTextEdit(call_json(call))
        self.json_view.setReadOnly(True)
        self.json_view.setAccessibleName("Call JSON")
        self.json_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))

        copy = QPushButton("&Copy JSON")
        copy.setAccessibleName("Copy the Call JSON")
        copy.clicked.connect(self.copy_json)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Call details")
        overview = QWidget()
        overview_layout = QVBoxLayout(overview)
        overview_layout.addWidget(QLabel("Timeline"))
        overview_layout.addWidget(self.timeline)
        overview_layout.addWidget(QLabel("Call (VoIPBIN JSON)"))
        overview_layout.addWidget(self.json_view, 1)
        self.tabs.addTab(overview, "&Call")
        self.ladder = SipLadderView(messages or [])
        self.tabs.addTab(self.ladder, f"&SIP messages ({len(messages or [])})")
        quality = diagnostics.quality if diagnostics is not None else None
        self.quality_graph: QualityGraph | None = None
        if quality is not None:
            page = QWidget()
            page_layout = QVBoxLayout(page)
            words = QLabel(quality_words(quality))
            words.setWordWrap(True)
            words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            page_layout.addWidget(words)
            self.quality_graph = QualityGraph(quality)
            page_layout.addWidget(self.quality_graph)
            page_layout.addStretch(1)
            self.tabs.addTab(page, "&Quality")

        layout = QVBoxLayout(self)
        layout.addLayout(summary)
        if self.clip_bar is not None:
            layout.addWidget(self.clip_bar)
        layout.addWidget(self.play_message)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        # Closing the dialog ends the clip it started (one left playing could not be stopped).
        self.finished.connect(lambda _r: self._stop_own_clip())

    def _recordings_row(self, recordings: list[tuple[UUID, Path | None]],
                        play_elsewhere: Callable[[Path], None] | None) -> QWidget:
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        for number, (_rid, path) in enumerate(recordings, 1):
            button = QPushButton(f"▶ Play {number}" if len(recordings) > 1 else "▶ Play")
            button.setAccessibleName(f"Play recording {number}")
            if path is None:
                button.setEnabled(False)
                button.setToolTip("The file is not in the recordings folder any more")
            else:
                button.setToolTip(str(path))
                if self.clip_bar is not None:
                    button.clicked.connect(lambda _c=False, p=path: self.play(p))
                elif play_elsewhere is not None:
                    button.clicked.connect(lambda _c=False, p=path: play_elsewhere(p))
                else:
                    button.setEnabled(False)
            self.play_buttons.append(button)
            line.addWidget(button)
        line.addStretch(1)
        return row

    def play(self, path: Path) -> bool:
        """Play one of this call's recordings in the dialog; False (and why, shown) if not."""
        self.play_message.hide()
        return self.clip_bar is not None and self.clip_bar.play(path)

    def _cannot_play(self, text: str) -> None:
        self.play_message.setText(text)
        self.play_message.show()

    def _stop_own_clip(self) -> None:
        if self.clip_bar is not None and self.clip_bar.owns_player:
            self.clip_bar.stop()

    def copy_json(self) -> None:
        QGuiApplication.clipboard().setText(self.json_view.toPlainText())
