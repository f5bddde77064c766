"""Sources and taps a flow attaches to a call's media graph (CallMedia): a file player, a
tone, the echo, the receive tap (for AMD). Each one is reconnected to the call's current
stream on every media change.

Ends are timed by the engine's timers from the known length, never by pjmedia's
end-of-file callback: that runs on the media clock thread, where no Python of ours may run.
"""

from __future__ import annotations

import contextlib
import wave
from collections import deque
from pathlib import Path
from typing import Protocol

import pjsua2 as pj

from softphone.engine.byte_vector import frame_bytes
from softphone.engine.port_free import free_port
from softphone.engine.sink_port import FRAME_BYTES, SinkPort


class Attachment(Protocol):
    """Something connected to a call's stream (see CallMedia.attach)."""

    def connect(self, stream: pj.AudioMedia) -> None:
        """Connect to this stream (again after a re-INVITE made a new one)."""
        ...

    def close(self) -> None:
        """Disconnect and free the pjsua2 objects (long before libDestroy)."""
        ...

    def drop_stream(self) -> None:
        """The call's stream is gone: close() must not disconnect from it (pjmedia asserts
        on a disconnect of a removed port, and aborts the process)."""
        ...


def wav_seconds(path: Path) -> float:
    """How long a WAV file plays (the player refuses anything but PCM WAV)."""
    with wave.open(str(path), "rb") as reader:
        return reader.getnframes() / float(reader.getframerate())


class _Source:
    """A bridge port that sends into the call's stream."""

    def __init__(self, port: pj.AudioMedia) -> None:
        self._port: pj.AudioMedia | None = port
        self._stream: pj.AudioMedia | None = None

    def connect(self, stream: pj.AudioMedia) -> None:
        if self._port is None:
            return
        self._port.startTransmit(stream)
        self._stream = stream

    def drop_stream(self) -> None:
        self._stream = None

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None and self._stream is not None:
            with contextlib.suppress(pj.Error):  # the stream may be gone with the call
                port.stopTransmit(self._stream)
        self._stream = None
        del port  # the player or generator is destroyed here, on the poll thread


class FilePlayer(_Source):
    """A WAV file, played once (then silent until closed)."""

    def __init__(self, path: Path) -> None:
        player = pj.AudioMediaPlayer()
        player.createPlayer(str(path), pj.PJMEDIA_FILE_NO_LOOP)
        super().__init__(player)


class TonePlayer(_Source):
    """One tone of one or two frequencies."""

    def __init__(self, frequencies: tuple[int, ...], ms: int) -> None:
        generator = pj.ToneGenerator()
        generator.createToneGenerator()
        tone = pj.ToneDesc()
        tone.freq1 = frequencies[0]
        tone.freq2 = frequencies[1] if len(frequencies) > 1 else 0
        tone.on_msec = ms
        tone.off_msec = 0
        tone.volume = 0  # pjmedia's default level
        tones = pj.ToneDescVector()
        tones.append(tone)
        generator.play(tones, False)
        super().__init__(generator)


class Echo:
    """The far end's audio sent straight back to it (the stream's port to itself, as
    pjsua's auto-loop does)."""

    def __init__(self) -> None:
        self._stream: pj.AudioMedia | None = None

    def connect(self, stream: pj.AudioMedia) -> None:
        stream.startTransmit(stream)
        self._stream = stream

    def drop_stream(self) -> None:
        self._stream = None

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(pj.Error):
                stream.stopTransmit(stream)


class _TapPort(SinkPort):
    """Keeps each frame the call's stream sends it. onFrameReceived runs on pjmedia's
    clock thread, so it only appends bytes (deque appends are atomic); the analysis runs
    on the poll thread, where take() is called."""

    def __init__(self, frames: deque[bytes]) -> None:
        super().__init__()
        self.frames = frames

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:
        try:
            if frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO and frame.size:
                self.frames.append(frame_bytes(frame))
            else:  # no audio is silence: keep time going for the analysis
                self.frames.append(bytes(FRAME_BYTES))
        except BaseException:  # nothing may cross into C++
            pass


# Ten seconds of frames: an analysis that stops taking loses the oldest, never grows.
_TAP_KEPT = 500


class ReceiveTap:
    """What the far end sends us, as 16-bit mono PCM at 8 kHz (for answering-machine
    detection), reconnected to the call's stream on every media change like any attachment."""

    def __init__(self) -> None:
        self._frames: deque[bytes] = deque(maxlen=_TAP_KEPT)
        self._port: _TapPort | None = _TapPort(self._frames).create("softphone-receive-tap")
        self._stream: pj.AudioMedia | None = None

    def connect(self, stream: pj.AudioMedia) -> None:
        if self._port is None:
            return
        stream.startTransmit(self._port)
        self._stream = stream

    def take(self) -> bytes:
        """The audio received since the last take."""
        chunks = []
        while self._frames:
            chunks.append(self._frames.popleft())
        return b"".join(chunks)

    def drop_stream(self) -> None:
        self._stream = None

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            if self._stream is not None:
                with contextlib.suppress(pj.Error):
                    self._stream.stopTransmit(port)
            free_port(port)
        self._stream = None
