"""Accounts against a real Kamailio: registration, digest auth, TLS, a call between accounts."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from tests.peers.kamailio import USERS, Kamailio, make_ca
from tests.softphone_cli import StderrWatcher, history_json, run_cli, start_cli

pytestmark = pytest.mark.sip


def add_account(data_dir: Path, env: dict, name: str, *options: str, password: str | None):
    extra = ["--password-stdin"] if password is not None else ["--no-password"]
    result = run_cli("account", "add", name, *options, *extra, data_dir=data_dir, env=env,
                     input=(password + "\n") if password is not None else None)
    assert result.returncode == 0, result.explain()
    return result


def test_account_is_saved_without_its_password(data_dir, keyring_env, kamailio: Kamailio):
    add_account(data_dir, keyring_env, "work", "--user", "alice", "--domain", kamailio.domain,
                password=USERS["alice"])
    settings = (data_dir / "settings.json").read_text()
    assert "alice-secret" not in settings
    assert json.loads(settings)["accounts"][0]["user"] == "alice"
    keyring = Path(keyring_env["SOFTPHONE_TEST_KEYRING"]).read_text()
    assert "alice-secret" in keyring
    listing = run_cli("account", "list", data_dir=data_dir, env=keyring_env)
    assert listing.returncode == 0
    assert re.search(r"^\* work\s+alice@127\.0\.0\.1:\d+\s+udp", listing.stdout, re.M)
    assert "secret" not in listing.stdout + listing.stderr


def test_registration_succeeds(data_dir, keyring_env, kamailio):
    add_account(data_dir, keyring_env, "work", "--user", "alice", "--domain", kamailio.domain,
                password=USERS["alice"])
    result = run_cli("-vv", "account", "test", "work", "--bind", "127.0.0.1:0",
                     data_dir=data_dir, env=keyring_env)
    assert result.returncode == 0, result.explain()
    assert "account 'work': registered (expires in" in result.stdout
    # -vv logs every SIP message; the digest response must not be among them.
    assert "REGISTER sip:" in result.stderr
    assert "Authorization: <redacted>" in result.stderr
    assert 'response="' not in result.stderr
    assert "alice-secret" not in result.stderr


def test_wrong_password_fails_clearly(data_dir, keyring_env, kamailio):
    add_account(data_dir, keyring_env, "work", "--user", "alice", "--domain", kamailio.domain,
                password="wrong")
    result = run_cli("account", "test", "work", "--bind", "127.0.0.1:0",
                     data_dir=data_dir, env=keyring_env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "softphone: error: account 'work': registration failed: 401 Unauthorized"
    ]


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("no-such-host.invalid", "registration failed"),
        ("127.0.0.1:9", "registration failed"),  # nothing listens on the discard port
    ],
)
def test_unreachable_registrar_fails_clearly(data_dir, keyring_env, domain, expected):
    add_account(data_dir, keyring_env, "work", "--user", "alice", "--domain", domain,
                password="x")
    result = run_cli("account", "test", "work", "--bind", "127.0.0.1:0", "--timeout", "5",
                     data_dir=data_dir, env=keyring_env)
    assert result.returncode == 1, result.explain()
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("softphone: error: account 'work': ")
    assert expected in lines[0] or "no answer from the registrar within 5 s" in lines[0]


def test_bad_account_values_are_refused(data_dir, keyring_env):
    result = run_cli("account", "add", "work", "--user", "alice", "--domain", "bad host",
                     "--no-password", data_dir=data_dir, env=keyring_env)
    assert result.returncode == 2
    assert result.stderr.startswith("softphone: error: invalid account: domain:")
    assert not (data_dir / "settings.json").exists()


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        ("keyring.backends.fail.Keyring", "no system keyring is available"),
        ("no.such.Backend", "the system keyring failed (ModuleNotFoundError"),
    ],
)
def test_missing_keyring_is_a_clear_error(data_dir, backend, expected):
    env = {"PYTHON_KEYRING_BACKEND": backend}
    result = run_cli("account", "add", "work", "--user", "alice", "--domain", "example.com",
                     "--password-stdin", data_dir=data_dir, env=env, input="pw\n")
    assert result.returncode == 1
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not (data_dir / "settings.json").exists()  # nothing saved half-done


def test_call_between_two_registered_accounts(tmp_path, keyring_env, kamailio):
    alice_dir, bob_dir = tmp_path / "alice", tmp_path / "bob"
    for who, folder in (("alice", alice_dir), ("bob", bob_dir)):
        folder.mkdir()
        add_account(folder, keyring_env, who, "--user", who, "--domain", kamailio.domain,
                    password=USERS[who])
    bob = start_cli("listen", "--bind", "127.0.0.1:0", "--json", "--calls", "1",
                    "--hangup-after", "1.5", data_dir=bob_dir, env=keyring_env)
    try:
        bob_log = StderrWatcher(bob)
        bob_log.wait_for("listening on")
        time.sleep(0.3)
        # "bob" is a user name: it dials through alice's account domain.
        alice = run_cli("call", "bob", "--account", "alice", "--bind", "127.0.0.1:0", "--json",
                        data_dir=alice_dir, env=keyring_env, timeout=60)
        bob_out = bob_log.communicate(timeout=30)
        bob_err = bob_log.text()
    finally:
        if bob.poll() is None:
            bob.kill()
    assert alice.returncode == 0, alice.explain() + kamailio.log_tail()
    call = alice.calls[0]
    assert (call["status"], call["direction"], call["hangup_by"], call["hangup_reason"]) == (
        "hangup", "outgoing", "remote", "normal")
    assert call["source"]["target"] == f"sip:alice@{kamailio.domain}"
    assert call["destination"]["target"] == f"sip:bob@{kamailio.domain}"
    assert call["tm_progressing"] is not None
    assert history_json(alice_dir) == [call]
    assert bob.returncode == 0, bob_err
    received = json.loads(bob_out.splitlines()[0])
    assert (received["direction"], received["hangup_by"], received["hangup_reason"]) == (
        "incoming", "local", "normal")
    # pjsip writes From without the port: the address of record as the caller sent it.
    assert received["source"]["target"] == "sip:alice@127.0.0.1"


def test_tls_with_the_test_ca_registers(data_dir, keyring_env, kamailio):
    add_account(data_dir, keyring_env, "tls", "--user", "alice",
                "--domain", f"127.0.0.1:{kamailio.tls_port}", "--transport", "tls",
                "--ca-file", str(kamailio.ca.ca_file), password=USERS["alice"])
    result = run_cli("account", "test", "tls", "--bind", "127.0.0.1:0",
                     data_dir=data_dir, env=keyring_env)
    assert result.returncode == 0, result.explain() + kamailio.log_tail()
    assert "registered" in result.stdout


def test_tls_against_an_untrusted_certificate_fails_clearly(tmp_path, data_dir, keyring_env,
                                                            kamailio):
    stranger = make_ca(tmp_path / "other-ca", name="some other CA")
    add_account(data_dir, keyring_env, "tls", "--user", "alice",
                "--domain", f"127.0.0.1:{kamailio.tls_port}", "--transport", "tls",
                "--ca-file", str(stranger.ca_file), password=USERS["alice"])
    result = run_cli("account", "test", "tls", "--bind", "127.0.0.1:0", "--timeout", "10",
                     data_dir=data_dir, env=keyring_env)
    assert result.returncode == 1, result.explain()
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "certificate" in lines[0].lower(), lines[0]


def test_unreadable_ca_file_is_a_clear_error(tmp_path, data_dir, keyring_env, kamailio):
    add_account(data_dir, keyring_env, "tls", "--user", "alice",
                "--domain", f"127.0.0.1:{kamailio.tls_port}", "--transport", "tls",
                "--ca-file", str(tmp_path / "missing.pem"), password=USERS["alice"])
    result = run_cli("account", "test", "tls", "--bind", "127.0.0.1:0",
                     data_dir=data_dir, env=keyring_env)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"softphone: error: cannot read the CA file {tmp_path / 'missing.pem'}: "
        "No such file or directory"
    )
