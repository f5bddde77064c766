"""The settings store on its own: one owner, section updates, announcements, atomic writes,
and changes another process made kept rather than overwritten."""

from __future__ import annotations

import errno
import json
import os

import pytest

from softphone.model.account import AccountSettings
from softphone.store import SettingsStore, StoreError
from softphone.store.settings import AudioSettings, CallSettings

WORK = AccountSettings(name="work", user="alice", domain="127.0.0.1")


def test_updates_are_written_and_announced_with_what_changed(tmp_path):
    path = tmp_path / "settings.json"
    store = SettingsStore.open(path)
    heard: list[frozenset[str]] = []
    unsubscribe = store.subscribe(lambda settings, changed: heard.append(changed))
    store.put_account(WORK)
    store.update(audio=AudioSettings(capture_device="USB Mic"))
    store.update(audio=AudioSettings(capture_device="USB Mic"))  # no change: no announcement
    assert heard == [frozenset({"accounts", "default_account"}), frozenset({"audio"})]
    unsubscribe()
    store.update(calls=CallSettings(do_not_disturb=True))
    assert len(heard) == 2
    again = SettingsStore.open(path).settings
    assert again.account("work") == WORK
    assert again.audio.capture_device == "USB Mic" and again.calls.do_not_disturb


def test_an_unknown_section_is_a_programming_error(tmp_path):
    with pytest.raises(TypeError, match="no_such"):
        SettingsStore.open(tmp_path / "settings.json").update(no_such=1)


def test_a_change_written_by_another_process_is_kept(tmp_path):
    path = tmp_path / "settings.json"
    window = SettingsStore.open(path)  # the window, open all day
    SettingsStore.open(path).put_account(WORK)  # `softphone account add` meanwhile
    window.update(window_geometry="AAAA")  # the window saves its layout
    saved = SettingsStore.open(path).settings
    assert saved.account("work") == WORK and saved.window_geometry == "AAAA"
    assert window.settings.account("work") == WORK


def test_a_failed_write_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "settings.json"
    store = SettingsStore.open(path)
    store.put_account(WORK)
    before = path.read_bytes()
    heard: list[frozenset[str]] = []
    store.subscribe(lambda settings, changed: heard.append(changed))
    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    # The disk fills up as the new file is flushed (a CLI test does it with a real tmpfs).
    monkeypatch.setattr("softphone.store.settings.os.fsync", disk_full)
    with pytest.raises(StoreError, match="No space left on device"):
        store.update(calls=CallSettings(auto_answer=True))
    assert not store.settings.calls.auto_answer and heard == []
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.json"]


def test_sections_a_newer_version_wrote_are_written_back(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"theme": {"dark": true}, "accounts": []}')
    SettingsStore.open(path).put_account(WORK)
    saved = json.loads(path.read_text())
    assert saved["theme"] == {"dark": True} and saved["accounts"][0]["name"] == "work"
