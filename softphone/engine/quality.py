"""Live call quality read from pjsua2's stream statistics (RTCP and the jitter buffer)."""

from __future__ import annotations

import pjsua2 as pj

from softphone.model.quality import QualitySample, estimate_mos


class QualityMeter:
    """Turns the stream's running counters into one sample per interval."""

    def __init__(self) -> None:
        self._received = 0
        self._lost = 0

    def sample(self, call: pj.Call, media_index: int) -> QualitySample:
        stat = call.getStreamStat(media_index)
        info = call.getStreamInfo(media_index)
        rx = stat.rtcp.rxStat
        received, lost = int(rx.pkt), max(0, int(rx.loss))
        d_received, d_lost = received - self._received, lost - self._lost
        self._received, self._lost = received, lost
        interval = d_received + d_lost
        loss_pct = 100.0 * d_lost / interval if interval > 0 else 0.0
        jitter_ms = rx.jitterUsec.last / 1000.0 if rx.jitterUsec.n else 0.0
        rtt = stat.rtcp.rttUsec
        rtt_ms = rtt.last / 1000.0 if rtt.n else None
        buffer_ms = float(stat.jbuf.avgDelayMsec) if stat.jbuf.avgDelayMsec else None
        codec = str(info.codecName) or "?"
        return QualitySample(
            codec=codec, loss_pct=round(loss_pct, 2), jitter_ms=round(jitter_ms, 2),
            rtt_ms=round(rtt_ms, 1) if rtt_ms is not None else None,
            mos=estimate_mos(codec, loss_pct, jitter_ms, rtt_ms, buffer_ms),
        )
