"""Hostile or extreme account input through the command line: refused in one line, nothing
saved; digest secrets never in the -vv log against a real Kamailio; no keyring needed by an
account without a password; a full disk leaves nothing half-written."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.accounts.test_accounts_kamailio import add_account
from tests.peers.kamailio import USERS, Kamailio
from tests.softphone_cli import ROOT, clean_env, run_cli

# A digest secret with its value still there (redacted ones read "=<redacted>").
SECRET_VALUE = re.compile(r'(?i)\b(response|c?nonce|opaque)\s*=\s*(?!<redacted>)"?[^\s",]+')


@pytest.mark.sip
def test_vv_log_holds_no_digest_secret(data_dir, keyring_env, kamailio: Kamailio):
    add_account(data_dir, keyring_env, "work", "--user", "alice", "--domain", kamailio.domain,
                password=USERS["alice"])
    result = run_cli("-vv", "account", "test", "work", "--bind", "127.0.0.1:0",
                     data_dir=data_dir, env=keyring_env)
    assert result.returncode == 0, result.explain()
    log = result.stderr
    # The exchange is there (challenge, then the answer with credentials)...
    assert "WWW-Authenticate: Digest" in log and "REGISTER sip:" in log
    assert "Authorization: <redacted>" in log
    # ...but none of the values that let someone replay or crack the login.
    assert SECRET_VALUE.findall(log) == []
    assert "nonce=<redacted>" in log
    assert USERS["alice"] not in log
    # A call through Kamailio: its INVITE is challenged (407) and sent again with
    # Proxy-Authorization; nobody is registered as "nobody", so it ends 404.
    call = run_cli("-vv", "call", f"sip:nobody@{kamailio.domain}", "--account", "work",
                   "--bind", "127.0.0.1:0", "--audio", "null", data_dir=data_dir,
                   env=keyring_env)
    assert "404" in call.stdout, call.explain()
    assert "Proxy-Authenticate: Digest" in call.stderr
    assert "Proxy-Authorization: <redacted>" in call.stderr
    assert SECRET_VALUE.findall(call.stderr) == []
    assert USERS["alice"] not in call.stderr


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--auth-user", "u\r\nX-Injected: 1", "auth_user"),
        ("--display-name", "Alice\r\nX-Injected: 1", "display_name"),
        ("--user", "alice\nX-Injected: 1", "user"),
        ("--domain", ":99999", "domain"),
        ("--domain", "$(id)", "domain"),
        ("--domain", "example.com:" + "9" * 5000, "domain"),
        ("--registrar", "javascript:x", "registrar"),
        ("--proxy", "sip:proxy.example.com\r\nX-Injected: 1", "outbound_proxy"),
        ("--stun", "stun.example.com:0", "stun_server"),
        ("NAME", " ", "name"),
    ],
)
def test_bad_account_values_exit_2_and_save_nothing(data_dir, keyring_env, option, value,
                                                      field):
    options = {"--user": "alice", "--domain": "example.com"}
    name = value if option == "NAME" else "work"
    if option != "NAME":
        options[option] = value
    words = [w for pair in options.items() for w in pair]
    result = run_cli("account", "add", name, *words, "--password-stdin",
                     data_dir=data_dir, env=keyring_env, input="pw\n")
    assert result.returncode == 2, result.explain()
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.explain()
    assert lines[0].startswith(f"softphone: error: invalid account: {field}: ")
    assert len(lines[0]) < 300
    assert not (data_dir / "settings.json").exists()
    assert not Path(keyring_env["SOFTPHONE_TEST_KEYRING"]).exists()  # no password stored


def test_hand_written_injection_never_reaches_the_engine(data_dir, keyring_env):
    # A settings file edited by hand (or by an older version) with a header in a field.
    bad = {"name": "evil", "user": "alice", "domain": "127.0.0.1",
           "auth_user": "u\r\nX-Injected: 1"}
    (data_dir / "settings.json").write_text(json.dumps({"accounts": [bad]}))
    result = run_cli("account", "test", "evil", "--bind", "127.0.0.1:0", "--timeout", "2",
                     data_dir=data_dir, env=keyring_env)
    assert result.returncode == 1
    assert "account 'evil' skipped (auth_user: contains the character U+000D" in result.stderr
    assert "softphone: error: no account named 'evil'" in result.stderr
    assert "Traceback" not in result.stderr


def test_account_without_password_needs_no_keyring(data_dir):
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    added = run_cli("account", "add", "lan", "--user", "alice", "--domain", "127.0.0.1",
                    "--registrar", "none", "--no-password", data_dir=data_dir, env=no_keyring)
    assert added.returncode == 0, added.explain()
    tested = run_cli("account", "test", "lan", "--bind", "127.0.0.1:0", "--timeout", "2",
                     data_dir=data_dir, env=no_keyring)
    assert tested.returncode == 0, tested.explain()
    assert tested.stdout.strip() == "account 'lan': direct calls, no registrar"
    assert "keyring" not in tested.stderr
    removed = run_cli("account", "remove", "lan", data_dir=data_dir, env=no_keyring)
    assert removed.returncode == 0, removed.explain()


def _can_mount_tmpfs() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
                           capture_output=True)
    return probe.returncode == 0


def test_full_disk_leaves_no_temp_file_and_no_orphan_password(tmp_path, keyring_env):
    """A disk with no space left: a tiny tmpfs over the data folder, filled up, in a mount
    namespace of the test's own (unshare -m, as root) so nothing else sees it."""
    if not _can_mount_tmpfs():
        pytest.skip("needs root and unshare -m to mount a tiny tmpfs")
    data = tmp_path / "full"
    data.mkdir()
    script = (
        f"mount -t tmpfs -o size=64k tmpfs {data} && mkdir {data}/logs {data}/recordings "
        f"&& (dd if=/dev/zero of={data}/filler bs=4k 2>/dev/null; true) && "
        f"{sys.executable} -m softphone --data-dir {data} account add work --user alice "
        f"--domain example.com --password-stdin; echo \"rc=$?\" >&2; ls -A {data} >&2"
    )
    proc = subprocess.run(["unshare", "-m", "sh", "-c", script], input="pw\n",
                          capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env=clean_env(keyring_env))
    lines = proc.stderr.strip().splitlines()
    assert lines[0] == (f"softphone: error: cannot write the settings {data}/settings.json: "
                        "No space left on device"), proc.stderr
    assert lines[1] == "rc=1"
    assert sorted(lines[2:]) == ["filler", "logs", "recordings"]  # no .settings-*.json left
    keyring = Path(keyring_env["SOFTPHONE_TEST_KEYRING"])
    assert not keyring.exists() or "work" not in keyring.read_text()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["call", "sip:a@127.0.0.1", "--bind", "a" * 260 + ":5060"], "--bind: bad bind address"),
        (["call", "sip:a@127.0.0.1", "--bind", "127.0.0.1:" + "9" * 5000],
         "--bind: bad bind address"),
        (["listen", "--bind", "$(id):5060"], "--bind: bad bind address"),
        (["history", "--limit", "9223372036854775808"], "--limit: '9223372036854775808' must"),
        (["history", "--limit", "9" * 5000], "--limit: '"),
        (["call", "sip:a@[::1", "--bind", "127.0.0.1:0"], "unbalanced ["),
        (["call", "sip:a@127.0.0.1:", "--bind", "127.0.0.1:0"], "is not a port number"),
        (["call", "sip:a@127.0.0.1:" + "9" * 5000, "--bind", "127.0.0.1:0"],
         "is not a port number"),
        (["call", "sip:a@127.0.0.1", "--hangup-after", "1e400"], "not a finite number"),
        (["account", "add", "w", "--user", "u", "--domain", "h", "--no-password",
          "--expiry", "9" * 5000], "--expiry: '999"),
        (["account", "add", "w" * 5000, "--user", "u", "--domain", "h", "--no-password"],
         "invalid account: name: "),
    ],
)
def test_command_line_extremes_are_one_line_and_exit_2(data_dir, args, expected):
    result = run_cli(*args, data_dir=data_dir)
    assert result.returncode == 2, result.explain()
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.explain()
    assert len(lines[0]) < 300
