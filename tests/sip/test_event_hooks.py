"""--on-event: a user's command runs as calls come in, ring, are answered and end."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from softphone.model import Call
from tests.peers.sipp import run_uac, run_uas
from tests.sip.test_incoming_cli import Listener
from tests.softphone_cli import run_cli

pytestmark = pytest.mark.sip


def hook_script(folder: Path, body: str = "") -> tuple[Path, Path]:
    """A hook that appends its environment and stdin as one JSON line to a log."""
    log = folder / "hook.jsonl"
    script = folder / "hook.py"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        "env = {k: v for k, v in os.environ.items() if k.startswith('SOFTPHONE_')}\n"
        f"with open({str(log)!r}, 'a') as out:\n"
        "    out.write(json.dumps({'env': env, 'stdin': sys.stdin.read()}) + '\\n')\n"
        + body
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, log


def read_log(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_incoming_call_runs_the_command_for_each_event(data_dir, tmp_path):
    script, log = hook_script(tmp_path)
    listener = Listener(data_dir, "--calls", "1", "--on-event", str(script))
    try:
        with run_uac("uac_bye", listener.host_port, service="softphone") as peer:
            listener.finish()
            peer.assert_success(timeout=15)
    finally:
        listener.kill()
    runs = read_log(log)
    events = [r["env"]["SOFTPHONE_EVENT"] for r in runs]
    # Worker threads may finish out of order; each event runs once.
    assert sorted(events) == sorted(["incoming", "ringing", "answered", "ended"])
    ended = next(r for r in runs if r["env"]["SOFTPHONE_EVENT"] == "ended")
    assert ended["env"]["SOFTPHONE_DIRECTION"] == "incoming"
    assert ended["env"]["SOFTPHONE_REMOTE"].startswith("sip:")
    assert ended["env"]["SOFTPHONE_HANGUP_REASON"] == "normal"
    assert "ended normally" in ended["env"]["SOFTPHONE_OUTCOME"]
    call = Call.model_validate_json(ended["stdin"])  # the Call JSON, VoIPBIN's shape
    assert call.status.value == "hangup"


def test_outgoing_busy_call_reports_code_and_a_failing_command_is_one_line(data_dir, tmp_path):
    script, log = hook_script(tmp_path, "sys.stderr.write('hook broke\\n'); sys.exit(3)\n")
    with run_uas("uas_486") as peer:
        result = run_cli("call", peer.uri(), "--audio", "null", "--on-event", str(script),
                         data_dir=data_dir)
    assert result.returncode == 0, result.explain()
    ended = [r for r in read_log(log) if r["env"]["SOFTPHONE_EVENT"] == "ended"]
    assert len(ended) == 1
    assert ended[0]["env"]["SOFTPHONE_SIP_CODE"] == "486"
    assert ended[0]["env"]["SOFTPHONE_HANGUP_REASON"] == "busy"
    assert "event command for ended exited 3: hook broke" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_hanging_command_is_stopped_and_never_holds_the_call(data_dir, tmp_path):
    script = tmp_path / "slow.py"
    script.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(60)\n")
    script.chmod(0o755)
    with run_uas("uas_486") as peer:
        result = run_cli("call", peer.uri(), "--audio", "null", "--on-event", str(script),
                         data_dir=data_dir, timeout=40)
    assert result.returncode == 0, result.explain()
    assert "ran longer than 10 s and was stopped" in result.stderr


@pytest.mark.parametrize("command", ["'", "  "])
def test_an_unreadable_command_is_bad_input(data_dir, command):
    result = run_cli("call", "sip:x@127.0.0.1:9", "--on-event", command, data_dir=data_dir)
    assert result.returncode == 2
    assert "--on-event" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("users_own", [None, "1"])
def test_the_command_gets_the_users_environment_not_our_pydantic_switch(
        data_dir, tmp_path, users_own):
    # softphone switches pydantic's plugin scan off for itself (softphone/pydantic_plugins.py);
    # a user's command, perhaps a pydantic program of their own, must not inherit that.
    seen = tmp_path / "seen.json"
    script, _log = hook_script(
        tmp_path, f"open({str(seen)!r}, 'w').write(json.dumps("
                  "os.environ.get('PYDANTIC_DISABLE_PLUGINS')))\n")
    env = {} if users_own is None else {"PYDANTIC_DISABLE_PLUGINS": users_own}
    with run_uas("uas_486") as peer:
        result = run_cli("call", peer.uri(), "--audio", "null", "--on-event", str(script),
                         data_dir=data_dir, env=env)
    assert result.returncode == 0, result.explain()
    assert json.loads(seen.read_text()) == users_own
