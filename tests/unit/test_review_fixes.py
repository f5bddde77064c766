"""Hardening found in review: secrets in SDP, terminal escapes, the ladder's bounds, hooks
that finish at once."""

from __future__ import annotations

import sys
import time

from softphone.engine.redact import redact_sip
from softphone.engine.wire import wire_text
from softphone.hooks import CallEvent, HookRunner
from softphone.model import Call, Timestamp
from softphone.model.siptrace import Direction, SipMessage, printable
from softphone.store.ladder import MAX_PER_CALL, LadderKeeper


def test_srtp_keys_never_reach_logs_or_the_ladder():
    sdp = ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0m|2^20\r\n"
           "a=key-mgmt:mikey AQAFgM0XflABAAAAAAAAAAAAAAsA\r\n")
    safe = redact_sip(sdp)
    assert "PS1uQCVee" not in safe and "AQAFgM0X" not in safe
    assert "inline:<redacted>|2^20" in safe  # the rest of the line still reads


def test_terminal_escapes_are_shown_not_run():
    hostile = "BYE\x1b]52;c;ZWNobyBoaQ==\x07 \x9b2J x\u2028y\tz\r\n"
    shown = printable(hostile)
    assert "\x1b" not in shown and "\x9b" not in shown and "\u2028" not in shown
    assert "\\x1b]52" in shown and shown.endswith("\tz\r\n")
    assert "\x9b" not in wire_text("a\x9bb") and "\u2028" not in wire_text("a\u2028b")


class _Sink:
    def __init__(self) -> None:
        self.saved: list[SipMessage] = []

    def save_sip_messages(self, messages):
        self.saved.extend(messages)


def msg(call_id: str, n: int = 0) -> SipMessage:
    return SipMessage(at=Timestamp.now(), direction=Direction.RECEIVED, peer="UDP x",
                      call_id=call_id, first_line=f"INFO sip:a@b SIP/2.0 #{n}",
                      text=f"INFO sip:a@b SIP/2.0\r\nCSeq: {n + 1} INFO\r\n")


def test_ladder_keeps_only_our_calls_and_at_most_its_bound():
    sink = _Sink()
    keeper = LadderKeeper(sink)  # type: ignore[arg-type]
    keeper.add(msg("stray"))  # a dialog that never becomes a call of ours
    keeper.add(msg("ours", 0))  # before the engine names the call
    keeper.known("ours")
    for n in range(1, MAX_PER_CALL + 50):
        keeper.add(msg("ours", n))
    keeper.flush()
    assert {m.call_id for m in sink.saved} == {"ours"}
    assert len(sink.saved) == MAX_PER_CALL
    assert sink.saved[0].first_line.endswith("#0")  # the early one was kept, in order


def test_a_command_that_ends_at_once_never_hangs_the_caller():
    runner = HookRunner(f"{sys.executable} -c pass")
    call = Call()
    started = time.monotonic()
    for _ in range(40):  # done callbacks often run at once, inside run()
        runner.run(CallEvent.ENDED, call, None)
        time.sleep(0.005)
    runner.close()
    assert time.monotonic() - started < 30
    failures = []
    while not runner.failures.empty():
        failures.append(runner.failures.get())
    # Only the burst's own bound may speak: no command failed to run or hung.
    assert all("still run" in f or "not run" in f for f in failures), failures
