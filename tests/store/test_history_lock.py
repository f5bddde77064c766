"""Another program holding the history's write lock (a real BEGIN IMMEDIATE from another
process): reads go on, a save is kept and written later, nothing is lost, only a real
migration waits long and says so."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest

import softphone.store.history as history_module
from softphone.model import CallDirection, CallStatus, HangupBy, HangupReason
from softphone.store import History, StoreError
from tests.peers.sipp import run_uas
from tests.softphone_cli import StderrWatcher, history_json, run_cli, start_cli
from tests.store.helpers import HeldLock, live_call
from tests.test_history_store import make_call, write_v1

OUT = CallDirection.OUTGOING


def _ended(call):
    done = call.model_copy(deep=True)
    done.end(HangupBy.REMOTE, HangupReason.NORMAL)
    return done


def test_reads_never_wait_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History.open(path) as h:
        h.save_many([make_call(n) for n in range(3)])
    with HeldLock(path):
        started = time.monotonic()
        with History.open(path) as h:
            assert h.count() == 3 and len(h.list(search="8210000")) == 3
        assert time.monotonic() - started < 3.0  # (a write would wait 5 s, a migration 600)


def test_a_save_under_a_held_lock_is_kept_and_written_once_free(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "h.sqlite3"
    call = live_call(OUT, CallStatus.PROGRESSING)
    with History.open(path) as h, caplog.at_level(logging.WARNING, "softphone.store.history"):
        with HeldLock(path):
            started = time.monotonic()
            h.save(call)  # waits a little, then keeps the change: no error, the call goes on
            first = time.monotonic() - started
            assert history_module.SAVE_WAIT_S <= first < history_module.SAVE_WAIT_S + 3.0
            started = time.monotonic()
            h.save(_ended(call))  # the lock is still held: no second wait
            assert time.monotonic() - started < 0.5
            assert h.pending == 1
            with History.open(path, recover=False) as reader:
                assert reader.get(call.id) is None  # not on disk yet
        h.save(make_call(7))  # the next save writes what was kept
        assert h.pending == 0
        entry = h.get(call.id)
        assert entry is not None and entry.call.status is CallStatus.HANGUP
        assert h.count() == 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum("locked by another program" in w for w in warnings) == 1, warnings


def test_close_under_a_held_lock_keeps_the_calls_beside_the_history(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    call = _ended(live_call(OUT, CallStatus.PROGRESSING))
    with HeldLock(_created(path)):
        h = History.open(path)
        h.save(call)
        with pytest.raises(StoreError) as error:
            h.close()
    message = str(error.value)
    assert "\n" not in message and "locked" in message and "next start" in message
    (kept,) = path.parent.glob("h.sqlite3.unsaved-*.json")
    assert str(kept) in message
    with History.open(path) as h:  # the lock is free: the kept call is taken in
        entry = h.get(call.id)
        assert entry is not None and entry.call == call
    assert not list(path.parent.glob("h.sqlite3.unsaved-*"))


def _created(path: Path) -> Path:
    History.open(path).close()
    return path


def test_delete_under_a_held_lock_fails_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    call = make_call(1)
    with History.open(path) as h:
        h.save(call)
        with HeldLock(path), pytest.raises(StoreError, match="another program keeps it locked"):
            h.delete([call.id])
        assert h.count() == 1


# -- the commands ----------------------------------------------------------------------


def test_history_command_answers_while_locked(data_dir: Path) -> None:
    path = data_dir / "history.sqlite3"
    with History.open(path) as h:
        h.save_many([make_call(n) for n in range(3)])
    with HeldLock(path):
        for options in (["--json"], ["--csv"], []):
            started = time.monotonic()
            result = run_cli("history", *options, data_dir=data_dir, timeout=30)
            assert result.returncode == 0, result.explain()
            assert time.monotonic() - started < 10
            assert result.stderr == "", result.explain()
        assert len(json.loads(run_cli("history", "--json", data_dir=data_dir).stdout)) == 3


@pytest.mark.sip
def test_call_under_a_held_lock_is_placed_and_kept_for_later(data_dir: Path) -> None:
    path = _created(data_dir / "history.sqlite3")
    with run_uas("uas_answer_bye") as peer, HeldLock(path):
        result = run_cli("call", peer.uri(), "--audio", "null", "--bind", "127.0.0.1:0",
                         data_dir=data_dir, timeout=60)
        peer.assert_success(timeout=10)  # the call really happened
    assert result.returncode == 1, result.explain()
    assert "Traceback" not in result.stderr
    assert "hangup_by=remote  hangup_reason=normal" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("softphone: error")]
    assert len(errors) == 1 and "next start" in errors[0], result.explain()
    (call,) = history_json(data_dir)  # the lock is free now: nothing was lost
    assert (call["status"], call["hangup_by"], call["hangup_reason"]) == (
        "hangup", "remote", "normal")


@pytest.mark.sip
def test_lock_freed_during_the_call_gets_the_call_saved(data_dir: Path) -> None:
    path = _created(data_dir / "history.sqlite3")
    with run_uas("uas_answer_wait") as peer:
        lock = HeldLock(path)
        try:
            proc = start_cli("call", peer.uri(), "--audio", "null", "--bind", "127.0.0.1:0",
                             "--hangup-after", "3", data_dir=data_dir)
            log = StderrWatcher(proc)
            log.wait_for("progressing", timeout=20)
        finally:
            lock.release()
        assert proc.stdout is not None
        out = proc.stdout.read()  # the stderr pipe is the watcher's
        proc.wait(timeout=30)
    assert proc.returncode == 0, out + log.text()
    (call,) = history_json(data_dir)
    assert (call["status"], call["hangup_by"], call["hangup_reason"]) == (
        "hangup", "local", "normal")


def test_migration_waits_for_the_lock_and_says_so(data_dir: Path) -> None:
    path = data_dir / "history.sqlite3"
    write_v1(path, [make_call(n) for n in range(2)])
    with HeldLock(path) as lock:
        proc = start_cli("history", "--json", data_dir=data_dir)
        log = StderrWatcher(proc)
        line = log.wait_for("waiting for another softphone to finish upgrading the history",
                            timeout=15)
        assert proc.poll() is None, line  # it waits (the lock is still held)
        lock.release()
        assert proc.stdout is not None
        out = proc.stdout.read()
        proc.wait(timeout=30)
    assert proc.returncode == 0, log.text()
    assert len(json.loads(out)) == 2


def test_unreadable_kept_calls_stay_on_disk_and_the_rest_are_taken_in(tmp_path: Path) -> None:
    path = _created(tmp_path / "h.sqlite3")
    calls = [_ended(live_call(OUT, CallStatus.PROGRESSING)) for _ in range(2)]
    for call in calls:  # two runs that each closed under a held lock
        with HeldLock(path):
            h = History.open(path)
            h.save(call)
            with pytest.raises(StoreError):
                h.close()
    first, second = sorted(path.parent.glob("h.sqlite3.unsaved-*.json"))
    first.write_text("[{", encoding="utf-8")  # damaged: never thrown away unread
    with History.open(path) as h:
        assert h.get(calls[0].id) is None
        entry = h.get(calls[1].id)
        assert entry is not None and entry.call == calls[1]
    assert first.exists() and not second.exists()
