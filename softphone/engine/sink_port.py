"""A bridge port that only listens: 16-bit mono PCM at 8 kHz in 20 ms frames, sending
nothing back. The base of the receive taps (the tester's silence meter, AMD's tap).

Subclasses implement onFrameReceived, which runs on pjmedia's clock thread: it must be
quick and let no exception reach C++.
"""

from __future__ import annotations

from typing import TypeVar

import pjsua2 as pj

RATE = 8000
FRAME_MS = 20
FRAME_BYTES = RATE * FRAME_MS // 1000 * 2

S = TypeVar("S", bound="SinkPort")


class SinkPort(pj.AudioMediaPort):  # type: ignore[misc]
    def create(self: S, name: str) -> S:
        """Make the port on the bridge (connect a stream to it with startTransmit)."""
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, RATE, 1, FRAME_MS * 1000, 16)
        self.createPort(name, fmt)
        return self

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:
        try:
            frame.type = pj.PJMEDIA_FRAME_TYPE_NONE  # a sink only: it sends nothing
            frame.size = 0
        except BaseException:  # nothing may cross into C++
            pass
