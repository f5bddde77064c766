"""The number list, expectations, pacing and the spreadsheet-safe CSV: pure code."""

from __future__ import annotations

import csv
import io

import pytest

from softphone.model import Call, CallDirection, HangupBy, HangupReason, Timestamp
from softphone.model.diagnostics import CallDiagnostics
from softphone.tester.jobs import ListError, parse_csv, parse_expectation, parse_lines
from softphone.tester.pacing import Pacer
from softphone.tester.protocol import Result
from softphone.tester.reports import write_csv
from softphone.tester.result import judge, measure


def test_a_csv_list_reads_every_column_in_order():
    jobs = parse_csv('target,label,expect,flow\n'
                     '+15551230001,"Sales, main",answered,\n'
                     'sip:bob@example.com,,busy,\n'
                     '\n'
                     '5551230002,,404,\n', domain="pbx.example")
    assert [(j.index, j.target, j.label) for j in jobs] == [
        (1, "+15551230001", "Sales, main"), (2, "sip:bob@example.com", ""),
        (3, "5551230002", "")]
    assert jobs[0].uri == "sip:+15551230001@pbx.example;user=phone"
    assert [j.expect.text if j.expect else None for j in jobs] == ["answered", "busy", "404"]


@pytest.mark.parametrize(("text", "message"), [
    ("label\nx\n", "list.csv, row 1: no 'target' column"),
    ("target,colour\n+1555,red\n", "list.csv, row 1, column colour: unknown column"),
    ("target,expect\n+15551230001,answered\n+1555,maybe\n",
     "list.csv, row 3, column expect: 'maybe' is not an expectation"),
    ("target\n+15551230001\nsip:\n", "list.csv, row 3, column target: invalid target"),
    ("target,label\n,nobody\n", "list.csv, row 2, column target: empty"),
    ("target\n+15551230001,extra\n", "list.csv, row 2: more cells than the header"),
    ("target\n", "list.csv: no numbers in it"),
    ("target,expect\nsip:a@h,amd:parrot\n", "list.csv, row 2, column expect: 'amd:parrot'"),
])
def test_a_bad_list_is_one_line_naming_row_and_column(text, message):
    with pytest.raises(ListError) as caught:
        parse_csv(text, domain="pbx.example", name="list.csv")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_stdin_has_one_target_a_line():
    jobs = parse_lines("sip:a@h\n\n# a comment\nsip:b@h:5070\n")
    assert [j.uri for j in jobs] == ["sip:a@h", "sip:b@h:5070"]
    with pytest.raises(ListError, match="standard input, line 2, column target"):
        parse_lines("sip:a@h\nsip:\n")


def test_expectations():
    assert parse_expectation("") is None
    assert parse_expectation(" Answered ").kind == "answered"
    assert parse_expectation("noanswer").kind == "reason"
    assert parse_expectation("486").kind == "sip"
    assert parse_expectation("amd:machine").text == "amd:machine"


def _ended(reason: HangupReason, answered: bool) -> Call:
    call = Call(direction=CallDirection.OUTGOING, tm_create=Timestamp.parse(
        "2026-01-01 10:00:00.000000"))
    if answered:
        call.tm_ringing = Timestamp.parse("2026-01-01 10:00:00.200000")
        call.tm_progressing = Timestamp.parse("2026-01-01 10:00:01.000000")
    call.hangup_by, call.hangup_reason = HangupBy.REMOTE, reason
    call.tm_hangup = Timestamp.parse("2026-01-01 10:00:04.000000")
    return call


def test_verdicts_say_why():
    busy = _ended(HangupReason.BUSY, False)
    d486 = CallDiagnostics(sip_code=486, sip_reason="Busy Here")
    assert judge(parse_expectation("busy"), busy, d486) == (True, "hangup_reason busy")
    assert judge(parse_expectation("486"), busy, d486) == (True, "SIP 486")
    assert judge(parse_expectation("answered"), busy, d486) == (
        False, "expected answered, got busy (486 Busy Here)")
    assert judge(parse_expectation("404"), busy, d486) == (False, "expected SIP 404, got 486")
    assert judge(None, busy, d486) == (None, "")
    assert judge(parse_expectation("amd:human"), busy, d486)[0] is False


def test_measures_come_from_the_call():
    from softphone.tester.jobs import Job

    job = Job(index=1, target="+1", uri="sip:+1@h", expect=parse_expectation("answered"))
    result = measure(job, Result(job=1, call=_ended(HangupReason.NORMAL, True),
                                 diagnostics=CallDiagnostics(sip_code=200, post_dial_delay_ms=200),
                                 q850_cause=16))
    assert (result.outcome, result.passed, result.ring_s, result.answer_s, result.talk_s,
            result.post_dial_delay_ms, result.q850_cause) == (
        "answered", True, 0.8, 1.0, 3.0, 200, 16)


def test_pacer_keeps_the_rate_without_bursts():
    now = [0.0]
    pacer = Pacer(4.0, clock=lambda: now[0])
    assert pacer.take() and not pacer.take()
    assert pacer.wait_s() == pytest.approx(0.25)
    now[0] = 10.0  # a long pause saves up no credit
    assert pacer.take() and not pacer.take()
    unlimited = Pacer(None, clock=lambda: now[0])
    assert all(unlimited.take() for _ in range(100))


def test_csv_report_cells_never_run_as_formulas():
    from softphone.tester.jobs import Job

    job = Job(index=1, target="=HYPERLINK(\"http://x\")", uri="sip:x@h", label="@SUM(1)")
    row = measure(job, Result(job=1, call=_ended(HangupReason.BUSY, False),
                              diagnostics=CallDiagnostics(sip_code=486)))
    out = io.StringIO()
    write_csv([row], out)
    header, cells = list(csv.reader(io.StringIO(out.getvalue())))
    record = dict(zip(header, cells, strict=True))
    assert record["target"].startswith("'=") and record["label"].startswith("'@")
    assert record["sip_code"] == "486" and record["passed"] == ""


def test_the_flows_last_action_and_amd_verdict_reach_the_result_and_table():
    from softphone.model import Action
    from softphone.tester.jobs import Job
    from softphone.tester.terminal import summary_table

    call = _ended(HangupReason.NORMAL, True)
    call.action = Action(type="hangup")
    job = Job(index=1, target="+1", uri="sip:+1@h", expect=parse_expectation("amd:human"))
    result = measure(job, Result(job=1, call=call, diagnostics=CallDiagnostics(sip_code=200),
                                 amd="notsure"), amd="notsure")
    assert (result.action, result.amd, result.passed, result.verdict) == (
        "hangup", "notsure", False, "expected amd:human, got amd:notsure")
    header, row = summary_table([result]).splitlines()[:2]
    assert header.split()[-2:] == ["action", "why"] and " hangup " in row
    none = measure(job, Result(job=1, call=call, diagnostics=CallDiagnostics(sip_code=200)))
    assert none.verdict == "expected amd:human: no AMD verdict (the flow ran no amd action)"
