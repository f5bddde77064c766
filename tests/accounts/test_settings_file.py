"""A damaged settings.json through the command line (`softphone account list/add/remove`):
one clear line, the file set aside under a name that never overwrites an earlier copy, a bad
account skipped by name while the others are kept, and never deleted behind the user's back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.softphone_cli import run_cli

GOOD = {"name": "good", "user": "alice", "domain": "127.0.0.1"}
OTHER = {"name": "other", "user": "carol", "domain": "127.0.0.1"}


def settings_file(data_dir: Path) -> Path:
    return data_dir / "settings.json"


def account_list(data_dir: Path, env: dict) -> tuple[list[str], list[str]]:
    result = run_cli("account", "list", data_dir=data_dir, env=env)
    assert result.returncode == 0, result.explain()
    assert "Traceback" not in result.stderr
    names = [line[2:].split()[0] for line in result.stdout.splitlines() if line.strip()]
    return names, result.stderr.strip().splitlines()


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b'{"accounts": [{"name": "J\xf6rg"}]}', "not UTF-8 text"),
        (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
        (b'{"accounts": [', "not JSON"),
        (b'["a list"]', "not a JSON object"),
    ],
)
def test_unreadable_file_is_one_line_and_set_aside(data_dir, keyring_env, content, why):
    settings_file(data_dir).write_bytes(content)
    names, warnings = account_list(data_dir, keyring_env)
    assert names == []
    assert len(warnings) == 2  # the warning, then "no accounts (add one with ...)"
    assert why in warnings[0] and "moved to settings.broken-" in warnings[0]
    copies = list(data_dir.glob("settings.broken-*.json"))
    assert [c.read_bytes() for c in copies] == [content]


def test_a_second_broken_file_never_overwrites_the_first_copy(data_dir, keyring_env):
    first = b'{"accounts": [' + json.dumps(GOOD).encode() + b", \xff]}"
    second = b"{not json"
    settings_file(data_dir).write_bytes(first)
    account_list(data_dir, keyring_env)
    settings_file(data_dir).write_bytes(second)
    account_list(data_dir, keyring_env)
    copies = sorted(c.read_bytes() for c in data_dir.glob("settings.broken-*.json"))
    assert copies == sorted([first, second])  # the one with the account is still there


def test_one_bad_account_is_skipped_by_name_and_kept_in_the_file(data_dir, keyring_env):
    bad = {"name": "bad", "user": "bob", "domain": "127.0.0.1", "reg_expiry_s": "soon"}
    settings_file(data_dir).write_text(json.dumps(
        {"default_account": "good", "accounts": [GOOD, bad, OTHER]}))
    names, warnings = account_list(data_dir, keyring_env)
    assert names == ["good", "other"]
    assert warnings == [
        f"WARNING softphone.store.settings_store: settings {settings_file(data_dir)}: account "
        "'bad' skipped (reg_expiry_s: Input should be a valid integer, unable to parse string "
        "as an integer); it stays in the file until fixed or removed"
    ]
    # Saving another account writes the file again: the bad entry is still in it.
    added = run_cli("account", "add", "new", "--user", "dave", "--domain", "127.0.0.1",
                    "--no-password", data_dir=data_dir, env=keyring_env)
    assert added.returncode == 0, added.explain()
    saved = json.loads(settings_file(data_dir).read_text())
    assert bad in saved["accounts"]
    assert [a["name"] for a in saved["accounts"]] == ["good", "other", "new", "bad"]
    assert not list(data_dir.glob("settings.broken-*.json"))  # nothing needed setting aside


def test_a_bad_account_can_be_replaced_or_removed(data_dir, keyring_env):
    bad = {"name": "bad", "user": "bob", "domain": "127.0.0.1", "reg_expiry_s": "soon"}
    settings_file(data_dir).write_text(json.dumps({"accounts": [GOOD, bad]}))
    fixed = run_cli("account", "add", "bad", "--user", "bob", "--domain", "127.0.0.1",
                    "--no-password", data_dir=data_dir, env=keyring_env)
    assert fixed.returncode == 0, fixed.explain()
    names, warnings = account_list(data_dir, keyring_env)
    assert names == ["good", "bad"] and warnings == []
    settings_file(data_dir).write_text(json.dumps({"accounts": [GOOD, bad]}))
    removed = run_cli("account", "remove", "bad", data_dir=data_dir, env=keyring_env)
    assert removed.returncode == 0, removed.explain()
    saved = json.loads(settings_file(data_dir).read_text())["accounts"]
    assert [a["name"] for a in saved] == ["good"]
    names, warnings = account_list(data_dir, keyring_env)
    assert names == ["good"] and warnings == []


def test_a_bad_section_keeps_the_accounts(data_dir, keyring_env):
    settings_file(data_dir).write_text(json.dumps({"accounts": [GOOD], "audio": "loud"}))
    names, warnings = account_list(data_dir, keyring_env)
    assert names == ["good"]
    assert len(warnings) == 1 and "bad values in audio" in warnings[0]
    copies = list(data_dir.glob("settings.broken-*.json"))
    assert len(copies) == 1 and json.loads(copies[0].read_text())["audio"] == "loud"


def test_a_skipped_default_account_is_not_quietly_replaced(data_dir, keyring_env):
    bad = {"name": "bad", "user": "bob", "domain": "127.0.0.1", "reg_expiry_s": "soon"}
    settings_file(data_dir).write_text(json.dumps({"default_account": "bad", "accounts": [bad]}))
    result = run_cli("call", "sip:x@127.0.0.1:9", "--bind", "127.0.0.1:0", "--audio", "null",
                     data_dir=data_dir, env=keyring_env)
    assert result.returncode == 1, result.explain()
    lines = result.stderr.strip().splitlines()
    assert "account 'bad' skipped" in lines[0]
    assert lines[1:] == [f"softphone: error: the account 'bad' in {settings_file(data_dir)} "
                         "is not usable; fix it there, add it again, or remove it"]
    assert result.stdout == ""  # no call placed under another identity
