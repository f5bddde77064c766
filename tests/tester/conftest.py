"""Helpers for the number tester's tests: a list file, the report opened in Chromium."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def write_list(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["target", "label", "expect"])
        writer.writeheader()
        for row in rows:
            writer.writerow({"label": "", "expect": "", **row})
    return path


def chromium_dom(page: Path, tmp_path: Path) -> str:
    """The page as headless Chromium renders it (offline: no network, a fresh profile)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed")
    profile = tmp_path / "chromium-profile"
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--dump-dom", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=90,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout
