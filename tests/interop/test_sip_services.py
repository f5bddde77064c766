"""`listen --sip-services` against SIPp's built-in uac: each service answers by the
destination's user part, the Call is type sip-service with the service's last action."""

from __future__ import annotations

import pytest

from tests.peers.sipp import SippPeer, sipp_available

pytestmark = [
    pytest.mark.sip, pytest.mark.interop,
    pytest.mark.skipif(not sipp_available(), reason="sipp is not installed (.ci/run)"),
]


@pytest.mark.parametrize(
    ("service", "action"),
    [("answer", "stop"), ("echo", "echo"), ("stream_echo", "stream_echo"),
     ("play", "play"), ("confbridge_join", "stop")],
)
def test_each_sip_service_answers_sipp_uac(peers, softphone, service: str, action: str) -> None:
    sp = softphone("listen", "--sip-services", "--calls", "1", "--json")
    sipp = peers(SippPeer("uac", builtin=True, remote=sp.host_port, service=service,
                          extra_args=["-d", "1500"]))
    result = sp.finish(40)
    sipp.assert_success(timeout=20)
    assert result.returncode == 0, result.explain()
    (call,) = result.calls
    assert call["type"] == "sip-service"
    assert call["flow_id"] != "00000000-0000-0000-0000-000000000000"
    assert call["action"]["type"] == action
    assert call["action"]["tm_execute"]
    assert (call["direction"], call["hangup_by"], call["hangup_reason"]) == (
        "incoming", "remote", "normal")


def test_unknown_sip_service_is_hung_up(peers, softphone) -> None:
    sp = softphone("listen", "--sip-services", "--calls", "1", "--json")
    sipp = peers(SippPeer("uac", builtin=True, remote=sp.host_port, service="nosuch"))
    result = sp.finish(40)
    sipp.wait(timeout=20)
    assert 486 in sipp.received_status_codes()
    (call,) = result.calls
    assert call["type"] == "sip-service"
    assert call["action"]["type"] == "hangup"
    assert call["tm_progressing"] in ("", None, "9999-01-01 00:00:00.000000")
    assert (call["hangup_by"], call["hangup_reason"]) == ("local", "busy")
