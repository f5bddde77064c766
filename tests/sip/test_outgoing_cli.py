"""`softphone call` against scripted SIPp peers: every way an outgoing call can end."""

from __future__ import annotations

import pytest

from tests.peers.sipp import run_uas
from tests.softphone_cli import history_json, run_cli

pytestmark = pytest.mark.sip

ZERO = "00000000-0000-0000-0000-000000000000"

# scenario, extra `call` options, hangup_by, hangup_reason, answered, rang (saw 180)
CASES = [
    ("uas_486", [], "remote", "busy", False, False),
    ("uas_600", [], "remote", "busy", False, False),
    ("uas_404", [], "remote", "failed", False, False),
    ("uas_503", [], "remote", "failed", False, False),
    ("uas_604", [], "remote", "failed", False, False),
    ("uas_480", [], "remote", "noanswer", False, True),
    ("uas_183_603", [], "remote", "noanswer", False, False),  # 183 alone: still dialing
    ("uas_487", [], "remote", "noanswer", False, True),
    ("uas_302", [], "remote", "failed", False, False),
    ("uas_answer_bye", [], "remote", "normal", True, True),
    ("uas_answer_wait", ["--hangup-after", "1"], "local", "normal", True, True),
    ("uas_answer_wait", ["--max-duration", "1"], "local", "timeout", True, True),
    ("uas_ring_until_cancel", ["--hangup-after", "1"], "local", "cancel", False, True),
    ("uas_ring_until_cancel", ["--dial-timeout", "1"], "local", "dialout", False, True),
]


@pytest.mark.parametrize(
    ("scenario", "options", "by", "reason", "answered", "rang"),
    CASES,
    ids=[f"{c[0]}{''.join(c[1])}" for c in CASES],
)
def test_outgoing_call_outcome(data_dir, scenario, options, by, reason, answered, rang):
    with run_uas(scenario) as peer:
        result = run_cli(
            "call", peer.uri(), "--bind", "127.0.0.1:0", "--json", *options, data_dir=data_dir
        )
        assert result.returncode == 0, result.explain()
        peer.assert_success(timeout=15)
    assert len(result.calls) == 1, result.explain()
    call = result.calls[0]
    assert call["status"] == "hangup"
    assert call["direction"] == "outgoing"
    assert (call["hangup_by"], call["hangup_reason"]) == (by, reason), result.explain()
    assert call["destination"] == {
        "type": "sip", "target": peer.uri(), "target_name": "", "name": "", "detail": "",
    }
    assert call["source"]["target"].startswith("sip:softphone@127.0.0.1:")
    assert call["tm_create"] <= call["tm_hangup"] == call["tm_update"]
    assert (call["tm_progressing"] is not None) is answered
    assert (call["tm_ringing"] is not None) is rang
    assert call["recording_id"] == ZERO and call["recording_ids"] == []
    # It landed in history, exactly as printed.
    stored = history_json(data_dir)
    assert stored == [call]


def test_history_keeps_every_call_newest_first(data_dir):
    ids = []
    for scenario in ("uas_486", "uas_404"):
        with run_uas(scenario) as peer:
            result = run_cli("call", peer.uri(), "--bind", "127.0.0.1:0", "--json",
                             data_dir=data_dir)
            assert result.returncode == 0, result.explain()
        ids.append(result.calls[0]["id"])
    table = run_cli("history", data_dir=data_dir)
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0].split()[:6] == ["TIME", "DIRECTION", "REMOTE", "STATUS", "BY", "REASON"]
    assert "failed" in lines[1] and "404" in lines[1]
    assert "busy" in lines[2] and "486" in lines[2]
    assert [c["id"] for c in history_json(data_dir)] == ids[::-1]


def test_human_output_says_who_and_why(data_dir):
    with run_uas("uas_486") as peer:
        result = run_cli("call", peer.uri(), "--bind", "127.0.0.1:0", data_dir=data_dir)
    assert result.returncode == 0, result.explain()
    assert "hangup_by=remote" in result.stdout
    assert "hangup_reason=busy" in result.stdout
    assert "486 Busy Here" in result.stdout


def test_unresolvable_host_fails_without_traceback(data_dir):
    result = run_cli("call", "sip:nobody@host.invalid", "--bind", "127.0.0.1:0", "--json",
                     data_dir=data_dir)
    assert result.returncode == 0, result.explain()
    assert "Traceback" not in result.stderr
    call = result.calls[0]
    assert (call["status"], call["hangup_by"], call["hangup_reason"]) == ("hangup", "remote", "failed")
    assert history_json(data_dir) == [call]


@pytest.mark.slow
def test_peer_that_never_answers_is_a_remote_failure(data_dir):
    # Timer B (64 x T1 = 32 s) is how long SIP waits for any answer to an INVITE.
    with run_uas("uas_no_response", timeout_s=60) as peer:
        result = run_cli("call", peer.uri(), "--bind", "127.0.0.1:0", "--json",
                         data_dir=data_dir, timeout=60)
    assert result.returncode == 0, result.explain()
    call = result.calls[0]
    assert (call["hangup_by"], call["hangup_reason"]) == ("remote", "failed")
    assert call["tm_ringing"] is None and call["tm_progressing"] is None


def test_json_stdout_holds_only_the_call_even_when_buffered(data_dir):
    # pjlib prints through C's buffered stdio while we point fd 1 away; without a flush
    # its start-up lines used to reach stdout at exit, after the JSON (seen with a pipe).
    import json
    import subprocess
    import sys

    from tests.softphone_cli import ROOT, clean_env

    env = clean_env(None)
    env.pop("PYTHONUNBUFFERED")
    with run_uas("uas_486") as peer:
        proc = subprocess.run(
            [sys.executable, "-m", "softphone", "--data-dir", str(data_dir), "call",
             peer.uri(), "--bind", "127.0.0.1:0", "--json"],
            capture_output=True, text=True, timeout=60, env=env, cwd=ROOT,
            stdin=subprocess.DEVNULL,
        )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, proc.stdout
    assert json.loads(lines[0])["hangup_reason"] == "busy"


def test_no_sound_device_noise_on_stderr(data_dir):
    # Without a sound card libasound prints "ALSA lib ... Cannot get card index" when
    # probed; a support engineer's script should see our words only.
    with run_uas("uas_486") as peer:
        result = run_cli("call", peer.uri(), "--bind", "127.0.0.1:0", "--json",
                         data_dir=data_dir, env={"PULSE_SERVER": "unix:/nonexistent"})
    assert result.returncode == 0, result.explain()
    assert "ALSA lib" not in result.stderr
    assert result.calls[0]["hangup_reason"] == "busy"
