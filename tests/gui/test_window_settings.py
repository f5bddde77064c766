"""The window's settings, through the real app (softphone.app.run_window) in a process of
its own: one store for window, accounts and audio; a damaged file never stops the window."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.softphone_cli import ROOT, clean_env

pytestmark = pytest.mark.gui


def run_window(data_dir: Path, action: str) -> tuple[dict, str]:
    """Open the window on ``data_dir``, act (tests/gui/window_driver.py), close it."""
    proc = subprocess.run(
        [sys.executable, "-m", "tests.gui.window_driver", str(data_dir), action],
        capture_output=True, text=True, timeout=90, cwd=ROOT,
        env=clean_env({"QT_QPA_PLATFORM": "offscreen"}),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    reports = [line[len("REPORT "):] for line in proc.stdout.splitlines()
               if line.startswith("REPORT ")]
    assert len(reports) == 1, proc.stdout + proc.stderr[-3000:]
    return json.loads(reports[0]), proc.stderr


def test_account_added_in_the_dialog_survives_an_audio_device_change(data_dir):
    # The dialog saves the account; the audio panel then saves the new microphone. Before
    # the one store, the audio save wrote the settings loaded at start: the account was gone.
    report, _ = run_window(data_dir, "add-then-audio")
    assert report["dialog_error"] == ""
    assert report["accounts"] == ["work (default)"]
    # Restart: load the settings again, as the next start does.
    report, _ = run_window(data_dir, "look")
    assert report["accounts"] == ["work (default)"]
    assert report["menus"][-2:] == ["Flows", "Help"]  # the app mounts the Flows menu
    saved = json.loads((data_dir / "settings.json").read_text())
    assert saved["audio"]["capture_device"] == "USB Headset Mic"
    assert [a["name"] for a in saved["accounts"]] == ["work"]


def test_window_opens_on_settings_that_are_not_utf8(data_dir):
    broken = b'{"accounts": [{"name": "J\xf6rg"}]}'  # Latin-1, not UTF-8
    (data_dir / "settings.json").write_bytes(broken)
    report, _ = run_window(data_dir, "look")
    assert report["accounts"] == []
    assert "not UTF-8" in report["status"]
    copies = list(data_dir.glob("settings.broken-*.json"))
    assert [c.read_bytes() for c in copies] == [broken]  # set aside byte for byte
    assert not (data_dir / "settings.json").exists() or json.loads(
        (data_dir / "settings.json").read_text())["accounts"] == []


def test_one_bad_account_is_skipped_and_the_others_shown(data_dir):
    good = {"name": "good", "user": "alice", "domain": "127.0.0.1", "registrar": "none",
            "has_password": False}
    bad = {"name": "bad", "user": "bob", "domain": "127.0.0.1", "reg_expiry_s": "soon"}
    (data_dir / "settings.json").write_text(json.dumps({"accounts": [good, bad]}))
    report, _ = run_window(data_dir, "look")
    assert report["accounts"] == ["good (default)"] or report["accounts"] == ["good"]
    assert "account 'bad' skipped (reg_expiry_s:" in report["status"]
    # The bad entry is not deleted behind the user's back: it stays in the file.
    kept = json.loads((data_dir / "settings.json").read_text())["accounts"]
    assert bad in kept
