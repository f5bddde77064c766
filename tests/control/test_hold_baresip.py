"""Hold and resume against baresip, both ways; call waiting holds the call we talk on."""

from __future__ import annotations

import pytest

from softphone.engine import Engine
from softphone.model import CallStatus, parse_target

pytestmark = pytest.mark.sip


def _answered(watch, engine: Engine, peer) -> object:
    call = engine.make_call(parse_target(peer.uri))
    watch.until_status(call.id, CallStatus.PROGRESSING)
    return call.id


def test_we_hold_and_resume_status_stays_progressing(watch, engine, baresips):
    bob = baresips()
    call_id = _answered(watch, engine, bob)
    engine.hold(call_id)
    watch.until(lambda: watch.last(call_id).diagnostics.held_by_us, what="held by us")
    assert watch.last(call_id).call.status is CallStatus.PROGRESSING
    assert not watch.last(call_id).diagnostics.held_by_them
    engine.resume(call_id)
    watch.until(lambda: not watch.last(call_id).diagnostics.held_by_us, what="resumed")
    engine.hangup(call_id)
    watch.until_status(call_id, CallStatus.HANGUP)
    final = watch.last(call_id).call
    assert (final.hangup_by.value, final.hangup_reason.value) == ("local", "normal")


def test_far_end_holds_and_resumes(watch, engine, baresips):
    bob = baresips()
    call_id = _answered(watch, engine, bob)
    bob.command("hold")
    watch.until(lambda: watch.last(call_id).diagnostics.held_by_them, what="held by them")
    assert not watch.last(call_id).diagnostics.held_by_us
    assert watch.last(call_id).call.status is CallStatus.PROGRESSING
    bob.command("resume")
    watch.until(lambda: not watch.last(call_id).diagnostics.held_by_them, what="resumed")


def test_both_hold_shows_both(watch, engine, baresips):
    bob = baresips()
    call_id = _answered(watch, engine, bob)
    engine.hold(call_id)
    watch.until(lambda: watch.last(call_id).diagnostics.held_by_us, what="held by us")
    bob.command("hold")
    watch.until(lambda: watch.last(call_id).diagnostics.held_by_them, what="both hold")
    assert watch.last(call_id).diagnostics.held_by_us
    engine.resume(call_id)
    watch.until(lambda: not watch.last(call_id).diagnostics.held_by_us, what="we resume")
    assert watch.last(call_id).diagnostics.held_by_them  # they still hold us


def test_conference_party_leaving_ends_only_its_call(watch, engine, baresips):
    bob, carol = baresips("bob"), baresips("carol")
    first = _answered(watch, engine, bob)
    second = _answered(watch, engine, carol)
    assert sorted(map(str, engine.conference())) == sorted(map(str, (first, second)))
    watch.until(lambda: not watch.last(first).diagnostics.held_by_us, what="all resumed")
    assert {watch.last(c).call.type.value for c in (first, second)} == {"conference"}
    bob.command("hangup")
    watch.until_status(first, CallStatus.HANGUP)
    assert watch.last(first).call.hangup_by.value == "remote"
    for _ in range(25):
        engine.poll(20)
    assert watch.last(second).call.status is CallStatus.PROGRESSING
    engine.end_conference()
    watch.until_status(second, CallStatus.HANGUP)
    final = watch.last(second).call
    assert (final.hangup_by.value, final.hangup_reason.value) == ("local", "normal")


def test_second_call_holds_the_first_and_switching_swaps(watch, engine, baresips):
    bob, carol = baresips("bob"), baresips("carol")
    first = _answered(watch, engine, bob)
    second = _answered(watch, engine, carol)
    watch.until(lambda: watch.last(first).diagnostics.held_by_us, what="first held")
    assert not watch.last(second).diagnostics.held_by_us
    engine.resume(first)
    watch.until(lambda: watch.last(second).diagnostics.held_by_us
                and not watch.last(first).diagnostics.held_by_us, what="switched")
