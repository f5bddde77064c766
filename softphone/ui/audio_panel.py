"""Mute, speaker volume, live level meters and device choice, saved by name in settings."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QFormLayout,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSlider,
    QWidget,
)

from softphone.store import AudioSettings
from softphone.ui.facade import AudioControl

METER_FLOOR_DB = -60  # the meters' left end; speech sits around -30..-10 dBFS
METER_INTERVAL_MS = 100
DEFAULT_LABEL = "System default"


def meter_value(dbfs: float) -> int:
    """A level in dBFS as 0..100 on a meter spanning METER_FLOOR_DB..0 dB."""
    fraction = (dbfs - METER_FLOOR_DB) / -METER_FLOOR_DB
    return round(100 * min(1.0, max(0.0, fraction)))


class AudioPanel(QWidget):
    def __init__(
        self,
        audio: AudioControl,
        settings: AudioSettings,
        save: Callable[[AudioSettings], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._audio = audio
        self._settings = settings
        self._save = save
        self.mute = QCheckBox("Mute microphone")
        self.mute.toggled.connect(self._mute_toggled)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 200)
        self.volume.setValue(round(settings.speaker_volume * 100))
        self.volume.setToolTip("Speaker volume (100% = as received)")
        self.volume.valueChanged.connect(self._volume_changed)
        self.mic_meter = self._meter("Microphone level")
        self.speaker_meter = self._meter("Speaker level")
        self.capture = QComboBox()
        self.playback = QComboBox()
        self.ring = QComboBox()
        self.refresh = QPushButton("Refresh devices")
        self.refresh.clicked.connect(self.reload_devices)
        layout = QFormLayout(self)
        layout.addRow(self.mute)
        layout.addRow("Microphone", self.mic_meter)
        layout.addRow("Speaker", self.speaker_meter)
        layout.addRow("Volume", self.volume)
        layout.addRow("Microphone device", self.capture)
        layout.addRow("Speaker device", self.playback)
        layout.addRow("Ring device", self.ring)
        layout.addRow(self.refresh)
        audio.speaker_volume = settings.speaker_volume
        self.reload_devices()
        for combo in (self.capture, self.playback, self.ring):
            combo.currentIndexChanged.connect(self._devices_changed)
        # Levels are read from the GUI thread on a timer: the device threads never touch Qt.
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.update_meters)
        self._timer.start(METER_INTERVAL_MS)

    @staticmethod
    def _meter(tip: str) -> QProgressBar:
        bar = QProgressBar()
        bar.setRange(0, 100)
        bar.setTextVisible(False)
        bar.setToolTip(tip)
        return bar

    def reload_devices(self) -> None:
        """List devices again (one was plugged in); a remembered one that is missing stays
        listed as such, so the choice is not lost while it is unplugged."""
        captures, playbacks = self._audio.device_names()
        s = self._settings
        for combo, names, chosen in (
            (self.capture, captures, s.capture_device),
            (self.playback, playbacks, s.playback_device),
            (self.ring, playbacks, s.ring_device),
        ):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(DEFAULT_LABEL, "")
            for name in names:
                combo.addItem(name, name)
            if chosen and chosen not in names:
                combo.addItem(f"{chosen} (not connected)", chosen)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)

    def update_meters(self) -> None:
        mic, speaker = self._audio.levels()
        self.mic_meter.setValue(meter_value(mic))
        self.speaker_meter.setValue(meter_value(speaker))

    def _mute_toggled(self, on: bool) -> None:
        self._audio.muted = on

    def _volume_changed(self, value: int) -> None:
        self._audio.speaker_volume = value / 100
        self._store(speaker_volume=value / 100)

    def _devices_changed(self) -> None:
        capture = str(self.capture.currentData() or "")
        playback = str(self.playback.currentData() or "")
        ring = str(self.ring.currentData() or "")
        self._audio.set_devices(capture, playback, ring)
        self._store(capture_device=capture, playback_device=playback, ring_device=ring)

    def _store(self, **changes: object) -> None:
        self._settings = self._settings.model_copy(update=changes)
        self._save(self._settings)


def mount_audio_panel(
    window: QMainWindow,
    audio: AudioControl,
    settings: AudioSettings,
    save: Callable[[AudioSettings], None],
) -> AudioPanel:
    """Dock the panel on the window's right edge (the user can move or close it)."""
    panel = AudioPanel(audio, settings, save)
    dock = QDockWidget("Audio", window)
    dock.setObjectName("audio-panel")
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    return panel
