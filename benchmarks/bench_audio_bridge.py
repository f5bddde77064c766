"""The audio bridge's cost, on a private PulseAudio server (null sinks, a virtual mic).

1. Latency added by the bridge, through the loopback path: clicks played into the
   microphone feed travel mic -> miniaudio capture -> resampler -> jitter buffer -> pjmedia
   conference bridge (our port looped back to itself) -> jitter buffer -> resampler ->
   miniaudio playback -> speaker sink. The same click is captured from the microphone feed's
   monitor and from the speaker's monitor by this script; the delay between the two is what
   our side adds (both captures go through the same server, so its own latency cancels).
2. CPU per call: `softphone call` with real devices against the pjsua2 peer (tone both
   ways) for --seconds, against the same call with `--audio null`; user+system CPU time from
   the kernel (wait4), the difference is the bridge's.
3. Underruns per minute, from that call's own statistics (its "audio closed" log line).
4. The floor under (2): the same two miniaudio devices, at our period, with Python
   callbacks that do nothing. No bridge built on miniaudio's callbacks costs less.

    .venv/bin/python benchmarks/bench_audio_bridge.py [--seconds 30] [--clicks 10] [--quick]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from tests.audio.pulse_server import PulseServer, pulseaudio_available  # noqa: E402

RATE = 48000


def measure_latency(pulse: PulseServer, clicks: int) -> list[float]:
    os.environ.update(pulse.env)
    from softphone.audio import DeviceAudio
    from softphone.audio.devices import Stream, list_devices
    from softphone.engine import BindAddress, Engine, EngineConfig

    audio = DeviceAudio()
    engine = Engine(EngineConfig(bind=BindAddress("127.0.0.1", 0)), audio=audio)
    engine.start()
    speaker = engine.playback_media()
    assert speaker is not None
    engine.capture_media().startTransmit(speaker)  # the loopback through the bridge

    devices = list_devices()
    by_name = {d.name: d for d in devices.captures + devices.playbacks}
    lock = threading.Lock()
    captured: dict[str, list[np.ndarray]] = {"feed": [], "speaker": []}

    def keep(key: str):  # type: ignore[no-untyped-def]
        def on_data(data: bytearray) -> None:
            with lock:  # both probes append at the same moment: sample-aligned streams
                captured[key].append(np.frombuffer(bytes(data), dtype=np.int16))
        return on_data

    period = RATE  # one click a second
    position = [0]

    def clicks_render(frames: int) -> bytes:
        out = np.zeros(frames, dtype=np.int16)
        for i in range(frames):
            if (position[0] + i) % period < 48:  # a 1 ms burst
                out[i] = 20000
        position[0] += frames
        return out.tobytes()

    feed_monitor = by_name["Monitor of Mic_Feed"]
    speaker_monitor = by_name["Monitor of Test_Speaker"]
    probes = [
        Stream.capture(feed_monitor, RATE, 10, keep("feed")),
        Stream.capture(speaker_monitor, RATE, 10, keep("speaker")),
        Stream.playback(by_name["Mic_Feed"], RATE, 10, clicks_render),
    ]
    deadline = time.monotonic() + clicks + 3
    while time.monotonic() < deadline:
        engine.poll(20)
    for probe in probes:
        probe.close()
    del speaker  # no pjsua2 media may outlive the engine
    engine.shutdown()
    feed = np.concatenate(captured["feed"]).astype(float)
    spk = np.concatenate(captured["speaker"]).astype(float)
    delays = []
    for start in np.nonzero(np.diff((feed > 10000).astype(int)) == 1)[0]:
        window = spk[start: start + RATE // 2]
        hits = np.nonzero(np.abs(window) > 3000)[0]
        if hits.size:
            delays.append(hits[0] / RATE * 1000)
    return delays


def device_floor(pulse: PulseServer, seconds: float) -> float:
    """Per cent of a core for a capture and a playback stream whose callbacks do nothing."""
    os.environ.update(pulse.env)
    from softphone.audio.device_audio import DEVICE_BUFFER_MS
    from softphone.audio.devices import Stream

    streams = [Stream.capture(None, RATE, DEVICE_BUFFER_MS, lambda _data: None),
               Stream.playback(None, RATE, DEVICE_BUFFER_MS, lambda frames: bytes(frames * 2))]
    time.sleep(1)  # past the streams' start
    before, started = os.times(), time.monotonic()
    time.sleep(seconds)
    after, ended = os.times(), time.monotonic()
    for stream in streams:
        stream.close()
    cpu = (after.user + after.system) - (before.user + before.system)
    return 100 * cpu / (ended - started)


def run_call(pulse: PulseServer, seconds: float, audio: str, tmp: Path) -> tuple[float, str]:
    env = {**os.environ, **pulse.env, "PYTHONUNBUFFERED": "1"}
    peer = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/peers/pjsua_peer.py"), "--listen", "--tone", "700",
         "--timeout", str(seconds + 30)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert peer.stdout is not None
    port = int(peer.stdout.readline().split()[1])
    log = tmp / f"call-{audio}.log"
    with log.open("w") as err:
        phone = subprocess.Popen(
            [sys.executable, "-m", "softphone", "--data-dir", str(tmp / audio), "-v", "call",
             f"sip:peer@127.0.0.1:{port}", "--bind", "127.0.0.1:0", "--audio", audio,
             "--hangup-after", str(seconds)],
            stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=ROOT,
        )
        _, _, usage = os.wait4(phone.pid, 0)
    peer.wait(timeout=30)
    return usage.ru_utime + usage.ru_stime, log.read_text()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clicks", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="3 s calls, 2 clicks (CI)")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.clicks = 3.0, 2
    if not pulseaudio_available():
        print("needs PulseAudio: apt-get install pulseaudio pulseaudio-utils")
        return 1
    with tempfile.TemporaryDirectory(prefix="bench-audio-") as folder:
        pulse = PulseServer(Path(folder))
        pulse.start()
        try:
            pulse.play_tone("micfeed", 1000, 0.5, args.seconds + 60)
            cpu_null, _ = run_call(pulse, args.seconds, "null", Path(folder))
            cpu_sys, log = run_call(pulse, args.seconds, "system", Path(folder))
            pulse.stop()
            pulse = PulseServer(Path(folder))
            pulse.start()
            delays = measure_latency(pulse, args.clicks)
            floor = device_floor(pulse, min(args.seconds, 20.0))
        finally:
            pulse.stop()
    per_min = re.search(r"underruns per minute: capture ([\d.]+), playback ([\d.]+)", log)
    stats = re.search(r"audio closed after [\d.]+ min: (\{.*?\})", log)
    print(f"latency added by the bridge (mic -> bridge -> speaker, {len(delays)} clicks): "
          + (f"median {statistics.median(delays):.1f} ms, min {min(delays):.1f}, "
             f"max {max(delays):.1f}" if delays else "no click came through"))
    total = args.seconds + 1.5  # plus start-up and shut-down
    print(f"CPU of a {args.seconds:.0f} s call: --audio system {cpu_sys:.2f} s, "
          f"--audio null {cpu_null:.2f} s -> bridge {100 * (cpu_sys - cpu_null) / total:.1f}% "
          "of one core per call")
    share = 100 * (cpu_sys - cpu_null) / total
    print(f"floor: miniaudio's two devices with callbacks that do nothing: {floor:.1f}% "
          f"of one core (the bridge costs {share / max(floor, 0.01):.1f}x that)")
    if per_min:
        print(f"underruns per minute: capture {per_min[1]}, playback {per_min[2]}")
    if stats:
        print(f"audio statistics: {stats[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
