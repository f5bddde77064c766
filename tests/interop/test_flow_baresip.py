"""A flow against baresip (an independent softphone): baresip auto-answers, our flow beeps,
waits and hangs up at its end."""

from __future__ import annotations

import json

import pytest

from tests.peers.baresip import Baresip, baresip_available

pytestmark = [
    pytest.mark.sip, pytest.mark.interop,
    pytest.mark.skipif(not baresip_available(), reason="baresip is not installed (.ci/run)"),
]


def test_call_flow_to_baresip_runs_to_its_end(tmp_path, peers, softphone) -> None:
    bs = peers(Baresip())
    flow = tmp_path / "flow.json"
    flow.write_text(json.dumps({"id": "4553c074-c88d-49e5-9d47-5c01598ac099", "actions": [
        {"type": "beep"},
        {"type": "sleep", "option": {"duration": 800}},
        {"type": "digits_send", "option": {"digits": "7"}},
    ]}))
    sp = softphone("call", bs.uri(), "--flow", str(flow), "--json")
    result = sp.finish(40)
    assert result.returncode == 0, result.explain()
    (call,) = result.calls
    assert call["type"] == "flow"
    assert call["flow_id"] == "4553c074-c88d-49e5-9d47-5c01598ac099"
    assert call["action"]["type"] == "digits_send"
    assert call["tm_progressing"]
    assert (call["hangup_by"], call["hangup_reason"]) == ("local", "normal")


def test_connect_bridges_a_pjsua2_caller_with_baresip(tmp_path, peers, softphone) -> None:
    from tests.audio_analysis import dominant_frequency, read_wav, rms_dbfs, segment
    from tests.peers.pjsua import PjsuaPeer

    bs = peers(Baresip(tone_hz=660))
    flow = tmp_path / "connect.json"
    flow.write_text(json.dumps({"actions": [
        {"type": "answer"},
        {"type": "connect", "option": {"destinations": [{"target": bs.uri()}]}},
    ]}))
    sp = softphone("listen", "--flow", str(flow), "--calls", "1", "--json")
    heard = tmp_path / "caller.wav"
    peers(PjsuaPeer("--call", sp.uri("desk"), "--codec", "PCMU", "--tone", "440",
                    "--record", str(heard), "--hangup-after", "4"))
    result = sp.finish(40)
    assert result.returncode == 0, result.explain()
    by_direction = {c["direction"]: c for c in result.calls}
    master, chained = by_direction["incoming"], by_direction["outgoing"]
    assert chained["master_call_id"] == master["id"] and master["chained_call_ids"] == [chained["id"]]
    assert chained["tm_progressing"]  # baresip answered the chained call
    # The caller hung up: the chained call to baresip was ended by us.
    assert (chained["hangup_by"], chained["hangup_reason"]) == ("local", "normal")
    samples, rate = read_wav(heard)
    part = segment(samples, rate, 2.0, 3.5)  # baresip's sine, through our bridge
    assert rms_dbfs(part) > -40
    assert abs(dominant_frequency(part, rate) - 660) < 15
