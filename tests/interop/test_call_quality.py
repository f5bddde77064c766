"""Live call quality against a pjsua2 peer, on a clean path and on a lossy one.

The kernel here has no netem, so the loss is made by the peer: pjmedia drops a share of the
RTP it sends (MediaConfig.txDropPct). What we receive, and so what we measure, loses it.
"""

from __future__ import annotations

import re

import pytest

from tests.peers.pjsua import PjsuaPeer
from tests.softphone_cli import run_cli

pytestmark = [pytest.mark.sip, pytest.mark.interop]

_LINE = re.compile(
    r"quality: (?P<codec>\S+), MOS (?P<mos>[\d.]+) \(min (?P<mos_min>[\d.]+)\), "
    r"loss (?P<loss>[\d.]+)% \(max (?P<loss_max>[\d.]+)%\), jitter (?P<jitter>[\d.]+) ms"
)


def measured_call(peers, data_dir, drop_pct: int) -> dict[str, float | str]:
    peer = peers(PjsuaPeer("--listen", "--tone", "440", "--codec", "PCMU",
                           "--drop-pct", str(drop_pct)))
    result = run_cli("call", peer.uri(), "--audio", "null", "--hangup-after", "6",
                     data_dir=data_dir)
    assert result.returncode == 0, result.explain()
    match = _LINE.search(result.stdout)
    assert match, result.explain()
    return {k: (v if k == "codec" else float(v)) for k, v in match.groupdict().items()}


def test_quality_figures_move_with_packet_loss(peers, data_dir):
    clean = measured_call(peers, data_dir, 0)
    lossy = measured_call(peers, data_dir, 20)
    assert clean["codec"] == lossy["codec"] == "PCMU"
    assert clean["loss"] < 1.0 and clean["mos"] > 4.2
    # 20 % dropped at random, measured per second over about six seconds.
    assert 8.0 < lossy["loss"] < 35.0, lossy
    assert lossy["loss_max"] >= lossy["loss"]
    assert lossy["mos"] < clean["mos"] - 0.8, (clean, lossy)
    assert lossy["mos_min"] <= lossy["mos"]


def pcap_call(tmp_path, data_dir, name: str, **impairment: float) -> dict[str, float | str]:
    from tests.peers.rtp_pcap import play_pcap_scenario, write_rtp_pcap
    from tests.peers.sipp import run_uas

    pcap = tmp_path / f"{name}.pcap"
    write_rtp_pcap(pcap, seconds=5, **impairment)
    scenario = play_pcap_scenario(tmp_path, pcap, 5)
    with run_uas(str(scenario), extra_args=["-mi", "127.0.0.1"]) as peer:
        result = run_cli("call", peer.uri(), "--audio", "null", data_dir=data_dir)
        peer.assert_success(timeout=15)
    assert result.returncode == 0, result.explain()
    match = _LINE.search(result.stdout)
    assert match, result.explain()
    return {k: (v if k == "codec" else float(v)) for k, v in match.groupdict().items()}


def test_quality_figures_move_with_jitter(tmp_path, data_dir):
    steady = pcap_call(tmp_path, data_dir, "steady")
    jittery = pcap_call(tmp_path, data_dir, "jittery", jitter_ms=60)
    assert steady["jitter"] < 5.0, steady
    assert jittery["jitter"] > steady["jitter"] + 5.0, (steady, jittery)
    assert jittery["mos"] < steady["mos"], (steady, jittery)
