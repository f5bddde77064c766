"""A private PulseAudio server for audio tests: null sinks as speakers, a virtual microphone.

Started by the tests themselves in a temporary folder (its own socket, no system daemon, no
D-Bus), so it never meets a developer's real sound server. Devices:
- sink "speaker" (described "Test Speaker"): the default output; record its monitor to hear
  what the softphone played;
- sink "micfeed": play a tone into it and it comes out of the source "mic" ("Test Mic"), the
  default input;
- optional extra sinks/sources that a test can unload to unplug them mid-call.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import wave
from pathlib import Path

import numpy as np

RATE = 48000


def pulseaudio_available() -> bool:
    return all(shutil.which(tool) for tool in ("pulseaudio", "pactl", "pacat", "parec"))


class PulseServer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = folder / "native"
        self.env = {
            "PULSE_SERVER": f"unix:{self.socket}",
            "PULSE_RUNTIME_PATH": str(folder / "runtime"),
            "XDG_RUNTIME_DIR": str(folder),
            "HOME": str(folder),
        }
        self._players: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        config = self.folder / "default.pa"
        config.write_text(
            f"load-module module-native-protocol-unix auth-anonymous=1 socket={self.socket}\n"
            f"load-module module-null-sink sink_name=speaker rate={RATE} channels=1 "
            "sink_properties=device.description=Test_Speaker\n"
            f"load-module module-null-sink sink_name=micfeed rate={RATE} channels=1 "
            "sink_properties=device.description=Mic_Feed\n"
            "load-module module-remap-source source_name=mic master=micfeed.monitor "
            "source_properties=device.description=Test_Mic\n"
            "set-default-sink speaker\n"
            "set-default-source mic\n"
        )
        env = {**os.environ, **self.env}
        subprocess.run(
            ["pulseaudio", "-n", "-F", str(config), "--daemonize=yes", "--exit-idle-time=-1",
             "--use-pid-file=yes", "--system=no", f"--log-target=file:{self.folder}/pulse.log"],
            env=env, check=True, timeout=20, capture_output=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.pactl("info", check=False).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError(f"PulseAudio did not start: {self.log()}")

    def log(self) -> str:
        path = self.folder / "pulse.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def pactl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["pactl", *args], env={**os.environ, **self.env}, check=check,
                              capture_output=True, text=True, timeout=20)

    def load(self, module: str, *args: str) -> int:
        return int(self.pactl("load-module", module, *args).stdout.strip())

    def unload(self, module_id: int) -> None:
        self.pactl("unload-module", str(module_id))

    def play_tone(self, sink: str, freq: float, amplitude: float, seconds: float) -> None:
        """Play a sine into ``sink`` in the background (stopped by ``stop``)."""
        path = self.folder / f"tone-{freq:g}.wav"
        t = np.arange(round(seconds * RATE)) / RATE
        pcm = np.round(amplitude * 32767 * np.sin(2 * np.pi * freq * t)).astype("<i2")
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(pcm.tobytes())
        self._players.append(subprocess.Popen(
            ["pacat", "--playback", f"--device={sink}", "--file-format=wav", str(path)],
            env={**os.environ, **self.env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))

    def keep_awake(self, sink: str) -> None:
        """Keep ``sink`` running like a sound card: a silent low-latency stream into it.

        An idle null sink renders in 2-second blocks and its monitor delivers nothing while
        no stream plays into it: the first stream to start then waits up to 2 s for its
        second callback, and a monitor recording skips the idle stretches (its timeline is
        not the wall clock's). A real card does neither; with this stream the sink keeps a
        20 ms period and its monitor flows continuously.
        """
        self._players.append(subprocess.Popen(
            ["pacat", "--playback", f"--device={sink}", "--raw", "--format=s16le",
             f"--rate={RATE}", "--channels=1", "--latency-msec=20", "/dev/zero"],
            env={**os.environ, **self.env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))
        # The 2-second block the idle sink already started must run out first.
        deadline = time.monotonic() + 5
        while self.sink_latency_ms(sink) > 100:
            if time.monotonic() > deadline:
                raise RuntimeError(f"sink {sink} kept its idle latency: {self.log()}")
            time.sleep(0.1)

    def sink_latency_ms(self, sink: str) -> float:
        """The sink's current latency (how far ahead of the clock it has rendered)."""
        listing = self.pactl("list", "sinks").stdout
        for block in listing.split("Sink #")[1:]:
            name = re.search(r"^\s*Name: (\S+)", block, re.MULTILINE)
            latency = re.search(r"^\s*Latency: (\d+) usec", block, re.MULTILINE)
            if name and latency and name[1] == sink:
                return int(latency[1]) / 1000
        raise RuntimeError(f"no sink {sink!r}: {listing[-2000:]}")

    def record(self, source: str, path: Path) -> subprocess.Popen[bytes]:
        """Record ``source`` (e.g. "speaker.monitor") to a WAV file until terminated."""
        proc = subprocess.Popen(
            ["parec", f"--device={source}", "--file-format=wav", "--channels=1",
             f"--rate={RATE}", "--format=s16le", "--latency-msec=20", str(path)],
            env={**os.environ, **self.env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self._players.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self._players:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self._players.clear()
        # By the PID it wrote: `pulseaudio --kill` does not always find its own daemon.
        pid_file = Path(self.env["PULSE_RUNTIME_PATH"]) / "pid"
        try:
            pid = int(pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
