"""Transfers both ways against baresip: blind REFER we send, REFER the far end sends us
(followed, or refused with 603), attended transfer (REFER with Replaces)."""

from __future__ import annotations

import pytest

from softphone.engine import Engine
from softphone.model import CallDirection, CallStatus, parse_target

pytestmark = pytest.mark.sip


def _answered(watch, engine: Engine, uri: str) -> object:
    call = engine.make_call(parse_target(uri))
    watch.until_status(call.id, CallStatus.PROGRESSING)
    return call.id


def test_blind_transfer_ends_our_call_as_transferred(watch, engine, baresips):
    bob, carol = baresips("bob"), baresips("carol")
    call_id = _answered(watch, engine, bob.uri)
    engine.transfer(call_id, parse_target(carol.uri))
    watch.until_status(call_id, CallStatus.HANGUP, timeout=20)
    final = watch.last(call_id)
    assert (final.call.hangup_by.value, final.call.hangup_reason.value) == ("local", "normal")
    assert final.diagnostics.detail is not None
    assert final.diagnostics.detail.startswith(f"transferred to {carol.uri}")
    carol.wait_event("CALL_ESTABLISHED")  # bob reached carol
    progress = [u.diagnostics.transfer for u in watch.updates if u.call.id == call_id]
    assert f"transferring to {carol.uri}" in progress  # shown on the card as it goes


def test_failed_blind_transfer_resumes_the_call(watch, engine, baresips):
    bob = baresips("bob")
    call_id = _answered(watch, engine, bob.uri)
    nobody = "sip:nobody@127.0.0.1:9"  # nothing listens: bob's INVITE times out or fails
    engine.transfer(call_id, parse_target(nobody))
    watch.until(lambda: (watch.last(call_id).diagnostics.transfer or "").startswith(
        "transfer failed"), timeout=45, what="the transfer to fail")
    watch.until(lambda: not watch.last(call_id).diagnostics.held_by_us, what="resumed")
    assert watch.last(call_id).call.status is CallStatus.PROGRESSING


def test_far_end_transfers_us_to_a_new_outgoing_call(watch, engine, baresips):
    bob, carol = baresips("bob"), baresips("carol")
    call_id = _answered(watch, engine, bob.uri)
    bob.command("transfer", carol.uri)
    watch.until(lambda: len(watch.calls()) >= 2, what="the transferred call")
    new = watch.calls()[1]
    watch.until_status(new.id, CallStatus.PROGRESSING)
    watch.until_status(call_id, CallStatus.HANGUP)
    old = watch.last(call_id).call
    assert (old.hangup_by.value, old.hangup_reason.value) == ("remote", "normal")
    assert new.direction is CallDirection.OUTGOING
    assert new.destination.target == carol.uri
    engine.hangup(new.id)
    watch.until_status(new.id, CallStatus.HANGUP)
    assert (watch.last(new.id).diagnostics.detail or "").startswith(
        "transferred by ")


def test_refused_transfer_dials_nothing(watch, engine, baresips):
    bob, carol = baresips("bob"), baresips("carol")
    _answered(watch, engine, bob.uri)
    engine.refuse_transfers = True
    bob.command("transfer", carol.uri)
    watch.until(lambda: "603" in bob.log_tail(), timeout=10, what="baresip to see our 603")
    for _ in range(25):  # half a second more: no call to carol may start
        engine.poll(20)
    assert len(watch.calls()) == 1
    assert carol.event_count == 0


def test_attended_transfer_ends_both_legs(watch, engine, baresips):
    bob, carol = baresips("bob"), baresips("carol")
    first = _answered(watch, engine, bob.uri)
    consult = _answered(watch, engine, carol.uri)
    watch.until(lambda: watch.last(first).diagnostics.held_by_us, what="first held")
    engine.complete_transfer(first, consult)
    watch.until_status(first, CallStatus.HANGUP, timeout=20)
    watch.until_status(consult, CallStatus.HANGUP, timeout=20)
    for leg in (first, consult):
        final = watch.last(leg)
        assert final.call.hangup_reason.value == "normal", final.diagnostics
    assert (watch.last(first).diagnostics.detail or "").startswith("transferred to")
    # Both our legs end by our act once the far end reports the new call up.
    assert [watch.last(leg).call.hangup_by.value for leg in (first, consult)] == [
        "local", "local"]
    assert (watch.last(consult).diagnostics.detail or "").startswith(f"transferred to {bob.uri}")


def test_failed_attended_transfer_leaves_the_consultee_talking(watch, engine, baresips):
    bob, carol = baresips("bob"), baresips("carol")
    first = _answered(watch, engine, bob.uri)
    consult = _answered(watch, engine, carol.uri)
    watch.until(lambda: watch.last(first).diagnostics.held_by_us, what="first held")
    carol.stop()  # the consultee's phone is gone: bob's INVITE with Replaces cannot reach it
    engine.complete_transfer(first, consult)
    watch.until(lambda: (watch.last(first).diagnostics.transfer or "").startswith(
        "transfer failed"), timeout=45, what="the transfer to fail")
    # The user keeps live calls: the first still held (switch to it at will), no BYE sent.
    assert watch.last(first).call.status is CallStatus.PROGRESSING
    assert watch.last(first).diagnostics.held_by_us
    engine.resume(first)
    watch.until(lambda: not watch.last(first).diagnostics.held_by_us, what="resumed")
