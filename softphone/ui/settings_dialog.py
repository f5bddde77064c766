"""Call settings the window owns: auto-answer, do-not-disturb, timeouts, recording."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from softphone.hooks import split_command
from softphone.store import CallSettings


def _seconds(value: float | None, maximum: float, *, zero_means: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0.0, maximum)
    box.setDecimals(0)
    box.setSuffix(" s")
    box.setSpecialValueText(zero_means)  # shown at 0: "never" / "at once"
    box.setValue(value or 0.0)
    return box


class CallSettingsDialog(QDialog):
    def __init__(self, settings: CallSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Call settings")
        self.setAccessibleName("Call settings")
        self.auto_answer = QCheckBox("Answer incoming calls automatically")
        self.auto_answer.setChecked(settings.auto_answer)
        self.auto_answer_after = _seconds(settings.auto_answer_after_s, 600, zero_means="at once")
        self.auto_answer_after.setAccessibleName("Auto-answer after")
        self.dnd = QCheckBox("Do not disturb (decline incoming calls as busy)")
        self.dnd.setChecked(settings.do_not_disturb)
        self.ring_timeout = _seconds(settings.ring_timeout_s, 3600, zero_means="never")
        self.ring_timeout.setAccessibleName("Ring timeout")
        self.dial_timeout = _seconds(settings.dial_timeout_s, 3600, zero_means="none")
        self.dial_timeout.setAccessibleName("Dialing timeout")
        self.max_duration = _seconds(settings.max_duration_s, 86400, zero_means="none")
        self.max_duration.setAccessibleName("Maximum call duration")
        self.record_all = QCheckBox("Record every call")
        self.record_all.setChecked(settings.record_all)
        self.on_event = QLineEdit(settings.on_event)
        self.on_event.setAccessibleName("Command on call events")
        self.on_event.setPlaceholderText("e.g. /usr/local/bin/crm-popup (none: empty)")
        self.on_event.setToolTip(
            "Run as each call comes in, rings, is answered and ends: the Call JSON on its "
            "stdin, SOFTPHONE_EVENT, SOFTPHONE_DIRECTION, SOFTPHONE_REMOTE, "
            "SOFTPHONE_OUTCOME... in its environment; no shell, at most 10 s a run")
        self.problem = QLabel()
        self.problem.setAccessibleName("Settings problem")
        self.problem.setStyleSheet("color: #c0392b;")
        self.problem.hide()
        self.refuse_transfers = QCheckBox("Refuse transfers the far end asks for (603)")
        self.refuse_transfers.setChecked(settings.refuse_transfers)

        form = QFormLayout(self)
        form.addRow(self.auto_answer)
        form.addRow("Auto-answer after:", self.auto_answer_after)
        form.addRow(self.dnd)
        form.addRow("Incoming calls ring out after:", self.ring_timeout)
        form.addRow("Give up dialing after:", self.dial_timeout)
        form.addRow("Hang up calls after:", self.max_duration)
        form.addRow(self.record_all)
        form.addRow(self.refuse_transfers)
        form.addRow("Run on call events:", self.on_event)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept_if_valid)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _accept_if_valid(self) -> None:
        command = self.on_event.text().strip()
        try:
            if command:
                split_command(command)
        except ValueError as exc:
            self.problem.setText(f"The event command cannot be read: {exc}")
            self.problem.show()
            self.on_event.setFocus()
            return
        if any(ord(c) < 32 or ord(c) == 127 for c in command):
            self.problem.setText("The event command holds control characters")
            self.problem.show()
            return
        self.accept()

    def result_settings(self, base: CallSettings) -> CallSettings:
        return base.model_copy(update={
            "auto_answer": self.auto_answer.isChecked(),
            "auto_answer_after_s": self.auto_answer_after.value(),
            "do_not_disturb": self.dnd.isChecked(),
            "ring_timeout_s": self.ring_timeout.value() or None,
            "dial_timeout_s": self.dial_timeout.value() or None,
            "max_duration_s": self.max_duration.value() or None,
            "record_all": self.record_all.isChecked(),
            "on_event": self.on_event.text().strip(),
            "refuse_transfers": self.refuse_transfers.isChecked(),
        })
