"""Sound devices through miniaudio, found by name (indexes move as devices come and go).

miniaudio carries its own backends (WASAPI, Core Audio, PulseAudio, ALSA...), so the same
code runs on Windows, macOS and Linux without a system audio library to install.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import miniaudio  # type: ignore[import-untyped]

from softphone.audio.alsa_quiet import silence_alsa

silence_alsa()  # before miniaudio's first ALSA probe
_log = logging.getLogger(__name__)
FALLBACK_RATE = 48000
APP_NAME = "softphone"

# Every real backend miniaudio knows, in its own order; never its silent NULL backend,
# which would make "no sound card" look like a working device.
BACKENDS: list[Any] = [b for b in miniaudio.Backend if b is not miniaudio.Backend.NULL]

DeviceError = miniaudio.MiniaudioError


@dataclass(frozen=True)
class DeviceInfo:
    name: str  # unique within its kind: a repeated name gets " (2)", " (3)"...
    rate: int  # the device's own rate, so conversion happens once, in our resampler
    device_id: Any = field(compare=False, repr=False)


@dataclass(frozen=True)
class DeviceList:
    backend: str
    captures: list[DeviceInfo]
    playbacks: list[DeviceInfo]

    def capture(self, name: str) -> DeviceInfo | None:
        return next((d for d in self.captures if d.name == name), None) if name else None

    def playback(self, name: str) -> DeviceInfo | None:
        return next((d for d in self.playbacks if d.name == name), None) if name else None


def _infos(raw: list[dict[str, Any]]) -> list[DeviceInfo]:
    seen: dict[str, int] = {}
    out = []
    for item in raw:
        base = str(item.get("name") or "device")
        seen[base] = seen.get(base, 0) + 1
        name = base if seen[base] == 1 else f"{base} ({seen[base]})"
        rates = [f.get("samplerate", 0) for f in item.get("formats") or []]
        rate = next((r for r in rates if r), FALLBACK_RATE)
        out.append(DeviceInfo(name, int(rate), item["id"]))
    return out


def list_devices() -> DeviceList:
    """The system's devices now; raises DeviceError when no audio backend answers."""
    devices = miniaudio.Devices(backends=BACKENDS)
    return DeviceList(
        str(devices.backend), _infos(devices.get_captures()), _infos(devices.get_playbacks())
    )


def default_rate(devices: list[DeviceInfo]) -> int:
    """The rate to open the default device at: the first device's, else 48 kHz."""
    return devices[0].rate if devices else FALLBACK_RATE


CaptureGen = Generator[None, bytearray, None]
PlaybackGen = Generator[bytes, int, None]


class Stream:
    """One open miniaudio device (mono, 16-bit) driven by a generator callback."""

    def __init__(self, device: Any, kind: str, name: str, rate: int) -> None:
        self._device = device
        self.kind = kind
        self.name = name  # "" for the system default
        self.rate = rate

    @classmethod
    def capture(cls, info: DeviceInfo | None, rate: int, buffer_ms: int,
                on_data: Callable[[bytearray], None]) -> Stream:
        device = miniaudio.CaptureDevice(
            input_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=rate,
            buffersize_msec=buffer_ms, device_id=info.device_id if info else None,
            backends=BACKENDS, app_name=APP_NAME,
        )
        stream = cls(device, "capture", info.name if info else "", rate)

        def gen() -> CaptureGen:
            while True:
                on_data((yield))

        stream._start(gen())
        return stream

    @classmethod
    def playback(cls, info: DeviceInfo | None, rate: int, buffer_ms: int,
                 render: Callable[[int], bytes]) -> Stream:
        device = miniaudio.PlaybackDevice(
            output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=rate,
            buffersize_msec=buffer_ms, device_id=info.device_id if info else None,
            backends=BACKENDS, app_name=APP_NAME,
        )
        stream = cls(device, "playback", info.name if info else "", rate)

        def gen() -> PlaybackGen:
            frames = yield b""
            while True:
                frames = yield render(frames)

        stream._start(gen())
        return stream

    def _start(self, gen: Generator[Any, Any, None]) -> None:
        next(gen)
        try:
            self._device.start(gen)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        try:
            self._device.close()
        except Exception as exc:  # a vanished device may fail to stop: it is gone anyway
            _log.debug("closing %s device %r: %s", self.kind, self.name, exc)
