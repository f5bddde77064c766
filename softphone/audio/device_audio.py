"""Real microphone, speaker and ringer for the engine's bridge port, kept alive by a worker.

Three threads meet here, each with its own job:
- pjmedia's clock thread calls capture_frame/playback_frame every 20 ms (via BridgePort);
- miniaudio's device threads call our capture and render callbacks at the card's pace;
- our worker thread opens, reopens and closes devices: at start, when the user picks
  another device, when a device stops calling back (unplugged: fall back to the system
  default without touching the call), and when a remembered device comes back.
The first two only touch jitter buffers, meters and the tone mixer, never a device.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

import numpy as np

from softphone.audio.devices import (
    FALLBACK_RATE,
    DeviceError,
    DeviceInfo,
    DeviceList,
    Stream,
    list_devices,
)
from softphone.audio.jitter import JitterBuffer
from softphone.audio.levels import FLOOR_DBFS, LevelMeter
from softphone.audio.resample import Resampler
from softphone.audio.tones import RINGTONE, Cadence, ToneMixer

_log = logging.getLogger(__name__)

CLOCK_RATE = 16000  # pjsua's default conference-bridge rate (and G.722's)
# Chosen by measurement (benchmarks/bench_audio_bridge.py, issue 16): 20 ms device periods
# and a 40 ms target added 121 ms mic to speaker; 10 ms and 20 ms add 61-71 ms with no
# underrun in a minute at rest. Below that (5 ms periods, a 15 ms target) underruns begin.
DEVICE_BUFFER_MS = 10
JITTER_TARGET_MS = 20
JITTER_MAX_MS = 80
# A device that has not called back for this long is gone (unplugged, server restarted).
STALL_S = 0.6
# ...but a stream may take its time to start flowing (PulseAudio: up to ~2 s here).
STARTUP_S = 5.0
STEADY_CALLBACKS = 5
# The bridge pulls our microphone only while a call listens to it: when it has not for this
# long, captured audio is thrown away rather than piled up (and counted as drops).
BRIDGE_IDLE_S = 0.2
RETRY_S = 2.0  # how often to retry a missing device, or look for a remembered one again
WORKER_TICK_S = 0.2


def _to_int16(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.clip(np.rint(x), -32768, 32767).astype(np.int16)
    return out


class _Slot:
    """One device role (microphone, speaker, ringer): what is wanted and what is open."""

    def __init__(self, role: str, wanted: str) -> None:
        self.role = role
        self.wanted = wanted  # a device name; "" = the system default
        self.stream: Stream | None = None
        self.last_callback = 0.0
        self.callbacks = 0
        self.next_try = 0.0
        self.reopen = False  # the user picked another device
        self.on_fallback = False  # opened the default because ``wanted`` was missing
        self.switches = 0

    def touch(self) -> None:
        self.last_callback = time.monotonic()
        self.callbacks += 1

    def opened(self) -> None:
        self.last_callback = time.monotonic()
        self.callbacks = 0

    def stalled(self, now: float) -> bool:
        if self.stream is None:
            return False
        limit = STALL_S if self.callbacks >= STEADY_CALLBACKS else STARTUP_S
        return now - self.last_callback > limit

    def close(self) -> None:
        stream, self.stream = self.stream, None
        if stream is not None:
            stream.close()


class DeviceAudio:
    """Implements the engine's AudioDevices (frames and cues) and the window's controls."""

    def __init__(
        self,
        capture_device: str = "",
        playback_device: str = "",
        ring_device: str = "",
        *,
        speaker_volume: float = 1.0,
        clock_rate: int = CLOCK_RATE,
        buffer_ms: int = DEVICE_BUFFER_MS,
        jitter_ms: int = JITTER_TARGET_MS,
        lister: Callable[[], DeviceList] = list_devices,
    ) -> None:
        self._clock_rate = clock_rate
        self.buffer_ms = buffer_ms
        self.muted = False
        self.speaker_volume = speaker_volume
        self.mic_meter = LevelMeter()
        self.speaker_meter = LevelMeter()
        self.capture_jitter = JitterBuffer(clock_rate, jitter_ms, JITTER_MAX_MS)
        self.playback_jitter = JitterBuffer(clock_rate, jitter_ms, JITTER_MAX_MS)
        self.tones = ToneMixer(clock_rate)
        self._list = lister
        self._mic = _Slot("microphone", capture_device)
        self._speaker = _Slot("speaker", playback_device)
        self._ringer = _Slot("ringer", ring_device)
        self._ring_wanted = False
        self._lock = threading.Lock()  # guards the slots' wanted names and flags
        self._wake = threading.Event()
        self._stopping = False
        self._worker: threading.Thread | None = None
        self.callback_errors = 0
        self._started_at = 0.0
        self._bridge_pulled_at = 0.0

    # -- the engine's side: frames (pjmedia clock thread) -------------------------------

    @property
    def clock_rate(self) -> int:
        return self._clock_rate

    def capture_frame(self, nbytes: int) -> bytes:
        self._bridge_pulled_at = time.monotonic()
        samples = self.capture_jitter.read(nbytes // 2)
        return bytes(nbytes) if self.muted else samples.tobytes()

    def playback_frame(self, pcm: bytes) -> None:
        # Only once the speaker is draining: a starting or missing one would just pile up.
        if self._speaker.stream is not None and self._speaker.callbacks >= STEADY_CALLBACKS:
            self.playback_jitter.write(np.frombuffer(pcm, dtype=np.int16))

    # -- the engine's side: cues (engine thread) ----------------------------------------

    def set_ringtone(self, on: bool) -> None:
        if on != self._ring_wanted:
            self._ring_wanted = on
            self._wake.set()

    def set_ringback(self, on: bool) -> None:
        self.tones.set_ringback(on)

    def play_dtmf(self, digits: str) -> None:
        self.tones.play_dtmf(digits)

    # -- the window's side -----------------------------------------------------------------

    def levels(self) -> tuple[float, float]:
        """(microphone, speaker) in dBFS; the floor when that device is not open."""
        mic = self.mic_meter.dbfs if self._mic.stream is not None else FLOOR_DBFS
        spk = self.speaker_meter.dbfs if self._speaker.stream is not None else FLOOR_DBFS
        return mic, spk

    def device_names(self) -> tuple[list[str], list[str]]:
        """(microphones, speakers) present now; empty lists when no backend answers."""
        try:
            devices = self._list()
        except DeviceError:
            return [], []
        return [d.name for d in devices.captures], [d.name for d in devices.playbacks]

    def set_devices(self, capture: str, playback: str, ring: str) -> None:
        """Switch devices by name ("" = system default); applied by the worker at once."""
        with self._lock:
            for slot, name in ((self._mic, capture), (self._speaker, playback),
                               (self._ringer, ring)):
                if slot.wanted != name:
                    slot.wanted = name
                    slot.reopen = True
                    slot.next_try = 0.0
        self._wake.set()

    def open_devices(self) -> dict[str, str | None]:
        """What each role is playing through: a name, "default", or None (not open)."""
        out: dict[str, str | None] = {}
        for slot in (self._mic, self._speaker, self._ringer):
            stream = slot.stream
            out[slot.role] = None if stream is None else (stream.name or "default")
        return out

    def stats(self) -> dict[str, int]:
        return {
            "capture_underruns": self.capture_jitter.underruns,
            "capture_drops": self.capture_jitter.drops,
            "playback_underruns": self.playback_jitter.underruns,
            "playback_drops": self.playback_jitter.drops,
            "device_switches": self._mic.switches + self._speaker.switches,
            "callback_errors": self.callback_errors,
        }

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> None:
        if self._worker is not None:
            return
        self._started_at = time.monotonic()
        self._stopping = False
        self._maintain()  # open at once, so a call placed right away is heard
        self._worker = threading.Thread(target=self._run, name="softphone-audio", daemon=True)
        self._worker.start()

    def close(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._worker is not None:
            self._worker.join(timeout=5)
            self._worker = None
        for slot in (self._mic, self._speaker, self._ringer):
            slot.close()
        minutes = max(time.monotonic() - self._started_at, 1e-9) / 60
        stats = self.stats()
        _log.info(
            "audio closed after %.1f min: %s (underruns per minute: capture %.1f, "
            "playback %.1f)", minutes, stats, stats["capture_underruns"] / minutes,
            stats["playback_underruns"] / minutes,
        )

    # -- the worker thread -----------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(WORKER_TICK_S)
            self._wake.clear()
            if self._stopping:
                break
            try:
                self._maintain()
            except Exception:
                _log.exception("audio device upkeep failed")

    def _maintain(self) -> None:
        now = time.monotonic()
        devices: DeviceList | None = None
        fetched = False

        def current() -> DeviceList | None:
            nonlocal devices, fetched
            if not fetched:
                fetched = True
                try:
                    devices = self._list()
                except DeviceError as exc:
                    _log.warning("no audio backend answers: %s", exc)
            return devices

        for slot in (self._mic, self._speaker):
            self._keep(slot, now, current)
        if self._ring_wanted:
            self._keep(self._ringer, now, current)
        elif self._ringer.stream is not None:
            self._ringer.close()

    def _keep(self, slot: _Slot, now: float,
              current: Callable[[], DeviceList | None]) -> None:
        with self._lock:
            reopen, slot.reopen = slot.reopen, False
            wanted = slot.wanted
        if slot.stalled(now):
            _log.warning("%s %r stopped (unplugged?): falling back to the system default",
                         slot.role, slot.stream.name if slot.stream else "")
            slot.close()
            slot.switches += 1
            slot.next_try = 0.0
            self._open(slot, None, "default after a device was lost")
            return
        if slot.stream is not None and not reopen:
            if not (slot.on_fallback and now >= slot.next_try):
                return
            slot.next_try = now + RETRY_S
            devices = current()
            info = self._find(slot, devices, wanted)
            if info is None:
                return
            _log.info("%s %r is back: switching to it", slot.role, wanted)
            slot.close()
            slot.switches += 1
            self._open(slot, info, "remembered device")
            return
        if slot.stream is None and now < slot.next_try and not reopen:
            return
        slot.close()
        devices = current()
        info = self._find(slot, devices, wanted)
        if wanted and info is None:
            _log.warning("%s %r not found: using the system default", slot.role, wanted)
        self._open(slot, info, "chosen" if info else "default")

    def _find(self, slot: _Slot, devices: DeviceList | None, name: str) -> DeviceInfo | None:
        if devices is None or not name:
            return None
        return devices.capture(name) if slot is self._mic else devices.playback(name)

    def _open(self, slot: _Slot, info: DeviceInfo | None, why: str) -> None:
        rate = info.rate if info is not None else FALLBACK_RATE
        slot.opened()
        try:
            if slot is self._mic:
                resampler = Resampler(rate, self._clock_rate)
                self.capture_jitter.reset()
                slot.stream = Stream.capture(info, rate, self.buffer_ms,
                                             lambda data: self._on_capture(data, resampler))
            elif slot is self._speaker:
                renderer = _Renderer(self, rate)
                self.playback_jitter.reset()
                slot.stream = Stream.playback(info, rate, self.buffer_ms, renderer.render)
            else:
                ring = Cadence(RINGTONE, rate)
                slot.stream = Stream.playback(info, rate, self.buffer_ms,
                                              lambda n: self._render_ring(n, ring))
        except DeviceError as exc:
            slot.stream = None
            slot.next_try = time.monotonic() + RETRY_S
            _log.warning("cannot open the %s %r: %s", slot.role,
                         info.name if info else "default", exc)
            return
        slot.opened()
        slot.on_fallback = bool(slot.wanted) and info is None
        slot.next_try = time.monotonic() + RETRY_S
        _log.info("%s: %s (%s, %d Hz)", slot.role, info.name if info else "system default",
                  why, rate)

    # -- device callbacks (miniaudio threads): never raise -------------------------------

    def _on_capture(self, data: bytearray, resampler: Resampler) -> None:
        try:
            self._mic.touch()
            samples = np.frombuffer(data, dtype=np.int16)
            self.mic_meter.update(samples)
            if time.monotonic() - self._bridge_pulled_at > BRIDGE_IDLE_S:
                self.capture_jitter.reset()  # no call listens: keep no stale audio
                return
            self.capture_jitter.write(_to_int16(resampler.process(samples)))
        except Exception:
            self.callback_errors += 1

    def _render_ring(self, frames: int, ring: Cadence) -> bytes:
        try:
            self._ringer.touch()
            return _to_int16(ring.render(frames)).tobytes()
        except Exception:
            self.callback_errors += 1
            return bytes(frames * 2)


class _Renderer:
    """The speaker's callback: bridge audio plus cues, at the bridge rate, then resampled."""

    def __init__(self, audio: DeviceAudio, rate: int) -> None:
        self._audio = audio
        self._rate = rate
        self._resampler = Resampler(audio.clock_rate, rate)
        self._backlog = np.zeros(0)

    def render(self, frames: int) -> bytes:
        audio = self._audio
        try:
            audio._speaker.touch()
            backlog = self._backlog
            while backlog.size < frames:
                count = max(1, math.ceil((frames - backlog.size) * audio.clock_rate / self._rate))
                x = audio.playback_jitter.read(count).astype(np.float64)
                cues = audio.tones.render(count)
                if cues is not None:
                    x += cues
                x *= audio.speaker_volume
                backlog = np.concatenate((backlog, self._resampler.process(x)))
            out, self._backlog = backlog[:frames], backlog[frames:]
            pcm = _to_int16(out)
            audio.speaker_meter.update(pcm)
            return pcm.tobytes()
        except Exception:
            audio.callback_errors += 1
            return bytes(frames * 2)


def open_system_audio(
    capture_device: str = "", playback_device: str = "", ring_device: str = "", **options: object
) -> DeviceAudio | None:
    """The system's devices, or None (the engine then uses the null device) when there is
    no sound device at all: no backend answers, or it lists neither microphone nor speaker."""
    try:
        devices = list_devices()
    except DeviceError as exc:
        _log.info("no sound device (%s): calls use the null audio device", exc)
        return None
    if not devices.captures and not devices.playbacks:
        _log.info("no sound device on %s: calls use the null audio device", devices.backend)
        return None
    _log.info("audio through %s", devices.backend)
    return DeviceAudio(capture_device, playback_device, ring_device, **options)  # type: ignore[arg-type]
