"""A tap on what the far end sends us: the share of 20 ms frames that were not silence.

For the number tester (a line that answers and then plays nothing is a problem worth
seeing). It sits on the conference bridge as a sink of the call's stream, so the media
graph reconnects it on every media change like the recorder. onFrameReceived runs on
pjmedia's clock thread: it only counts, and lets no exception reach C++.
"""

from __future__ import annotations

import pjsua2 as pj

from softphone.engine.byte_vector import frame_bytes
from softphone.engine.sink_port import SinkPort

# About -50 dBFS: comfort noise and a quiet line stay below, speech and tones are far above.
SILENCE_RMS = 100.0


class ReceiveMeter(SinkPort):
    def __init__(self) -> None:
        super().__init__()
        # numpy with the first meter (a number test), not with every engine (start-up).
        import numpy

        self._np = numpy
        self.frames = 0
        self.loud = 0

    @classmethod
    def created(cls) -> ReceiveMeter:
        return cls().create("softphone-receive-meter")

    def restart(self) -> None:
        """Count from now (at answer). The clock thread may add one frame to the old
        count meanwhile: one 20 ms frame in a call's share is noise."""
        self.frames = 0
        self.loud = 0

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:
        try:
            self.frames += 1  # a frame with no audio in it is silence too
            if frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO and frame.size:
                np = self._np
                samples = np.frombuffer(frame_bytes(frame), dtype="<i2").astype(np.float64)
                if samples.size and float(np.sqrt(np.mean(samples * samples))) > SILENCE_RMS:
                    self.loud += 1
        except BaseException:  # nothing may cross into C++
            pass

    @property
    def heard_pct(self) -> float | None:
        """Per cent of frames above silence; None before any frame."""
        return round(100.0 * self.loud / self.frames, 1) if self.frames else None
