from softphone.engine.redact import redact_sip
from softphone.engine.timers import Timers


def test_authorization_headers_are_redacted():
    msg = (
        "INVITE sip:bob@example.com SIP/2.0\r\n"
        'Authorization: Digest username="alice", response="6629fae49393a05397450978507c4ef1"\r\n'
        'proxy-authorization : Digest username="alice", response="deadbeef"\r\n'
        "Call-ID: 1234\r\n"
    )
    out = redact_sip(msg)
    assert "6629fae4" not in out and "deadbeef" not in out
    assert "Authorization: <redacted>" in out
    assert "Call-ID: 1234" in out


def test_timers_fire_in_order_and_cancel():
    now = [0.0]
    timers = Timers(clock=lambda: now[0])
    fired = []
    timers.call_later(2, lambda: fired.append("b"))
    timers.call_later(1, lambda: fired.append("a"))
    handle = timers.call_later(1.5, lambda: fired.append("x"))
    handle.cancel()
    now[0] = 1.0
    assert timers.run_due() == 1
    now[0] = 5.0
    timers.run_due()
    assert fired == ["a", "b"]
    assert timers.next_due_in() is None
