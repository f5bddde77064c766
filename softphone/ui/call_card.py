"""One live call as a card: who, which way, its status badge, timers and recordings."""

from __future__ import annotations

import time
from pathlib import Path
from uuid import UUID

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from softphone.model import Call, CallDirection, CallStatus
from softphone.model.diagnostics import CallDiagnostics
from softphone.model.enums import HANGUP_REASON_DESCRIPTIONS, STATUS_DESCRIPTIONS
from softphone.model.explain import plain_outcome
from softphone.model.ids import NIL_ID
from softphone.ui.call_control_bar import DTMF_KEYS, CallControlBar
from softphone.ui.quality_graph import quality_words
from softphone.ui.recordings import find_recording
from softphone.ui.text import clock, direction_label, outcome_text, plain_status
from softphone.ui.theme import (
    ACCENT_GREEN,
    ACCENT_RED,
    REASON_GLYPHS,
    RECORDING_RED,
    badge_style,
    reason_colour,
)

# The card's border, painted by the card (paintEvent): a style sheet on the card cascades a
# style object to each of its ~30 widgets, 220 KB a card (issue 16, measured).
RINGING_BORDER = "#e67e22"
FRAME_RADIUS = 8.0


def set_style(widget: QWidget, sheet: str) -> None:
    """Only a changed sheet: each setStyleSheet parses it and polishes the widget again,
    and the badge is restyled on every update of its call."""
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)


class CallCard(QFrame):
    # Each carries the card's call id (play_requested: the recording's file).
    hangup_requested = Signal(UUID)
    answer_requested = Signal(UUID)
    decline_requested = Signal(UUID)
    record_toggled = Signal(UUID, bool)
    details_requested = Signal(UUID)
    play_requested = Signal(Path)
    dismissed = Signal(UUID)
    chosen = Signal(UUID)  # the user clicked the card: it becomes the current call
    badge_changed = Signal(str)  # the status the badge now shows
    key_typed = Signal(UUID, str)  # a DTMF key typed while this answered call has focus

    def __init__(
        self,
        call: Call,
        recordings_dir: Path,
        ring_timeout_s: float | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("callCard")
        self.call_id: UUID = call.id
        self.call = call
        self.diagnostics: CallDiagnostics | None = None
        self.recordings_dir = recordings_dir
        self.ring_timeout_s = ring_timeout_s
        self.ended_at: float | None = None  # monotonic, for removing the card later
        self._recording_started: float | None = None
        self._shown_recordings: list[UUID] = []
        self._current = False
        self._announced: CallStatus | None = None

        self.direction = QLabel()
        self.direction.setAccessibleName("Direction")
        self.name = QLabel()
        font = QFont(self.name.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.name.setFont(font)
        self.name.setAccessibleName("Remote party")
        self.uri = QLabel()
        self.uri.setAccessibleName("Remote address")
        self.uri.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.badge = QLabel()
        self.badge.setAccessibleName("Call status")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Everyday words beside VoIPBIN's status: "progressing" reads as "talking".
        self.plain = QLabel()
        self.plain.setAccessibleName("Call status in plain words")
        self.elapsed = QLabel()
        self.elapsed.setAccessibleName("Elapsed time")
        self.ring_timeout = QLabel()
        self.ring_timeout.setAccessibleName("Ring timeout")
        self.outcome = QLabel()
        self.outcome.setAccessibleName("Call outcome")
        self.outcome.setWordWrap(True)
        # The model's one sentence (explain.plain_outcome): "You declined the call."
        self.plain_outcome = QLabel()
        self.plain_outcome.setAccessibleName("What happened")
        self.plain_outcome.setWordWrap(True)
        # The final SIP code and reason, for the support engineer.
        self.outcome_detail = QLabel()
        self.outcome_detail.setAccessibleName("Final SIP response")
        self.outcome_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.outcome_detail.hide()
        self.rec_indicator = QLabel()
        self.rec_indicator.setAccessibleName("Recording indicator")
        self.rec_indicator.setStyleSheet(f"color: {RECORDING_RED}; font-weight: 600;")
        self.recordings = QLabel()
        self.recordings.setAccessibleName("Recordings")
        self.recordings.setTextFormat(Qt.TextFormat.RichText)
        self.recordings.setWordWrap(True)
        self.recordings.linkActivated.connect(lambda link: self.play_requested.emit(Path(link)))
        self.dtmf = QLabel()
        self.dtmf.setAccessibleName("Digits sent")
        self.quality = QLabel()
        self.quality.setAccessibleName("Call quality")
        self.quality.hide()

        self.answer_button = QPushButton("Answer")
        self.answer_button.setAccessibleName("Answer")
        self.answer_button.setStyleSheet(f"QPushButton {{ background: {ACCENT_GREEN}; "
                                         "color: white; font-weight: 600; padding: 6px 14px;"
                                         " border-radius: 6px; }")
        self.answer_button.clicked.connect(lambda: self.answer_requested.emit(self.call_id))
        self.decline_button = QPushButton("Decline")
        self.decline_button.setAccessibleName("Decline")
        self.decline_button.setStyleSheet(f"QPushButton {{ background: {ACCENT_RED}; "
                                          "color: white; font-weight: 600; padding: 6px 14px;"
                                          " border-radius: 6px; }")
        self.decline_button.clicked.connect(lambda: self.decline_requested.emit(self.call_id))
        self.hangup_button = QPushButton("Hang up")
        self.hangup_button.setAccessibleName("Hang up this call")
        self.hangup_button.clicked.connect(lambda: self.hangup_requested.emit(self.call_id))
        self.record_button = QToolButton()
        self.record_button.setText("● Record")
        self.record_button.setCheckable(True)
        self.record_button.setAccessibleName("Record")
        self.record_button.setToolTip("Record this call to a WAV file (while it is answered)")
        self.record_button.toggled.connect(
            lambda on: self.record_toggled.emit(self.call_id, on)
        )
        self.details_button = QToolButton()
        self.details_button.setText("Details")
        self.details_button.setAccessibleName("Call details")
        self.details_button.clicked.connect(lambda: self.details_requested.emit(self.call_id))
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("✕")
        self.dismiss_button.setAccessibleName("Dismiss")
        self.dismiss_button.setToolTip("Remove this ended call from the panel")
        self.dismiss_button.clicked.connect(lambda: self.dismissed.emit(self.call_id))

        # Call control (hold, mute, transfer, conference): one widget, one place.
        self.controls = CallControlBar(call.id, self)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # keys typed here are DTMF

        top = QHBoxLayout()
        top.addWidget(self.direction)
        top.addStretch(1)
        top.addWidget(self.rec_indicator)
        top.addWidget(self.plain)
        top.addWidget(self.badge)
        top.addWidget(self.dismiss_button)
        timers = QHBoxLayout()
        timers.addWidget(self.elapsed)
        timers.addWidget(self.ring_timeout)
        timers.addStretch(1)
        timers.addWidget(self.quality)
        timers.addWidget(self.dtmf)
        buttons = QHBoxLayout()
        buttons.addWidget(self.answer_button)
        buttons.addWidget(self.decline_button)
        buttons.addWidget(self.hangup_button)
        buttons.addStretch(1)
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.details_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.name)
        layout.addWidget(self.uri)
        layout.addLayout(timers)
        layout.addWidget(self.outcome)
        layout.addWidget(self.plain_outcome)
        layout.addWidget(self.outcome_detail)
        layout.addWidget(self.recordings)
        layout.addLayout(buttons)
        layout.addWidget(self.controls)
        self.update_call(call, None)

    # -- state --------------------------------------------------------------------------

    @property
    def is_incoming_ringing(self) -> bool:
        return (
            self.call.direction is CallDirection.INCOMING
            and self.call.status is CallStatus.RINGING
        )

    @property
    def is_over(self) -> bool:
        return self.call.is_over

    def set_current(self, current: bool) -> None:
        self._current = current
        self._restyle()

    def update_call(self, call: Call, diagnostics: CallDiagnostics | None) -> None:
        self.call = call
        if diagnostics is not None:
            self.diagnostics = diagnostics
        remote = call.remote
        self.name.setText(remote.name or remote.target or "unknown")
        self.uri.setText(remote.target if remote.name else "")
        self.uri.setVisible(bool(remote.name))
        self.direction.setText(direction_label(call.direction))
        self.badge.setText(call.status.value)
        set_style(self.badge, badge_style(call.status))
        self.badge.setToolTip(STATUS_DESCRIPTIONS[call.status])
        self.badge.setAccessibleDescription(STATUS_DESCRIPTIONS[call.status])
        # A call running a flow shows the action running now (its type, as VoIPBIN names it).
        running = f" · {call.type.value} action: {call.action.type}" if call.action.type else ""
        self.plain.setText(plain_status(call) + running)
        ringing_in = self.is_incoming_ringing
        self.answer_button.setVisible(ringing_in)
        self.decline_button.setVisible(ringing_in)
        self.hangup_button.setVisible(not ringing_in and not call.is_over)
        self.hangup_button.setText("Cancel" if not call.was_answered else "Hang up")
        self.hangup_button.setEnabled(
            call.status in (CallStatus.DIALING, CallStatus.RINGING, CallStatus.PROGRESSING)
        )
        self.record_button.setEnabled(not call.is_over)
        self.dismiss_button.setVisible(call.is_over)
        self.ring_timeout.setVisible(ringing_in and self.ring_timeout_s is not None)
        self._sync_recordings()
        self._show_quality()
        if call.is_over:
            self.ended_at = time.monotonic()
            self.outcome.setText(outcome_text(call))
            d = self.diagnostics
            sip = f"SIP {d.sip_code} {d.sip_reason or ''}".rstrip() if d and d.sip_code else ""
            self.outcome_detail.setText(sip)
            colour = reason_colour(call.hangup_reason).name()
            set_style(self.outcome, f"color: {colour}; font-weight: 600;")
            tip = HANGUP_REASON_DESCRIPTIONS.get(call.hangup_reason, "")
            if self.diagnostics is not None and self.diagnostics.detail:
                tip = f"{tip}\n{self.diagnostics.detail}".strip()
            self.outcome.setToolTip(tip)
            self.outcome.setAccessibleDescription(tip)
            code = self.diagnostics.sip_code if self.diagnostics is not None else None
            glyph = REASON_GLYPHS.get(call.hangup_reason, "")
            self.plain_outcome.setText(f"{glyph} {plain_outcome(call, code)}".strip())
        self.outcome.setVisible(call.is_over)
        self.plain_outcome.setVisible(call.is_over)
        self.outcome_detail.setVisible(call.is_over and bool(self.outcome_detail.text()))
        self.controls.update_call(call, self.diagnostics)
        self._restyle()
        self.tick()
        if call.status is not self._announced:
            self._announced = call.status
            self.badge_changed.emit(call.status.value)

    def _show_quality(self) -> None:
        """MOS of the last second while live (the call's average once it ended), coloured
        as the E-model rates it: good from 4.0, fair from 3.6, poor below."""
        d = self.diagnostics
        summary = d.quality if d is not None else None
        if summary is None:
            self.quality.hide()
            return
        now = d.quality_now if d is not None and not self.call.is_over else None
        mos = now.mos if now is not None else summary.mos.avg
        colour = "#1e8449" if mos >= 4.0 else "#b9770e" if mos >= 3.6 else "#c0392b"
        self.quality.setText(f"● MOS {mos:.1f}")
        set_style(self.quality, f"color: {colour}; font-weight: 600;")
        self.quality.setToolTip(quality_words(summary))
        self.quality.setAccessibleDescription(quality_words(summary))
        self.quality.show()

    def _restyle(self) -> None:
        self.update()  # the border follows the state (paintEvent)

    def border(self) -> tuple[QColor, int]:
        """The border's colour and width: orange while ringing in, the highlight for the
        current call, a quiet line otherwise."""
        if self.is_incoming_ringing:
            return QColor(RINGING_BORDER), 2
        if self._current and not self.call.is_over:
            return self.palette().color(QPalette.ColorRole.Highlight), 2
        return self.palette().color(QPalette.ColorRole.Mid), 1

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        colour, width = self.border()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(colour, width))
        inset = width / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(inset, inset, -inset, -inset),
                                FRAME_RADIUS, FRAME_RADIUS)
        painter.end()

    def _sync_recordings(self) -> None:
        recording = self.call.recording_id != NIL_ID
        if recording and self._recording_started is None:
            self._recording_started = time.monotonic()
        elif not recording:
            self._recording_started = None
        self.rec_indicator.setVisible(recording)
        if self.record_button.isChecked() != recording and (
            recording or self.call.status is CallStatus.PROGRESSING or self.call.is_over
        ):
            # Mirror the engine; before answer the toggle is only a wish and stays as set.
            self.record_button.blockSignals(True)
            self.record_button.setChecked(recording)
            self.record_button.blockSignals(False)
        if self.call.recording_ids == self._shown_recordings:
            return
        self._shown_recordings = list(self.call.recording_ids)
        links = []
        for number, rid in enumerate(self.call.recording_ids, start=1):
            path = find_recording(self.recordings_dir, rid)
            if path is None:
                links.append(f"recording {number} ({str(rid)[:8]}…)")
            else:
                links.append(f'<a href="{path}">▶ {path.name}</a>')
        self.recordings.setText("Recordings: " + ", ".join(links) if links else "")
        self.recordings.setVisible(bool(links))

    def tick(self) -> None:
        """Refresh the clocks (called every half second by the panel)."""
        call = self.call
        if call.tm_progressing is not None:
            self.elapsed.setText(f"talk {clock(call.talk_seconds())}")
        elif call.tm_create is not None:
            end = call.tm_hangup
            word = "dialing" if call.status is CallStatus.DIALING else "ringing"
            if call.is_over:
                word = "rang"
            start = call.tm_create
            seconds = (end.seconds_since(start) if end is not None
                       else time.time() - start.ns / 1e9)
            self.elapsed.setText(f"{word} {clock(max(0.0, seconds))}")
        if self._recording_started is not None:
            self.rec_indicator.setText(
                f"● REC {clock(time.monotonic() - self._recording_started)}"
            )
        if self.is_incoming_ringing and self.ring_timeout_s is not None and call.tm_create:
            left = self.ring_timeout_s - (time.time() - call.tm_create.ns / 1e9)
            self.ring_timeout.setText(f"· rings out in {clock(max(0.0, left))}")

    def show_digits(self, digits: str) -> None:
        self.dtmf.setText(f"DTMF {digits}")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.text()
        if key and key in DTMF_KEYS and self.call.status is CallStatus.PROGRESSING:
            self.key_typed.emit(self.call_id, key)
            event.accept()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.chosen.emit(self.call_id)
        super().mousePressEvent(event)
