"""STUN: an account that names a STUN server has its addresses mapped through a real one."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.peers.sipp import free_udp_port, run_uas
from tests.softphone_cli import run_cli

pytestmark = pytest.mark.sip


@pytest.fixture
def stun_server(tmp_path):
    if shutil.which("turnserver") is None:
        pytest.fail("coturn's turnserver is not installed (.ci/run installs it)")
    port = free_udp_port()
    proc = subprocess.Popen(
        ["turnserver", "-L", "127.0.0.1", "-p", str(port), "--stun-only", "--no-cli",
         "--no-stdout-log", "--log-file", str(tmp_path / "turn.log"), "--simple-log",
         "--pidfile", str(tmp_path / "turn.pid"), "--userdb", str(tmp_path / "turn.db")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        out = ""
        for _ in range(50):
            out = subprocess.run(["ss", "-lun"], capture_output=True, text=True).stdout
            if f"127.0.0.1:{port}" in out:
                break
            subprocess.run(["sleep", "0.1"])
        assert f"127.0.0.1:{port}" in out, "turnserver did not start"
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _account(data_dir, keyring_env, stun: str) -> None:
    result = run_cli("account", "add", "stunny", "--user", "me", "--domain", "127.0.0.1",
                     "--registrar", "none", "--stun", stun, "--no-password",
                     data_dir=data_dir, env=keyring_env)
    assert result.returncode == 0, result.explain()


def test_account_with_stun_asks_the_server_for_its_mapped_address(data_dir, keyring_env,
                                                                   stun_server):
    _account(data_dir, keyring_env, stun_server)
    with run_uas("uas_answer_wait") as peer:
        result = run_cli("-vv", "call", peer.uri(), "--account", "stunny", "--bind",
                         "127.0.0.1:0", "--hangup-after", "0.5", "--audio", "null", "--json",
                         data_dir=data_dir, env=keyring_env)
    assert result.returncode == 0, result.explain()
    assert f"Trying STUN server {stun_server}" in result.stderr
    assert "STUN Binding success response" in result.stderr
    assert "STUN mapped address found/changed: 127.0.0.1:" in result.stderr
    assert result.calls[0]["hangup_reason"] == "normal"


def test_unreachable_stun_server_does_not_stop_calls(data_dir, keyring_env):
    _account(data_dir, keyring_env, f"127.0.0.1:{free_udp_port()}")  # nothing listens
    with run_uas("uas_486") as peer:
        result = run_cli("call", peer.uri(), "--account", "stunny", "--bind", "127.0.0.1:0",
                         "--audio", "null", "--json", data_dir=data_dir, env=keyring_env)
    assert result.returncode == 0, result.explain()
    assert (result.calls[0]["hangup_by"], result.calls[0]["hangup_reason"]) == ("remote", "busy")
