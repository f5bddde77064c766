"""Recovery: calls left live by a process that died are ended at the next open, the way
DESIGN.md's "Recovery" says, and their recordings play; live processes' calls are never
touched. The processes here are real (they save, then die or keep running)."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import wave
from pathlib import Path
from uuid import uuid4

import pytest

import softphone.store.history as history_module
from softphone.model import CallDirection, CallStatus, HangupBy, HangupReason
from softphone.store import History
from softphone.store.owner import Owner, is_gone, this_process
from softphone.store.wav_repair import repair_wav
from tests.store.helpers import REPO, live_call, save_and_die, save_and_stay, unfinished_wav
from tests.test_history_store import write_v1

IN, OUT = CallDirection.INCOMING, CallDirection.OUTGOING

# direction, status at the crash, the reason recovery gives (hangup_by is always local)
CASES = [
    (OUT, CallStatus.DIALING, HangupReason.CANCEL),
    (OUT, CallStatus.RINGING, HangupReason.CANCEL),
    (OUT, CallStatus.CANCELING, HangupReason.CANCEL),
    (OUT, CallStatus.PROGRESSING, HangupReason.NORMAL),
    (OUT, CallStatus.TERMINATING, HangupReason.NORMAL),
    (IN, CallStatus.RINGING, HangupReason.NOANSWER),
    (IN, CallStatus.CANCELING, HangupReason.NOANSWER),
    (IN, CallStatus.PROGRESSING, HangupReason.NORMAL),
]


def test_calls_of_a_dead_process_are_ended_at_their_last_update(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    calls = [live_call(direction, status) for direction, status, _ in CASES]
    save_and_die(path, calls)
    with History.open(path) as h:
        for call, (direction, status, reason) in zip(calls, CASES, strict=True):
            entry = h.get(call.id)
            assert entry is not None
            got = entry.call
            case = f"{direction.value} {status.value}"
            assert (got.status, got.hangup_by, got.hangup_reason) == (
                CallStatus.HANGUP, HangupBy.LOCAL, reason), case
            assert got.tm_hangup == call.tm_update and got.tm_update == call.tm_update, case
            assert got.tm_progressing == call.tm_progressing, case
            assert entry.detail is not None and "interrupted" in entry.detail, case
            # The VoIPBIN JSON stays VoIPBIN's: the note is in the details only.
            assert "interrupted" not in got.model_dump_json(), case
            answered = call.tm_progressing is not None
            assert entry.talk_seconds == (
                pytest.approx(call.tm_update.seconds_since(call.tm_progressing))
                if answered else None), case
        assert h.count(reason=HangupReason.NORMAL) == 3


def test_calls_of_a_running_process_are_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    call = live_call(OUT, CallStatus.PROGRESSING)
    owner = save_and_stay(path, [call])
    try:
        with History.open(path) as h:
            assert h.recover() == 0
            entry = h.get(call.id)
            assert entry is not None and entry.call == call and entry.detail is None
    finally:
        assert owner.stdin is not None
        owner.stdin.close()
        owner.wait(timeout=30)
    # It exited without ending the call (as a crash would): now the call is ended.
    with History.open(path) as h:
        entry = h.get(call.id)
        assert entry is not None and entry.call.hangup_reason is HangupReason.NORMAL


def test_own_calls_are_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    call = live_call(IN, CallStatus.RINGING)
    with History.open(path) as window:
        window.save(call)
        with History.open(path) as cli:  # the window and a CLI command in one process
            assert cli.recover() == 0
            assert cli.list()[0].call.status is CallStatus.RINGING


def _insert_owned(path: Path, owner: Owner | None) -> str:
    """A live call whose row names ``owner`` (None: a row from before schema 3)."""
    call = live_call(OUT, CallStatus.PROGRESSING)
    with History.open(path, recover=False):
        pass
    row = history_module._row(call, None, None, owner or this_process())
    con = sqlite3.connect(path)
    with con:
        con.execute(history_module._UPSERT, row)
        if owner is None:
            con.execute("UPDATE calls SET owner_host = NULL, owner_pid = NULL, "
                        "owner_token = NULL WHERE id = ?", (str(call.id),))
    con.close()
    return str(call.id)


def _status(path: Path, key: str) -> str:
    con = sqlite3.connect(path)
    (status,) = con.execute("SELECT status FROM calls WHERE id = ?", (key,)).fetchone()
    con.close()
    return str(status)


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_a_reused_pid_is_not_taken_for_the_owner(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    me = this_process()
    assert me.token is not None
    # Our own pid, but another start time: a process that had our pid before us.
    *head, ticks = me.token.split(":")
    reused = _insert_owned(path, Owner(me.host, me.pid, ":".join([*head, str(int(ticks) - 1)])))
    History.open(path).close()
    assert _status(path, reused) == "hangup"


@pytest.mark.parametrize("owner", [
    pytest.param(lambda me: Owner("another-host.example", _dead_pid(), me.token), id="other-host"),
    pytest.param(lambda me: Owner(me.host, me.pid, None), id="live-pid-no-token"),
    pytest.param(lambda me: Owner(me.host, me.pid, "from-a-future-softphone"), id="unknown-token"),
    pytest.param(lambda me: None, id="written-before-schema-3"),
    pytest.param(
        lambda me: Owner(me.host, _dead_pid(),
                         "linux:pid:[1]:" + me.token.split(":", 3)[3]), id="other-pid-namespace"),
])
def test_rows_whose_owner_cannot_be_known_are_left_alone(tmp_path: Path, owner) -> None:
    path = tmp_path / "h.sqlite3"
    key = _insert_owned(path, owner(this_process()))
    History.open(path).close()
    assert _status(path, key) == "progressing"


def test_a_dead_pid_without_a_token_is_gone(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    key = _insert_owned(path, Owner(socket.gethostname(), _dead_pid(), None))
    History.open(path).close()
    assert _status(path, key) == "hangup"


def test_owner_after_a_reboot_is_gone() -> None:
    me = this_process()
    assert me.token is not None
    kind, ns_kind, ns_id, _boot, ticks = me.token.split(":")
    assert is_gone(Owner(me.host, me.pid, f"{kind}:{ns_kind}:{ns_id}:{uuid4()}:{ticks}"))
    assert not is_gone(me)


def test_psutil_path_tells_a_reused_pid_apart() -> None:
    """The Windows/macOS way (psutil's create_time), checked here on Linux."""
    import psutil

    token = f"psutil:{psutil.Process(os.getpid()).create_time()!r}"
    host = socket.gethostname()
    assert not is_gone(Owner(host, os.getpid(), token), use_proc=False)
    assert is_gone(Owner(host, os.getpid(), "psutil:1.0"), use_proc=False)
    assert is_gone(Owner(host, _dead_pid(), token), use_proc=False)
    assert not is_gone(Owner(host, os.getpid(), None), use_proc=False)


# -- recordings --------------------------------------------------------------------------


def test_a_dead_call_s_recording_plays_after_recovery(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    recordings = tmp_path / "custom-recordings"  # the dead process's folder, not ours
    recordings.mkdir()
    rid = uuid4()
    wav = recordings / f"20240501-100000_outgoing_bob_{rid}.wav"
    audio = unfinished_wav(wav, 1.5)
    with pytest.raises((wave.Error, EOFError)):
        wave.open(str(wav)).close()  # what a player sees before recovery
    save_and_die(path, [live_call(OUT, CallStatus.PROGRESSING, recording=rid)], recordings)
    History.open(path, recordings_dir=tmp_path / "ours").close()
    with wave.open(str(wav)) as w:
        assert (w.getnchannels(), w.getframerate(), w.getsampwidth()) == (1, 16000, 2)
        assert w.getnframes() == 24000
        assert w.readframes(w.getnframes()) == audio


def test_repair_leaves_finished_and_foreign_files_as_they_are(tmp_path: Path) -> None:
    finished = tmp_path / "done.wav"
    with wave.open(str(finished), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x01\x00" * 800)
    other = tmp_path / "notes.wav"
    other.write_bytes(b"not a wave file at all, " * 10)
    short = tmp_path / "short.wav"
    short.write_bytes(b"RIFF")
    for path in (finished, other, short):
        before = path.read_bytes()
        assert not repair_wav(path)
        assert path.read_bytes() == before


def test_repair_keeps_whole_frames_of_a_torn_write(tmp_path: Path) -> None:
    wav = tmp_path / "torn.wav"
    unfinished_wav(wav, 0.01)
    with wav.open("ab") as handle:
        handle.write(b"\x7f")  # half a sample: the write the kill interrupted
    assert repair_wav(wav)
    with wave.open(str(wav)) as w:
        assert w.getnframes() == 160
    assert not repair_wav(wav)  # once is enough


# -- never waiting, older files ----------------------------------------------------------


def test_recovery_never_waits_for_a_held_lock(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    call = live_call(IN, CallStatus.PROGRESSING)
    save_and_die(path, [call])
    holder = subprocess.Popen(
        [sys.executable, str(REPO / "tests/store/lock_holder.py"), str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with History.open(path) as h:
            entry = h.get(call.id)
            assert entry is not None and entry.call.status is CallStatus.PROGRESSING
        assert time.monotonic() - started < 3.0  # a write would wait 5 s
    finally:
        holder.communicate("\n", timeout=30)
    with History.open(path) as h:  # the lock is free: the next open does the work
        entry = h.get(call.id)
        assert entry is not None and entry.call.status is CallStatus.HANGUP


def test_old_files_gain_owners_and_their_live_rows_stay(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    old = live_call(OUT, CallStatus.PROGRESSING)  # written by a softphone that kept no owner
    write_v1(path, [old])
    with History.open(path) as h:
        entry = h.get(old.id)
        assert entry is not None and entry.call.status is CallStatus.PROGRESSING
        new = live_call(IN, CallStatus.RINGING)
        h.save(new)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == history_module.SCHEMA_VERSION
    (pid,) = con.execute("SELECT owner_pid FROM calls WHERE id = ?", (str(new.id),)).fetchone()
    assert pid == os.getpid()
    plan = " ".join(str(r) for r in con.execute(f"EXPLAIN QUERY PLAN {history_module._SELECT_LIVE}"))
    assert "calls_live" in plan  # recovery reads only the live rows, not the whole history
    con.close()
