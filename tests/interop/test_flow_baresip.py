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
