"""Call quality: live samples from RTCP and the stream, and a MOS estimate from the
ITU-T G.107 E-model (narrowband, with G.113 codec impairments).

Pure: the engine reads the figures from pjsua2; everything computed from them is here.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

# ITU-T G.113 Appendix I: equipment impairment Ie and packet-loss robustness Bpl per
# codec, with packet-loss concealment where the codec has it (pjmedia conceals G.711).
# G.722 is wideband; in this narrowband model it is rated like G.711 (the E-model's
# wideband extension, G.107.1, would rate it higher still).
_CODECS: dict[str, tuple[float, float]] = {
    "pcmu": (0.0, 25.1),
    "pcma": (0.0, 25.1),
    "g722": (0.0, 25.1),
    "gsm": (20.0, 10.0),
    "ilbc": (11.0, 32.0),
    "speex": (11.0, 19.0),
}
_DEFAULT_CODEC = (11.0, 19.0)
R_DEFAULT = 93.2  # G.107's R0 - Is with every other parameter at its default
CODEC_DELAY_MS = 25.0
SERIES_POINTS = 300  # one 20 ms frame plus look-ahead and play-out processing


def codec_impairment(codec: str) -> tuple[float, float]:
    """(Ie, Bpl) for a codec name as pjsua2 spells it ("PCMU", "G722", "speex"...)."""
    return _CODECS.get(codec.lower().split("/")[0], _DEFAULT_CODEC)


def delay_impairment(one_way_ms: float) -> float:
    """Id from the absolute one-way delay (G.107's simplified form, echo well cancelled)."""
    excess = max(0.0, one_way_ms - 177.3)
    return 0.024 * one_way_ms + 0.11 * excess


def r_factor(codec: str, loss_pct: float, one_way_ms: float, burst_ratio: float = 1.0) -> float:
    ie, bpl = codec_impairment(codec)
    loss = max(0.0, min(100.0, loss_pct))
    ie_eff = ie + (95.0 - ie) * loss / (loss / max(burst_ratio, 1.0) + bpl)
    return R_DEFAULT - delay_impairment(one_way_ms) - ie_eff


def mos_from_r(r: float) -> float:
    """G.107 Annex B: MOS (conversational, 1 to 4.5) from the rating R."""
    if r <= 0:
        return 1.0
    if r >= 100:
        return 4.5
    return 1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6


def estimate_mos(
    codec: str, loss_pct: float, jitter_ms: float, rtt_ms: float | None,
    jitter_buffer_ms: float | None = None,
) -> float:
    """MOS for what we hear: network delay (half the round trip), the jitter buffer (its
    measured delay, else twice the jitter) and the codec's own delay."""
    buffer = jitter_buffer_ms if jitter_buffer_ms is not None else 2.0 * jitter_ms
    one_way = (rtt_ms or 0.0) / 2.0 + buffer + CODEC_DELAY_MS
    return round(mos_from_r(r_factor(codec, loss_pct, one_way)), 2)


class QualitySample(BaseModel):
    """One second of a call, as heard here."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    codec: str
    loss_pct: float  # received packets lost in this interval
    jitter_ms: float
    rtt_ms: float | None  # None until RTCP has measured one
    mos: float


class Range(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    min: float
    avg: float
    max: float

    def merge(self, value: float, count: int) -> Range:
        """This range with one more value (``count`` values before it)."""
        return Range(min=min(self.min, value), max=max(self.max, value),
                     avg=(self.avg * count + value) / (count + 1))


class QualitySummary(BaseModel):
    """Min, average and max over a call's samples: kept with the call and exported."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    codec: str
    samples: int
    mos: Range
    loss_pct: Range
    jitter_ms: Range
    rtt_ms: Range | None = None
    rtt_samples: int = 0  # RTCP measures the round trip only now and then
    # The call over time, for a graph: one point per ``series_step`` samples (seconds),
    # at most SERIES_POINTS points (a long call keeps every second, then fourth... point).
    mos_series: tuple[float, ...] = ()
    loss_series: tuple[float, ...] = ()
    jitter_series: tuple[float, ...] = ()
    series_step: int = 1

    @classmethod
    def first(cls, sample: QualitySample) -> QualitySummary:
        def one(value: float) -> Range:
            return Range(min=value, avg=value, max=value)

        return cls(codec=sample.codec, samples=1, mos=one(sample.mos),
                   mos_series=(sample.mos,), loss_series=(sample.loss_pct,),
                   jitter_series=(sample.jitter_ms,),
                   loss_pct=one(sample.loss_pct), jitter_ms=one(sample.jitter_ms),
                   rtt_ms=one(sample.rtt_ms) if sample.rtt_ms is not None else None,
                   rtt_samples=int(sample.rtt_ms is not None))

    def add(self, sample: QualitySample) -> QualitySummary:
        n = self.samples
        rtt, rtt_n = self.rtt_ms, self.rtt_samples
        if sample.rtt_ms is not None:
            rtt = (rtt.merge(sample.rtt_ms, rtt_n) if rtt is not None else
                   Range(min=sample.rtt_ms, avg=sample.rtt_ms, max=sample.rtt_ms))
            rtt_n += 1
        mos, loss, jitter, step = (self.mos_series, self.loss_series, self.jitter_series,
                                   self.series_step)
        if n % step == 0:
            mos, loss, jitter = ((*mos, sample.mos), (*loss, sample.loss_pct),
                                 (*jitter, sample.jitter_ms))
            if len(mos) > SERIES_POINTS:  # halve the resolution, keep the whole call
                mos, loss, jitter, step = mos[::2], loss[::2], jitter[::2], step * 2
        return QualitySummary(
            codec=sample.codec, samples=n + 1, mos=self.mos.merge(sample.mos, n),
            loss_pct=self.loss_pct.merge(sample.loss_pct, n),
            jitter_ms=self.jitter_ms.merge(sample.jitter_ms, n), rtt_ms=rtt,
            rtt_samples=rtt_n, mos_series=mos, loss_series=loss, jitter_series=jitter,
            series_step=step,
        )

    def line(self) -> str:
        """One line, as baresip's rtcpsummary prints at a call's end."""
        rtt = f"rtt {self.rtt_ms.avg:.0f} ms" if self.rtt_ms is not None else "rtt -"
        return (f"quality: {self.codec}, MOS {self.mos.avg:.2f} (min {self.mos.min:.2f}), "
                f"loss {self.loss_pct.avg:.1f}% (max {self.loss_pct.max:.1f}%), "
                f"jitter {self.jitter_ms.avg:.1f} ms (max {self.jitter_ms.max:.1f}), {rtt}, "
                f"{self.samples} s measured")
