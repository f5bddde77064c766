"""The audio panel, offscreen: what it shows and what it asks of the devices."""

from __future__ import annotations

import pytest

from softphone.store.settings import AudioSettings

pytestmark = pytest.mark.gui


class FakeAudio:
    def __init__(self) -> None:
        self.muted = False
        self.speaker_volume = 1.0
        self.mic_dbfs = -90.0
        self.speaker_dbfs = -90.0
        self.devices: tuple[str, str, str] | None = None

    def levels(self) -> tuple[float, float]:
        return self.mic_dbfs, self.speaker_dbfs

    def device_names(self) -> tuple[list[str], list[str]]:
        return ["Built-in Mic", "USB Headset Mic"], ["Speakers", "USB Headset"]

    def set_devices(self, capture: str, playback: str, ring: str) -> None:
        self.devices = (capture, playback, ring)


def test_panel_controls_drive_the_devices_and_settings(qtbot: object) -> None:
    from softphone.ui.audio_panel import AudioPanel, meter_value

    audio = FakeAudio()
    saved: list[AudioSettings] = []
    settings = AudioSettings(playback_device="Old Headset", speaker_volume=0.8)
    panel = AudioPanel(audio, settings, saved.append)
    qtbot.addWidget(panel)  # type: ignore[attr-defined]

    assert audio.speaker_volume == pytest.approx(0.8)
    # A remembered device that is unplugged stays chosen, shown as such.
    assert panel.playback.currentText() == "Old Headset (not connected)"
    assert panel.capture.currentText() == "System default"

    panel.mute.setChecked(True)
    assert audio.muted is True

    panel.volume.setValue(150)
    assert audio.speaker_volume == pytest.approx(1.5)
    assert saved[-1].speaker_volume == pytest.approx(1.5)

    panel.capture.setCurrentIndex(panel.capture.findData("USB Headset Mic"))
    assert audio.devices == ("USB Headset Mic", "Old Headset", "")
    assert saved[-1].capture_device == "USB Headset Mic"

    audio.mic_dbfs, audio.speaker_dbfs = -30.0, 0.0
    qtbot.waitUntil(  # type: ignore[attr-defined]
        lambda: panel.mic_meter.value() == meter_value(-30.0) == 50, timeout=2000
    )
    assert panel.speaker_meter.value() == 100
