"""CSV export never hands a spreadsheet a formula; JSON keeps the wire text exactly.

The wire text comes from real peers: a SIPp UAS answering with a formula as its Server
header and reason phrase, and a SIPp UAC calling with a formula as its From display name.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from softphone.store import CallDiagnostics, History
from softphone.store.export import CSV_HEADER, csv_cell
from tests.peers.sipp import free_udp_port, run_uac, run_uas
from tests.softphone_cli import StderrWatcher, run_cli, start_cli
from tests.test_history_store import make_call

SCENARIOS = Path(__file__).resolve().parent / "sipp"
SERVER = '=HYPERLINK("http://attacker.example/","click me")'
REASON = "+cmd|' /C calc'!A0"
CALLER = "=SUM(1+1)*cmd|' /C calc'!A0"
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(("text", "cell"), [
    ("=1+2", "'=1+2"), ("+82101234", "'+82101234"), ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("", ""), (None, ""), ("sip:=x@h", "sip:=x@h"),
    ("a=b", "a=b"), ("'=already", "'=already"), (486, "486"),
])
def test_csv_cell(text: object, cell: str) -> None:
    assert csv_cell(text) == cell


def assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(DANGEROUS), (cell, row)


def formula_history(data_dir: Path) -> None:
    """Two real calls whose wire text holds formulas, stored by softphone itself."""
    with run_uas(str(SCENARIOS / "uas_486_formulas.xml")) as peer:
        result = run_cli("call", peer.uri(), "--audio", "null", "--bind", "127.0.0.1:0",
                         data_dir=data_dir)
        assert result.returncode == 0, result.explain()
        peer.assert_success(timeout=10)
    port = free_udp_port()
    listener = start_cli("listen", "--reject", "--calls", "1", "--audio", "null", "--bind",
                         f"127.0.0.1:{port}", data_dir=data_dir)
    try:
        StderrWatcher(listener).wait_for("listening on")
        with run_uac("uac_expect_reject", f"127.0.0.1:{port}", service="softphone",
                     variables={"from_name": CALLER, "from_user": "-2+3"}) as caller:
            caller.assert_success(timeout=15)
        listener.wait(timeout=30)
    finally:
        if listener.poll() is None:
            listener.kill()
    assert listener.returncode == 0


@pytest.mark.sip
def test_history_csv_neutralises_the_peers_formulas_and_json_keeps_them(data_dir: Path) -> None:
    formula_history(data_dir)
    result = run_cli("history", "--csv", data_dir=data_dir)
    assert result.returncode == 0, result.explain()
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert tuple(rows[0]) == CSV_HEADER
    assert_no_formula(rows)
    by_direction = {row[2]: dict(zip(CSV_HEADER, row, strict=True)) for row in rows[1:]}
    outgoing = by_direction["outgoing"]
    assert (outgoing["sip_code"], outgoing["hangup_reason"]) == ("486", "busy")
    assert outgoing["user_agent"] == "'" + SERVER
    assert outgoing["sip_reason"] == "'" + REASON
    assert by_direction["incoming"]["from"].startswith("sip:-2+3@127.0.0.1")

    calls = json.loads(run_cli("history", "--json", data_dir=data_dir).stdout)
    incoming = next(c for c in calls if c["direction"] == "incoming")
    assert incoming["source"]["name"] == CALLER  # exactly as it came
    assert incoming["source"]["target"].startswith("sip:-2+3@")


def test_history_csv_of_typed_numbers_and_hostile_diagnostics(data_dir: Path) -> None:
    with History.open(data_dir / "history.sqlite3") as h:
        h.save(make_call(1, remote="+821012345678"),
               CallDiagnostics(sip_code=486, sip_reason="-1+1", user_agent="\t=1"))
    result = run_cli("history", "--csv", "--limit", "1", data_dir=data_dir)
    assert result.returncode == 0, result.explain()
    (_, row) = list(csv.reader(io.StringIO(result.stdout, newline="")))
    cells = dict(zip(CSV_HEADER, row, strict=True))
    assert (cells["to"], cells["sip_reason"], cells["user_agent"]) == (
        "'+821012345678", "'-1+1", "'\t=1")


@pytest.mark.parametrize("limit", ["9223372036854775808", "1" + "0" * 40, "0", "-1", "x"])
def test_history_limit_out_of_range_is_one_line(data_dir: Path, limit: str) -> None:
    result = run_cli("history", "--limit", limit, data_dir=data_dir)
    assert result.returncode == 2, result.explain()
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1, result.explain()
    assert "--limit" in result.stderr and "Traceback" not in result.stderr


def test_history_limit_at_sqlite_s_maximum_works(data_dir: Path) -> None:
    with History.open(data_dir / "history.sqlite3") as h:
        h.save_many([make_call(n) for n in range(3)])
    for options in (["--json"], ["--csv"], []):
        result = run_cli("history", *options, "--limit", "9223372036854775807",
                         data_dir=data_dir)
        assert result.returncode == 0, result.explain()
    assert len(json.loads(run_cli("history", "--json", "--limit", "9223372036854775807",
                                  data_dir=data_dir).stdout)) == 3


def test_csv_and_json_together_are_refused(data_dir: Path) -> None:
    result = run_cli("history", "--csv", "--json", data_dir=data_dir)
    assert result.returncode == 2 and "not allowed with" in result.stderr, result.explain()
