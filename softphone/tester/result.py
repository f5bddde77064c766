"""Per number: what happened, measured from the Call and its diagnostics, and whether it
was what the list expected. Flat, so it reads the same in JSON lines, CSV and HTML."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from softphone.model import Call
from softphone.model.diagnostics import CallDiagnostics
from softphone.model.explain import plain_outcome
from softphone.tester.jobs import Expectation, Job
from softphone.tester.protocol import Result

# Outcome buckets for counts and charts: the hangup_reason, "answered" for normal/timeout,
# "error" for a call that could not even be placed, "stopped" for one Ctrl+C ended.
ANSWERED = "answered"
NO_VERDICT = "no AMD verdict (the flow ran no amd action)"


class NumberResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    job: int
    target: str
    label: str = ""
    expect: str = ""
    flow: str = ""
    attempts: int = 1
    outcome: str  # the bucket: answered, busy, noanswer, failed, dialout, cancel, amd, error
    hangup_by: str = ""
    hangup_reason: str = ""
    sip_code: int | None = None
    sip_reason: str = ""
    q850_cause: int | None = None
    q850_text: str = ""
    post_dial_delay_ms: int | None = None  # RFC 6076 SRD: INVITE to the first 18x
    ring_s: float | None = None  # first 18x to answer or end
    answer_s: float | None = None  # INVITE to answer
    talk_s: float | None = None
    early_media: bool = False
    # Share of the audio received after answer (20 ms frames) that was not silence, early
    # media apart; None: no audio came.
    non_silence_pct: float | None = None
    codec: str = ""
    jitter_ms: float | None = None
    loss_pct: float | None = None
    rtt_ms: float | None = None
    mos: float | None = None
    action: str = ""  # the flow's last action type (the Call's action), "" without a flow
    amd: str = ""  # machine / human / notsure when the flow's amd action gave a verdict
    recording: str = ""
    call_id: str = ""  # our Call's id (history)
    sip_call_id: str = ""
    user_agent: str = ""
    plain: str = ""  # one sentence for people who do not read SIP
    passed: bool | None = None  # None: no expectation
    verdict: str = ""  # why it passed or failed


def _seconds(later: object, earlier: object) -> float | None:
    from softphone.model import Timestamp

    if isinstance(later, Timestamp) and isinstance(earlier, Timestamp):
        return round(max(0.0, later.seconds_since(earlier)), 3)
    return None


def outcome_of(call: Call, error: str | None = None) -> str:
    if error is not None:
        return "error"
    if call.was_answered:
        return ANSWERED if call.hangup_reason.value in ("normal", "timeout") else (
            call.hangup_reason.value or ANSWERED)
    return call.hangup_reason.value or "error"


def judge(expect: Expectation | None, call: Call, diagnostics: CallDiagnostics,
          amd: str = "", error: str | None = None) -> tuple[bool | None, str]:
    """Pass or fail against the expectation, with the reason in a few words."""
    if expect is None:
        return None, ""
    if error is not None:
        return False, f"expected {expect.text}, the call could not be placed: {error}"
    reason = call.hangup_reason.value
    code = diagnostics.sip_code
    if expect.kind == "answered":
        if call.was_answered:
            return True, "answered"
        got = f"{reason} ({code} {diagnostics.sip_reason or ''})".strip() if code else reason
        return False, f"expected answered, got {got}"
    if expect.kind == "reason":
        if reason == expect.value:
            return True, f"hangup_reason {reason}"
        return False, f"expected {expect.value}, got {reason or 'no hangup'}" + (
            f" ({code})" if code else "")
    if expect.kind == "sip":
        if code is not None and str(code) == expect.value:
            return True, f"SIP {code}"
        return False, f"expected SIP {expect.value}, got {code if code else 'no SIP code'}"
    # amd:machine / amd:human
    if not amd:
        return False, f"expected amd:{expect.value}: {NO_VERDICT}"
    if amd == expect.value:
        return True, f"amd {amd}"
    return False, f"expected amd:{expect.value}, got amd:{amd}"


def measure(job: Job, result: Result, attempts: int = 1, amd: str = "") -> NumberResult:
    call, d = result.call, result.diagnostics
    quality = d.quality
    passed, verdict = judge(job.expect, call, d, amd, result.error)
    answer_s = _seconds(call.tm_progressing, call.tm_create)
    ring_end = call.tm_progressing or call.tm_hangup
    return NumberResult(
        job=job.index, target=job.target, label=job.label,
        expect=job.expect.text if job.expect else "", flow=job.flow, attempts=attempts,
        outcome=outcome_of(call, result.error),
        hangup_by=call.hangup_by.value, hangup_reason=call.hangup_reason.value,
        sip_code=d.sip_code, sip_reason=d.sip_reason or "",
        q850_cause=result.q850_cause, q850_text=result.q850_text,
        post_dial_delay_ms=d.post_dial_delay_ms,
        ring_s=_seconds(ring_end, call.tm_ringing), answer_s=answer_s,
        talk_s=round(t, 3) if (t := call.talk_seconds()) is not None else None,
        early_media=result.early_media, non_silence_pct=result.heard_pct,
        codec=quality.codec if quality else "",
        jitter_ms=round(quality.jitter_ms.avg, 1) if quality else None,
        loss_pct=round(quality.loss_pct.avg, 2) if quality else None,
        rtt_ms=round(quality.rtt_ms.avg, 1) if quality and quality.rtt_ms else None,
        mos=round(quality.mos.avg, 2) if quality else None,
        action=call.action.type, amd=amd, recording=result.recording or "",
        call_id=str(call.id) if result.error is None else "",
        sip_call_id=d.call_id_header or "", user_agent=d.user_agent or "",
        plain=result.error or plain_outcome(call, d.sip_code),
        passed=passed, verdict=verdict,
    )


def stopped(job: Job) -> NumberResult:
    """A number Ctrl+C stopped before it was called."""
    return NumberResult(job=job.index, target=job.target, label=job.label,
                        expect=job.expect.text if job.expect else "", flow=job.flow,
                        attempts=0, outcome="not called",
                        plain="Not called: the run was stopped first.",
                        passed=False if job.expect else None,
                        verdict="not called: the run was stopped" if job.expect else "")
