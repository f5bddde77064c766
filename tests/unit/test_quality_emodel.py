"""The E-model against ITU-T G.107's published figures, and the summary arithmetic."""

import pytest

from softphone.model.quality import (
    QualitySample,
    QualitySummary,
    delay_impairment,
    estimate_mos,
    mos_from_r,
    r_factor,
)


@pytest.mark.parametrize(
    ("r", "mos"),
    [
        (93.2, 4.41),  # G.107: the default connection
        (90, 4.34),  # G.107 Table B.1's "best" boundary
        (80, 4.03),  # "high"
        (70, 3.60),  # "medium"
        (60, 3.10),  # "low"
        (50, 2.58),  # "poor"
        (0, 1.0),
        (100, 4.5),
    ],
)
def test_mos_from_r_matches_g107(r, mos):
    assert mos_from_r(r) == pytest.approx(mos, abs=0.01)


def test_g711_without_loss_or_delay_is_the_default_rating():
    assert r_factor("PCMU", 0.0, 0.0) == pytest.approx(93.2)


def test_delay_impairment_knee_at_177_ms():
    assert delay_impairment(100) == pytest.approx(2.4)
    assert delay_impairment(300) == pytest.approx(0.024 * 300 + 0.11 * (300 - 177.3))


def test_g113_loss_robustness_for_g711_with_plc():
    # Ie,eff = 95 * Ppl / (Ppl + 25.1): 2 % random loss costs about 7 R points.
    assert 93.2 - r_factor("PCMA", 2.0, 0.0) == pytest.approx(95 * 2 / 27.1, abs=0.01)


def test_mos_falls_with_loss_jitter_and_delay_and_worse_codecs():
    clean = estimate_mos("PCMU", 0.0, 1.0, 2.0)
    assert clean > 4.3
    assert estimate_mos("PCMU", 5.0, 1.0, 2.0) < clean
    assert estimate_mos("PCMU", 0.0, 60.0, 2.0) < clean
    assert estimate_mos("PCMU", 0.0, 1.0, 600.0) < clean
    assert estimate_mos("GSM", 0.0, 1.0, 2.0) < clean


def test_summary_min_avg_max():
    s = [QualitySample(codec="PCMU", loss_pct=p, jitter_ms=j, rtt_ms=r, mos=m)
         for p, j, r, m in [(0, 1, None, 4.4), (10, 3, 20, 3.0), (2, 2, 40, 4.0)]]
    summary = QualitySummary.first(s[0]).add(s[1]).add(s[2])
    assert summary.samples == 3
    assert (summary.mos.min, summary.mos.max) == (3.0, 4.4)
    assert summary.mos.avg == pytest.approx((4.4 + 3.0 + 4.0) / 3)
    assert summary.loss_pct.max == 10
    assert summary.rtt_ms is not None and summary.rtt_ms.avg == pytest.approx(30)
    assert "MOS 3.80" in summary.line()


def test_series_keeps_the_whole_call_in_bounded_points():
    from softphone.model.quality import SERIES_POINTS

    sample = QualitySample(codec="PCMU", loss_pct=0, jitter_ms=1, rtt_ms=None, mos=4.4)
    summary = QualitySummary.first(sample)
    for i in range(1, 2000):
        summary = summary.add(sample.model_copy(update={"mos": 4.4 - i / 10000}))
    assert len(summary.mos_series) <= SERIES_POINTS + 1
    assert summary.series_step >= 2000 // SERIES_POINTS
    assert summary.mos_series[0] == 4.4  # the start is still there
    assert len(summary.mos_series) * summary.series_step >= 1900  # and the whole length
