"""Plausible finished calls for filling a history (tests, benchmarks, screenshots)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator

from softphone.model import (
    Address,
    AddressType,
    Call,
    CallDirection,
    CallStatus,
    HangupBy,
    HangupReason,
    Timestamp,
)
from softphone.model.diagnostics import CallDiagnostics

NAMES = ["Alice Kim", "Bob Lee", "Carol Park", "", "Support desk", "", "Dana Choi", "Eve Jung"]
# (direction, hangup_by, hangup_reason, answered, sip code, sip reason)
OUTCOMES = [
    (CallDirection.OUTGOING, HangupBy.REMOTE, HangupReason.NORMAL, True, 200, "OK"),
    (CallDirection.OUTGOING, HangupBy.LOCAL, HangupReason.NORMAL, True, 200, "OK"),
    (CallDirection.OUTGOING, HangupBy.REMOTE, HangupReason.BUSY, False, 486, "Busy Here"),
    (CallDirection.OUTGOING, HangupBy.REMOTE, HangupReason.NOANSWER, False, 480,
     "Temporarily Unavailable"),
    (CallDirection.OUTGOING, HangupBy.REMOTE, HangupReason.FAILED, False, 404, "Not Found"),
    (CallDirection.OUTGOING, HangupBy.LOCAL, HangupReason.CANCEL, False, 487,
     "Request Terminated"),
    (CallDirection.OUTGOING, HangupBy.LOCAL, HangupReason.DIALOUT, False, 487,
     "Request Terminated"),
    (CallDirection.INCOMING, HangupBy.REMOTE, HangupReason.NORMAL, True, 200, "OK"),
    (CallDirection.INCOMING, HangupBy.REMOTE, HangupReason.CANCEL, False, 487,
     "Request Terminated"),
    (CallDirection.INCOMING, HangupBy.LOCAL, HangupReason.BUSY, False, 486, "Busy Here"),
    (CallDirection.INCOMING, HangupBy.LOCAL, HangupReason.NOANSWER, False, 480,
     "Temporarily Unavailable"),
    (CallDirection.INCOMING, HangupBy.LOCAL, HangupReason.TIMEOUT, True, 200, "OK"),
]
LOCAL = Address(type=AddressType.SIP, target="sip:softphone@192.0.2.10:5060", name="Me")


def fake_call(n: int, start_ns: int, rng: random.Random) -> tuple[Call, CallDiagnostics]:
    direction, by, reason, answered, code, sip_reason = OUTCOMES[rng.randrange(len(OUTCOMES))]
    number = f"+8210{rng.randrange(10_000_000, 99_999_999)}"
    remote = Address(type=AddressType.TEL if n % 3 else AddressType.SIP,
                     target=f"sip:{number}@pbx.example.com", name=NAMES[n % len(NAMES)])
    created = Timestamp(start_ns)
    ring = Timestamp(start_ns + rng.randrange(100, 900) * 1_000_000)
    talk_ns = rng.randrange(3, 900) * 1_000_000_000 if answered else 0
    answer = Timestamp(ring.ns + rng.randrange(1, 20) * 1_000_000_000) if answered else None
    hangup = Timestamp((answer.ns if answer else ring.ns + 15_000_000_000) + talk_ns)
    call = Call(
        id=uuid.UUID(int=rng.getrandbits(128), version=4),
        direction=direction,
        status=CallStatus.HANGUP,
        source=LOCAL if direction is CallDirection.OUTGOING else remote,
        destination=remote if direction is CallDirection.OUTGOING else LOCAL,
        hangup_by=by,
        hangup_reason=reason,
        tm_create=created,
        tm_ringing=ring,
        tm_progressing=answer,
        tm_hangup=hangup,
        tm_update=hangup,
        recording_ids=[uuid.UUID(int=rng.getrandbits(128), version=4)]
        if answered and n % 4 == 0 else [],
    )
    diagnostics = CallDiagnostics(sip_code=code, sip_reason=sip_reason,
                                  user_agent="Asterisk PBX 20.5.0", post_dial_delay_ms=140)
    return call, diagnostics


def fake_calls(count: int, seed: int = 7, end_ns: int | None = None) -> Iterator[
        tuple[Call, CallDiagnostics]]:
    """``count`` calls, one every ~40 s, the newest ending at ``end_ns`` (default: now)."""
    rng = random.Random(seed)
    end = end_ns if end_ns is not None else Timestamp.now().ns
    for n in range(count):
        yield fake_call(n, end - (count - n) * 40_000_000_000, rng)
