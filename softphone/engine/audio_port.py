"""The conference-bridge port that carries our microphone and speaker.

The pjsua2 wheel has only the null sound device, which still clocks the bridge every 20 ms.
This port sits on that bridge: what it is asked for (onFrameRequested) is our microphone,
what it is given (onFrameReceived) is what we hear. Both run on pjmedia's clock thread, so
they only copy bytes to and from a FrameExchange, and never let an exception reach C++.
"""

from __future__ import annotations

import logging

import pjsua2 as pj

from softphone.engine.audio_types import FrameExchange
from softphone.engine.byte_vector import frame_bytes, set_frame_bytes

_log = logging.getLogger(__name__)
FRAME_MS = 20


class BridgePort(pj.AudioMediaPort):  # type: ignore[misc]
    def __init__(self, exchange: FrameExchange) -> None:
        super().__init__()
        self._exchange = exchange
        self.frame_bytes = exchange.clock_rate * FRAME_MS // 1000 * 2
        self.errors = 0

    def create(self) -> None:
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, self._exchange.clock_rate, 1, FRAME_MS * 1000, 16)
        self.createPort("softphone-audio", fmt)

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:
        try:
            data = self._exchange.capture_frame(self.frame_bytes)
            frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
            set_frame_bytes(frame, data)
            frame.size = len(data)
        except BaseException:  # nothing may cross into C++
            self._note_error()

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:
        try:
            if frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO and frame.size:
                self._exchange.playback_frame(frame_bytes(frame))
        except BaseException:  # nothing may cross into C++
            self._note_error()

    def _note_error(self) -> None:
        self.errors += 1
        if self.errors in (1, 100, 10000):  # a broken device side must not flood the log
            _log.exception("audio bridge frame failed (%d so far)", self.errors)
