"""SRTP mandatory: succeeds with a pjsua2 peer that offers SRTP, fails clearly with a plain one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.softphone_cli import run_cli

pytestmark = pytest.mark.sip
ROOT = Path(__file__).resolve().parents[2]


def _peer(srtp: str) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/peers/pjsua_peer.py"), "--listen", "--srtp", srtp,
         "--answer-after", "0.2", "--timeout", "30"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    ready = proc.stdout.readline().split()
    assert ready[:1] == ["READY"], ready
    return proc, int(ready[1])


@pytest.fixture
def srtp_account(data_dir, keyring_env):
    result = run_cli("account", "add", "secure", "--user", "me", "--domain", "127.0.0.1",
                     "--registrar", "none", "--srtp", "mandatory", "--no-password",
                     data_dir=data_dir, env=keyring_env)
    assert result.returncode == 0, result.explain()
    return keyring_env


@pytest.mark.parametrize("peer_srtp", ["mandatory", "optional"])
def test_srtp_call_to_a_peer_offering_srtp(data_dir, srtp_account, peer_srtp):
    peer, port = _peer(peer_srtp)
    try:
        result = run_cli("call", f"sip:peer@127.0.0.1:{port}", "--account", "secure",
                         "--bind", "127.0.0.1:0", "--hangup-after", "1.5", "--json",
                         data_dir=data_dir, env=srtp_account)
    finally:
        peer.kill()
        peer.communicate()
    assert result.returncode == 0, result.explain()
    call = result.calls[0]
    assert (call["hangup_by"], call["hangup_reason"]) == ("local", "normal")
    assert call["tm_progressing"] is not None


def test_srtp_mandatory_against_a_plain_peer_fails_with_a_clear_reason(data_dir, srtp_account):
    peer, port = _peer("off")
    try:
        result = run_cli("call", f"sip:peer@127.0.0.1:{port}", "--account", "secure",
                         "--bind", "127.0.0.1:0", data_dir=data_dir, env=srtp_account)
    finally:
        peer.kill()
        peer.communicate()
    assert result.returncode == 0, result.explain()
    assert "hangup_by=remote  hangup_reason=failed" in result.stdout
    assert "sip=488" in result.stdout
    assert "does not offer SRTP, which this account requires" in result.stdout
