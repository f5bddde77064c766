"""What a support engineer reads from the command line after a call: the SIP code, plain
words, quality and the message ladder, beside the VoIPBIN Call (never inside it)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from softphone.model import Call
from tests.peers.pjsua import PjsuaPeer
from tests.peers.sipp import run_uas
from tests.softphone_cli import run_cli

pytestmark = [pytest.mark.sip, pytest.mark.interop]


def test_answered_call_details_quality_and_ladder(peers, data_dir):
    peer = peers(PjsuaPeer("--listen", "--tone", "440", "--codec", "PCMU",
                           "--hangup-after", "3"))
    result = run_cli("call", peer.uri(), "--audio", "null", data_dir=data_dir)
    assert result.returncode == 0, result.explain()

    details = run_cli("history", "--json", "--details", data_dir=data_dir)
    assert details.returncode == 0, details.explain()
    [row] = json.loads(details.stdout)
    assert set(row) == {"call", "sip", "outcome"}
    call = Call.model_validate(row["call"])  # exactly VoIPBIN's Call, nothing added
    assert set(row["call"]) == set(Call.model_fields)
    assert (call.hangup_by.value, call.hangup_reason.value) == ("remote", "normal")
    sip = row["sip"]
    assert sip["user_agent"].startswith("pjsua_peer")
    assert sip["call_id"]
    quality = sip["quality"]
    assert quality["codec"] == "PCMU" and quality["samples"] >= 2
    assert 4.0 < quality["mos"]["avg"] <= 4.5
    assert "ended normally" in row["outcome"] and "the callee hung up" in row["outcome"]

    ladder = run_cli("history", "--sip", str(call.id), data_dir=data_dir)
    assert ladder.returncode == 0, ladder.explain()
    arrows = [line.split("them", 1)[1].split()[0] for line in ladder.stdout.splitlines()
              if " us --->" in line or " us <---" in line]
    assert arrows[:1] == ["INVITE"] and "ACK" in arrows and "BYE" in arrows, ladder.stdout
    assert any(a.startswith("200") for a in arrows)
    # The same ladder by the SIP Call-ID a packet capture shows.
    # "=": a Call-ID may start with "-" (pjsip makes such), which argparse takes for an option.
    by_header = run_cli("history", f"--sip={sip['call_id']}", data_dir=data_dir)
    assert by_header.stdout == ladder.stdout
    assert "Authorization:" not in ladder.stdout


def test_failed_call_csv_has_code_and_plain_words(data_dir):
    with run_uas("uas_404") as peer:
        assert run_cli("call", peer.uri(), "--audio", "null", data_dir=data_dir).returncode == 0
    out = run_cli("history", "--csv", data_dir=data_dir)
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert rows[0]["sip_code"] == "404"
    assert "does not exist at the server" in rows[0]["outcome"]
    assert rows[0]["mos_avg"] == ""  # never answered: no quality


@pytest.mark.parametrize(
    ("args", "words"),
    [(("--sip", "no-such-call"), "no call 'no-such-call'"), (("--details",), "--details")],
)
def test_bad_history_requests_are_one_line(data_dir, args, words):
    result = run_cli("history", *args, data_dir=data_dir)
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr
