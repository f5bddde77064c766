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


def test_folded_and_split_authorization_headers_leave_no_digest_secret():
    msg = (
        "REGISTER sip:example.com SIP/2.0\r\n"
        'Authorization: Digest username="alice", realm="example.com",\r\n'
        '   nonce="n0nce1234", uri="sip:example.com",\r\n'
        '\tresponse="6629fae49393a05397450978507c4ef1", cnonce="cn0nce99", nc=00000001\r\n'
        # A line break smuggled into a field pushes the rest onto a line of its own.
        'Proxy-Authorization: Digest username="u\r\n'
        'X-Injected: 1", nonce="n0nce5678", response="deadbeef", opaque="0paque"\r\n'
        "Call-ID: 1234\r\n"
    )
    out = redact_sip(msg)
    for secret in ("n0nce1234", "6629fae4", "cn0nce99", "n0nce5678", "deadbeef", "0paque"):
        assert secret not in out
    assert "Call-ID: 1234" in out
    assert out.count("Authorization: <redacted>") == 2


def test_challenge_nonces_are_redacted():
    msg = (
        "SIP/2.0 401 Unauthorized\r\n"
        'WWW-Authenticate: Digest realm="127.0.0.1", nonce="aw87GmsPOe52", qop="auth"\r\n'
        'Proxy-Authenticate: Digest realm="x", nonce=abc123, opaque="op4que"\r\n'
        'Authentication-Info: nextnonce="nx1", rspauth="r5p"\r\n'
    )
    out = redact_sip(msg)
    for secret in ("aw87GmsPOe52", "abc123", "op4que", "nx1", "r5p"):
        assert secret not in out
    assert 'realm="127.0.0.1"' in out and 'qop="auth"' in out


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
