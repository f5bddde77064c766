"""Playing one recording at a time on the chosen speaker, with its position.

miniaudio (already our device library) decodes the WAV and converts it to what the device
takes, so a recording plays wherever calls are heard, with no media framework to install.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import miniaudio  # type: ignore[import-untyped]

from softphone.audio.devices import APP_NAME, BACKENDS, DeviceError, list_devices

_log = logging.getLogger(__name__)
RATE = 16000  # our recordings' rate; miniaudio converts to the device's own
BUFFER_MS = 100


class ClipError(Exception):
    """Why a recording cannot play, in one line a user can act on."""


class ClipPlayer:
    """One clip at a time: playing another stops the first."""

    def __init__(self, speaker: str = "", *, backends: list[Any] | None = None,
                 repair: Callable[[Path], bool] | None = None) -> None:
        self.speaker = speaker  # a device name; "" = the system default
        self._backends = backends or BACKENDS
        self._repair = repair  # fixes a crashed recorder's header (store.repair_wav)
        self._lock = threading.Lock()
        self._device: Any = None
        self._samples = b""
        self._offset = 0  # bytes handed to the device so far
        self.path: Path | None = None

    @property
    def duration_s(self) -> float:
        return len(self._samples) / 2 / RATE

    @property
    def position_s(self) -> float:
        return self._offset / 2 / RATE

    @property
    def playing(self) -> bool:
        return self._device is not None and self._offset < len(self._samples)

    def play(self, path: Path) -> float:
        """Start ``path`` from its beginning; its length in seconds. Raises ClipError."""
        self.stop()
        if not path.is_file():
            raise ClipError(f"Cannot play {path.name}: the file is not in {path.parent} any more")
        samples = self._decode(path)
        if not samples:
            raise ClipError(f"Cannot play {path.name}: it holds no audio")
        device = self._open(path)
        self._samples, self._offset, self.path = samples, 0, path

        def render() -> Any:
            frames = yield b""
            while True:
                with self._lock:
                    start = self._offset
                    chunk = self._samples[start:start + frames * 2]
                    self._offset = start + len(chunk)
                frames = yield chunk + bytes(frames * 2 - len(chunk))

        gen = render()
        next(gen)
        try:
            device.start(gen)
        except DeviceError as exc:
            device.close()
            raise ClipError(f"Cannot play {path.name}: the speaker did not start ({exc})") from exc
        self._device = device
        return self.duration_s

    def stop(self) -> None:
        device, self._device = self._device, None
        if device is not None:
            try:
                device.close()
            except DeviceError as exc:  # a vanished device: it is gone anyway
                _log.debug("closing the clip's device: %s", exc)

    def _decode(self, path: Path) -> bytes:
        for attempt in (1, 2):
            try:
                sound = miniaudio.decode_file(
                    str(path), output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1,
                    sample_rate=RATE)
                data = bytes(sound.samples.tobytes())
                if data or attempt == 2 or not (self._repair and self._repair(path)):
                    return data
            except miniaudio.DecodeError as exc:
                if attempt == 2 or not (self._repair and self._repair(path)):
                    raise ClipError(f"Cannot play {path.name}: it is not a sound file this "
                                    "app can read (damaged?)") from exc
        return b""

    def _open(self, path: Path) -> Any:
        device_id = None
        if self.speaker and self._backends is BACKENDS:
            try:
                info = list_devices().playback(self.speaker)
            except DeviceError:
                info = None
            device_id = info.device_id if info else None  # gone: the system default
        try:
            return miniaudio.PlaybackDevice(
                output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=RATE,
                buffersize_msec=BUFFER_MS, device_id=device_id, backends=self._backends,
                app_name=APP_NAME)
        except DeviceError as exc:
            raise ClipError(f"Cannot play {path.name}: this computer has no sound output "
                            f"device (the file is in {path.parent})") from exc
