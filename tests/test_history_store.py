"""The history store (softphone/store): data folders and the SQLite call history."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from uuid import UUID, uuid4

import platformdirs
import pytest

import softphone.store.history as history_module
from softphone.model import (
    Address,
    AddressType,
    Call,
    CallDirection,
    CallStatus,
    HangupBy,
    HangupReason,
    Timestamp,
)
from softphone.store import (
    DATA_DIR_ENV,
    SCHEMA_VERSION,
    CallDiagnostics,
    DataDirs,
    History,
    HistoryEntry,
    StoreError,
    resolve_data_dirs,
)

DATA = Path(__file__).resolve().parent / "data"
REPO = Path(__file__).resolve().parents[1]
SEED_ID = UUID("d9d32881-12fd-4b19-a6b2-6d5b6b6acf76")


def seed_json() -> str:
    return (DATA / "voipbin_call_example.json").read_text(encoding="utf-8")


def seed_call() -> Call:
    return Call.model_validate_json(seed_json())


def make_call(
    n: int,
    *,
    direction: CallDirection = CallDirection.OUTGOING,
    reason: HangupReason = HangupReason.NORMAL,
    remote: str | None = None,
    remote_name: str = "",
    tm_create_ns: int | None = None,
) -> Call:
    """A finished call whose far end is ``remote``, created ``n`` seconds after a base time."""
    base = Timestamp.parse("2024-03-01 09:00:00").ns
    far = Address(
        type=AddressType.TEL, target=remote or f"+8210000{n:05d}", name=remote_name
    )
    near = Address(type=AddressType.SIP, target="sip:me@example.org")
    outgoing = direction is CallDirection.OUTGOING
    return Call(
        id=uuid4(),
        direction=direction,
        source=near if outgoing else far,
        destination=far if outgoing else near,
        status=CallStatus.HANGUP,
        hangup_by=HangupBy.REMOTE,
        hangup_reason=reason,
        tm_create=Timestamp(base + n * 1_000_000_000 if tm_create_ns is None else tm_create_ns),
    )


@pytest.fixture
def history(tmp_path: Path):
    h = History.open(tmp_path / "history.sqlite3")
    yield h
    h.close()


def ids(entries: list[HistoryEntry]) -> list[UUID]:
    return [e.call.id for e in entries]


# -- data folders -----------------------------------------------------------------------


def test_data_dirs_layout(tmp_path: Path) -> None:
    dirs = DataDirs(tmp_path / "d")
    assert dirs.history_db == tmp_path / "d" / "history.sqlite3"
    assert dirs.recordings == tmp_path / "d" / "recordings"
    assert dirs.settings_file == tmp_path / "d" / "settings.json"
    assert dirs.logs == tmp_path / "d" / "logs"
    with pytest.raises(AttributeError):
        dirs.root = tmp_path  # type: ignore[misc]


def test_ensure_creates_folders_with_parents(tmp_path: Path) -> None:
    dirs = DataDirs(tmp_path / "a" / "b" / "softphone")
    assert dirs.ensure() is dirs
    assert dirs.root.is_dir()
    assert dirs.recordings.is_dir()
    assert dirs.logs.is_dir()
    dirs.ensure()  # a second time is harmless


def test_ensure_inside_a_file_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(StoreError) as err:
        DataDirs(blocker / "softphone").ensure()
    message = str(err.value)
    assert message.startswith(f"cannot create the data folder {blocker / 'softphone'}: ")
    assert "\n" not in message


def test_ensure_with_a_file_in_place_of_the_folder(tmp_path: Path) -> None:
    (tmp_path / "softphone").write_text("x")
    with pytest.raises(StoreError, match="a file with that name exists"):
        DataDirs(tmp_path / "softphone").ensure()


def test_resolve_explicit_wins(tmp_path: Path) -> None:
    env = {DATA_DIR_ENV: str(tmp_path / "from-env")}
    assert resolve_data_dirs(tmp_path / "explicit", env).root == tmp_path / "explicit"
    assert resolve_data_dirs(str(tmp_path / "explicit"), env).root == tmp_path / "explicit"


def test_resolve_env_next(tmp_path: Path) -> None:
    env = {DATA_DIR_ENV: str(tmp_path / "from-env")}
    assert resolve_data_dirs(None, env).root == tmp_path / "from-env"
    assert resolve_data_dirs("", env).root == tmp_path / "from-env"


def test_resolve_platformdirs_last(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    expected = platformdirs.user_data_path("softphone", appauthor=False)
    assert resolve_data_dirs(None, {}).root == expected.absolute()
    assert resolve_data_dirs(None, {DATA_DIR_ENV: ""}).root == expected.absolute()
    # The default env is the real environment.
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "real-env"))
    assert resolve_data_dirs(None).root == tmp_path / "real-env"


def test_resolve_expands_home_and_makes_absolute(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_data_dirs("~/sp", {}).root == tmp_path / "sp"
    monkeypatch.chdir(tmp_path)
    assert resolve_data_dirs("rel", {}).root == tmp_path / "rel"


# -- saving and reading -----------------------------------------------------------------


def test_seed_call_round_trips(history: History) -> None:
    call = seed_call()
    history.save(call)
    entry = history.get(SEED_ID)
    assert entry is not None
    assert entry.call == call
    assert json.loads(entry.call.model_dump_json()) == json.loads(seed_json())
    assert entry.call.action.tm_execute == Timestamp.parse("2022-05-01 15:10:38.785510878")
    assert entry.sip_code is None
    # 15:10:38.721 answered, 15:10:44.781 hung up.
    assert entry.talk_seconds == pytest.approx(6.06)
    # The id may be given as text, in any case.
    assert history.get(str(SEED_ID).upper()) == entry
    assert history.get(uuid4()) is None
    assert history.get("not-a-uuid") is None


def test_indexed_columns_hold_the_calls_fields(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History.open(path) as h:
        h.save(seed_call(), CallDiagnostics(sip_code=200, sip_reason="OK"))
    with sqlite3.connect(path) as con:
        row = con.execute(
            "SELECT tm_create, tm_create_ns, direction, status, hangup_by, hangup_reason, "
            "source_target, destination_target, remote_target, remote_name, sip_code "
            "FROM calls WHERE id = ?",
            (str(SEED_ID),),
        ).fetchone()
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    assert row == (
        "2022-05-01 15:10:23.414798",
        Timestamp.parse("2022-05-01 15:10:23.414798").ns,
        "outgoing",
        "hangup",
        "local",
        "normal",
        "+821028286521",
        "+821021656521",
        "+821021656521",  # outgoing: the far end is the destination
        "",
        200,
    )


def test_unset_tm_create_sorts_as_zero(history: History) -> None:
    dated = make_call(1)
    undated = make_call(2)
    undated.tm_create = None
    history.save_many([undated, dated])
    assert ids(history.list()) == [dated.id, undated.id]
    got = history.get(undated.id)
    assert got is not None and got.call.tm_create is None


def test_upsert_keeps_one_row_and_the_latest_status(history: History) -> None:
    call = make_call(1)
    call.status = CallStatus.DIALING
    call.hangup_reason = HangupReason.NONE
    call.hangup_by = HangupBy.NONE
    history.save(call)
    call.move_to(CallStatus.RINGING)
    history.save(call)
    call.move_to(CallStatus.PROGRESSING)
    history.save(call)
    call.end(HangupBy.LOCAL, HangupReason.NORMAL)
    history.save(call)
    assert history.count() == 1
    entry = history.get(call.id)
    assert entry is not None
    assert entry.call.status is CallStatus.HANGUP
    assert entry.call.hangup_by is HangupBy.LOCAL
    assert entry.call == call
    assert entry.talk_seconds is not None and entry.talk_seconds >= 0.0
    assert history.list(reason=HangupReason.NORMAL)[0].call.status is CallStatus.HANGUP


def test_talk_seconds_unset_while_the_call_is_up(history: History) -> None:
    call = make_call(1)
    call.status = CallStatus.PROGRESSING
    call.tm_progressing = Timestamp.now()
    history.save(call)
    entry = history.get(call.id)
    assert entry is not None and entry.talk_seconds is None


def test_diagnostics_survive_a_later_save_without_them(history: History) -> None:
    call = make_call(1)
    history.save(
        call,
        CallDiagnostics(
            sip_code=486,
            sip_reason="Busy Here",
            user_agent="baresip 3.0",
            post_dial_delay_ms=120,
            call_id_header="abc@host",
            detail="the far end was busy",
        ),
    )
    history.save(call)
    history.save(call, None)
    history.save(call, CallDiagnostics(sip_reason="Busy Everywhere"))  # a partial update
    entry = history.get(call.id)
    assert entry is not None
    assert entry.diagnostics == CallDiagnostics(
        sip_code=486,
        sip_reason="Busy Everywhere",
        user_agent="baresip 3.0",
        post_dial_delay_ms=120,
        call_id_header="abc@host",
        detail="the far end was busy",
    )
    assert entry.sip_code == 486
    assert entry.detail == "the far end was busy"
    assert entry.user_agent == "baresip 3.0"


# -- listing ----------------------------------------------------------------------------


@pytest.fixture
def populated(history: History) -> dict[str, Call]:
    calls = {
        "out_normal": make_call(1, remote="+821021656521", remote_name="Sungtae"),
        "in_busy": make_call(2, direction=CallDirection.INCOMING, reason=HangupReason.BUSY,
                             remote="sip:alice@example.com", remote_name="Alice Ödegaard"),
        "out_noanswer": make_call(3, reason=HangupReason.NOANSWER, remote="sip:100%off@shop.test"),
        "in_cancel": make_call(4, direction=CallDirection.INCOMING, reason=HangupReason.CANCEL,
                               remote="sip:bob_smith@example.com"),
        "out_failed": make_call(5, reason=HangupReason.FAILED, remote="sip:bobXsmith@example.com"),
    }
    history.save_many(calls.values())
    return calls


def test_list_is_newest_first(history: History, populated: dict[str, Call]) -> None:
    assert ids(history.list()) == [
        populated[k].id for k in ("out_failed", "in_cancel", "out_noanswer", "in_busy",
                                   "out_normal")
    ]


def test_order_follows_tm_create_not_saving_order(history: History) -> None:
    late, early, middle = make_call(30), make_call(10), make_call(20)
    history.save(late)
    history.save_many([early, middle])
    assert ids(history.list()) == [late.id, middle.id, early.id]
    assert ids(history.list(1, 1)) == [middle.id]


def test_equal_times_fall_back_to_insertion_order(history: History) -> None:
    first, second, third = (make_call(0, tm_create_ns=5) for _ in range(3))
    history.save(first)
    history.save(second)
    history.save(third)
    history.save(first)  # an update keeps the row's place
    assert ids(history.list()) == [third.id, second.id, first.id]


def test_filter_by_direction(history: History, populated: dict[str, Call]) -> None:
    incoming = history.list(direction=CallDirection.INCOMING)
    assert ids(incoming) == [populated["in_cancel"].id, populated["in_busy"].id]
    assert history.count(direction=CallDirection.INCOMING) == 2
    assert history.count(direction=CallDirection.OUTGOING) == 3


def test_filter_by_reason(history: History, populated: dict[str, Call]) -> None:
    assert ids(history.list(reason=HangupReason.BUSY)) == [populated["in_busy"].id]
    assert history.count(reason=HangupReason.TIMEOUT) == 0
    assert history.list(reason=HangupReason.TIMEOUT) == []
    assert history.count(direction=CallDirection.OUTGOING, reason=HangupReason.BUSY) == 0


def test_search_matches_targets_and_names(history: History, populated: dict[str, Call]) -> None:
    assert ids(history.list(search="ALICE")) == [populated["in_busy"].id]  # case-insensitive
    assert ids(history.list(search="ödegaard")) == [populated["in_busy"].id]  # beyond ASCII
    assert ids(history.list(search="sungtae")) == [populated["out_normal"].id]  # remote_name
    assert ids(history.list(search="1656")) == [populated["out_normal"].id]
    # The near end (source of outgoing calls) is searchable too.
    assert history.count(search="me@example.org") == 5
    assert history.count(search="nobody") == 0


def test_search_treats_like_wildcards_literally(
    history: History, populated: dict[str, Call]
) -> None:
    assert ids(history.list(search="100%off")) == [populated["out_noanswer"].id]
    assert ids(history.list(search="%")) == [populated["out_noanswer"].id]
    # "_" must not match the "X" of bobXsmith.
    assert ids(history.list(search="bob_smith")) == [populated["in_cancel"].id]
    assert history.count(search="_") == 1
    assert history.count(search="\\") == 0


def test_search_combines_with_filters(history: History, populated: dict[str, Call]) -> None:
    assert history.count(search="example.com") == 3
    found = history.list(search="example.com", direction=CallDirection.OUTGOING)
    assert ids(found) == [populated["out_failed"].id]


def test_paging(history: History) -> None:
    calls = [make_call(n) for n in range(25)]
    history.save_many(calls)
    newest_first = [c.id for c in reversed(calls)]
    assert ids(history.list(10, 0)) == newest_first[0:10]
    assert ids(history.list(10, 10)) == newest_first[10:20]
    assert ids(history.list(10, 20)) == newest_first[20:25]
    assert history.list(10, 30) == []
    assert history.list(0) == []
    assert history.count() == 25
    with pytest.raises(ValueError):
        history.list(-1)


def test_delete(history: History, populated: dict[str, Call]) -> None:
    gone = [populated["in_busy"].id, str(populated["out_failed"].id), uuid4(), "junk"]
    assert history.delete(gone) == 2
    assert history.get(populated["in_busy"].id) is None
    assert history.count() == 3
    assert history.delete([]) == 0
    assert history.delete([populated["in_busy"].id]) == 0


def test_save_many_with_diagnostics(history: History) -> None:
    a, b = make_call(1), make_call(2)
    assert history.save_many([(a, CallDiagnostics(sip_code=404)), b]) == 2
    got_a, got_b = history.get(a.id), history.get(b.id)
    assert got_a is not None and got_a.sip_code == 404
    assert got_b is not None and got_b.sip_code is None


def test_save_many_is_all_or_nothing(history: History) -> None:
    class Boom(Exception):
        pass

    def calls():
        yield make_call(1)
        raise Boom

    with pytest.raises(Boom):
        history.save_many(calls())
    assert history.count() == 0


# -- damage and failures ----------------------------------------------------------------


def test_corrupt_row_is_skipped_in_list(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "h.sqlite3"
    good1, bad, good2 = make_call(1), make_call(2), make_call(3)
    with History.open(path) as h:
        h.save_many([good1, bad, good2])
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE calls SET call_json = '{not json' WHERE id = ?", (str(bad.id),))
    con.close()
    with History.open(path) as h, caplog.at_level(logging.WARNING, "softphone.store.history"):
        assert ids(h.list()) == [good2.id, good1.id]
        assert h.count() == 3  # the row is still there, only unreadable
        with pytest.raises(StoreError, match=f"{bad.id}.*damaged"):
            h.get(bad.id)
    assert any(str(bad.id) in r.getMessage() for r in caplog.records)


def test_unwritable_path_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")
    target = blocker / "data" / "history.sqlite3"
    with pytest.raises(StoreError) as err:
        History.open(target)
    assert str(target) in str(err.value)
    assert "\n" not in str(err.value)


def test_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not SQLite, just text that is long enough" * 100)
    with pytest.raises(StoreError, match=f"cannot open the call history {path}: .*not a database"):
        History.open(path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    History.open(path).close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.close()
    with pytest.raises(StoreError, match="newer softphone"):
        History.open(path)


def test_failed_write_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    h = History.open(path)
    con = sqlite3.connect(path)
    con.execute("DROP TABLE calls")  # a write that SQLite itself rejects
    con.close()
    with pytest.raises(StoreError, match=f"cannot write to the call history {path}: "):
        h.save(make_call(1))
    h.close()


def test_closed_history_is_a_store_error(tmp_path: Path) -> None:
    h = History.open(tmp_path / "h.sqlite3")
    h.close()
    h.close()  # twice is fine
    with pytest.raises(StoreError, match="closed"):
        h.save(make_call(1))
    with pytest.raises(StoreError, match="closed"):
        h.list()


def test_open_creates_missing_parent_folders(tmp_path: Path) -> None:
    path = tmp_path / "x" / "y" / "history.sqlite3"
    with History.open(path) as h:
        h.save(make_call(1))
    assert path.is_file()


# -- several users of one file ----------------------------------------------------------


def test_two_histories_on_one_file(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    window, cli = History.open(path), History.open(path)
    try:
        a, b = make_call(1), make_call(2)
        window.save(a)
        cli.save(b, CallDiagnostics(sip_code=486))
        a.status = CallStatus.HANGUP
        window.save(a, CallDiagnostics(user_agent="peer"))
        assert set(ids(window.list())) == {a.id, b.id}
        assert ids(cli.list()) == [b.id, a.id]
        got = cli.get(a.id)
        assert got is not None and got.user_agent == "peer"
        assert window.delete([b.id]) == 1
        assert cli.count() == 1
    finally:
        window.close()
        cli.close()


_WRITER = textwrap.dedent(
    """
    import sys, uuid
    from softphone.model import Call, CallDirection, Timestamp
    from softphone.store import History
    path, n = sys.argv[1], int(sys.argv[2])
    with History.open(path) as h:
        for i in range(n):
            c = Call(id=uuid.uuid4(), direction=CallDirection.OUTGOING, tm_create=Timestamp.now())
            h.save(c)
            h.list(5)
    """
)


def test_processes_writing_at_once(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"  # not created yet: the processes race to create it
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), "150"], env=env,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with History.open(path) as h:
        assert h.count() == 450


_OPENER = textwrap.dedent(
    """
    import sys, time
    from softphone.store import History
    path, start = sys.argv[1], float(sys.argv[2])
    while time.time() < start:  # every opener starts at the same instant
        pass
    History.open(path).close()
    """
)


def test_programs_opening_a_new_history_at_the_same_instant_all_succeed(tmp_path: Path) -> None:
    # Switching a fresh file to WAL fails at once while another opener holds it (SQLite
    # calls no busy handler there): 4 of 90 openers, six at a time, failed before the retry.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for round_ in range(4):
        path = tmp_path / f"h{round_}.sqlite3"
        start = time.time() + 1.0  # past the interpreters' start-up
        procs = [subprocess.Popen([sys.executable, "-c", _OPENER, str(path), str(start)],
                                  env=env, stderr=subprocess.PIPE, text=True)
                 for _ in range(6)]
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err


# -- the search index (schema 2) --------------------------------------------------------

# The schema-1 DDL, as it was released: the migration tests start from it.
V1_DDL = (
    """
    CREATE TABLE calls (
        id                 TEXT PRIMARY KEY NOT NULL,
        tm_create          TEXT NOT NULL,
        tm_create_ns       INTEGER NOT NULL,
        direction          TEXT NOT NULL,
        status             TEXT NOT NULL,
        hangup_by          TEXT NOT NULL,
        hangup_reason      TEXT NOT NULL,
        source_target      TEXT NOT NULL,
        destination_target TEXT NOT NULL,
        remote_target      TEXT NOT NULL,
        remote_name        TEXT NOT NULL,
        search_key         TEXT NOT NULL,
        sip_code           INTEGER NULL,
        sip_reason         TEXT NULL,
        user_agent         TEXT NULL,
        post_dial_delay_ms INTEGER NULL,
        call_id_header     TEXT NULL,
        detail             TEXT NULL,
        talk_seconds       REAL NULL,
        call_json          TEXT NOT NULL
    )
    """,
    "CREATE INDEX calls_tm_create ON calls (tm_create_ns)",
    "CREATE INDEX calls_direction ON calls (direction, tm_create_ns)",
    "CREATE INDEX calls_hangup_reason ON calls (hangup_reason, tm_create_ns)",
    "CREATE INDEX calls_remote_target ON calls (remote_target)",
)
V1_COLUMNS = (
    "id, tm_create, tm_create_ns, direction, status, hangup_by, hangup_reason, source_target, "
    "destination_target, remote_target, remote_name, search_key, sip_code, sip_reason, "
    "user_agent, post_dial_delay_ms, call_id_header, detail, talk_seconds, call_json"
)
SEARCH_TRIGGERS = {"calls_search_insert", "calls_search_delete", "calls_search_update"}


def v1_search_key(call: Call) -> str:
    """search_key exactly as schema-1 softphones wrote it."""
    remote = call.remote
    fields = (remote.target, remote.name, call.source.target, call.destination.target)
    return "\x1f".join(f.replace("\x1f", " ").casefold() for f in fields)


def write_v1(path: Path, calls: list[Call]) -> None:
    """A schema-1 history file holding ``calls`` (the rows as schema 1 stored them)."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("BEGIN")
    for statement in V1_DDL:
        con.execute(statement)
    con.executemany(
        f"INSERT INTO calls ({V1_COLUMNS}) VALUES ({', '.join('?' * 20)})",
        [
            (str(c.id), str(c.tm_create), c.tm_create.ns if c.tm_create else 0,
             c.direction.value, c.status.value, c.hangup_by.value, c.hangup_reason.value,
             c.source.target, c.destination.target, c.remote.target, c.remote.name,
             v1_search_key(c), None, None, None, None, None, None, None, c.model_dump_json())
            for c in calls
        ],
    )
    con.execute("PRAGMA user_version = 1")
    con.execute("COMMIT")
    con.close()


def no_fts5(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make History believe this SQLite was built without FTS5."""
    monkeypatch.setattr(history_module, "_fts5_trigram_available", lambda conn: False)


def index_rows(path: Path, text: str) -> set[str]:
    """The call ids the FTS index itself (no verification) offers for ``text``."""
    con = sqlite3.connect(path)
    try:
        rows = con.execute(
            "SELECT calls.id FROM calls_search JOIN calls ON calls.rowid = calls_search.rowid "
            "WHERE calls_search MATCH ?",
            ('"' + text.casefold().replace('"', '""') + '"',),
        ).fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


def assert_index_in_step(path: Path) -> None:
    con = sqlite3.connect(path)
    try:
        # FTS5 compares the index with the content table (raises on any difference).
        con.execute("INSERT INTO calls_search (calls_search) VALUES ('integrity-check')")
        indexed = con.execute("SELECT count(*) FROM calls_search_docsize").fetchone()[0]
        assert indexed == con.execute("SELECT count(*) FROM calls").fetchone()[0]
        triggers = {r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert triggers == SEARCH_TRIGGERS
    finally:
        con.close()


VARIED = [
    # (remote target, remote name)
    ("+821021656521", "Sungtae"),
    ("+821021656522", ""),
    ("+14155550123", "Straße Müller"),  # ß casefolds to "ss"
    ("sip:alice@example.com", "Alice Ödegaard"),
    ("sip:ALICE@EXAMPLE.COM", "ALICE ÖDEGAARD"),
    ("sip:100%off@shop.test", "Sale 100%"),
    ("sip:bob_smith@example.com", "Bob_Smith"),
    ("sip:bobXsmith@example.com", "Bob X"),
    ("sip:back\\slash@example.com", "Back\\Slash"),
    ("tel:5550", "ΣΊΣΥΦΟΣ Σίσυφος"),  # Greek final sigma
    ("sip:istanbul@example.tr", "\u0130stanbul \u0131i"),  # dotted capital I, dotless i
    ("sip:kelvin@example.org", "\u212a Kelvin ǅemal"),  # Kelvin sign, titlecase digraph
    ("sip:quote@example.org", 'say "hi" now'),
    ("sip:emoji@example.org", "Pizza 🍕 place"),
    ("sip:cjk@example.jp", "山田太郎"),
    ("sip:fullwidth@example.jp", "\uff21\uff22\uff23 Corp"),
]
QUERIES = [
    # 1 and 2 characters: always the LIKE scan.
    "5", "a", "Ö", "%", "_", "\\", "ß", "ss", "%o", "_s", "🍕", "山田", "Σ", "ς",
    # 3 characters: the shortest the index answers.
    "555", "ALI", "öde", "ÖDE", "100", "0%o", "b_s", "k\\s", "ssé", "ss ", "σίσ", "σος",
    "\u0131i", "i̇st", "kel", "\u212ake", "k k", '"hi', '"', "\uff41\uff42\uff43", "\uff42\uff43 ", "山田太", "🍕 p",
    "sip", "com", "xyz", "b%s", "%%%", "___", " x ", "\x1fsi",
    # 10 characters.
    "1021656521", "alice@exam", "STRASSE MÜ", "100%off@sh", "bob_smith@", "σίσυφος",
    "ödegaard", "k kelvin ǆ", 'say "hi" n', "nothing-at", "pizza 🍕 pl",
]


def varied_calls() -> list[Call]:
    calls = []
    for n, (target, name) in enumerate(VARIED):
        direction = CallDirection.INCOMING if n % 3 == 0 else CallDirection.OUTGOING
        reason = HangupReason.BUSY if n % 2 else HangupReason.NORMAL
        calls.append(make_call(n, direction=direction, reason=reason, remote=target,
                               remote_name=name, tm_create_ns=None if n % 4 else 10**18))
    return calls


def expected(calls: list[Call], text: str, direction: CallDirection | None = None) -> list[UUID]:
    """The search's answer, computed in Python: newest first (then last saved first)."""
    needle = text.replace("\x1f", " ").casefold()
    found = [
        (c.tm_create.ns if c.tm_create else 0, i, c.id) for i, c in enumerate(calls)
        if needle in v1_search_key(c) and (direction is None or c.direction is direction)
    ]
    return [key for *_, key in sorted(found, reverse=True)]


@pytest.fixture
def twin_histories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The same calls in a history with the index and one without (no FTS5)."""
    calls = varied_calls()
    indexed = History.open(tmp_path / "indexed.sqlite3")
    with monkeypatch.context() as m:
        no_fts5(m)
        scanned = History.open(tmp_path / "scanned.sqlite3")
    indexed.save_many(calls)
    scanned.save_many(calls)
    yield calls, indexed, scanned
    indexed.close()
    scanned.close()


def test_fts5_trigram_is_available_here() -> None:
    # The index tests below are only meaningful where FTS5 is: make a missing one loud.
    assert history_module._fts5_trigram_available(sqlite3.connect(":memory:"))


@pytest.mark.parametrize("common", [False, True], ids=["rare", "common"])
def test_index_and_like_give_the_same_answers(
    twin_histories: tuple[list[Call], History, History],
    monkeypatch: pytest.MonkeyPatch,
    common: bool,
) -> None:
    calls, indexed, scanned = twin_histories
    assert indexed._fts and not scanned._fts
    if common:  # every search counts as common: it takes the LIKE scan
        monkeypatch.setattr(history_module, "_COMMON_SEARCH", 1)
    for text in QUERIES:
        for direction in (None, CallDirection.INCOMING, CallDirection.OUTGOING):
            want = expected(calls, text, direction)
            for history in (indexed, scanned):
                got = ids(history.list(100, search=text, direction=direction))
                assert got == want, (text, direction, history.path.name)
                assert history.count(search=text, direction=direction) == len(want), text
                # Paging: each page is the matching slice.
                for offset in range(0, len(want) + 1, 2):
                    page = history.list(2, offset, search=text, direction=direction)
                    assert ids(page) == want[offset:offset + 2], (text, offset)
            combined = indexed.list(search=text, reason=HangupReason.BUSY)
            assert ids(combined) == ids(scanned.list(search=text, reason=HangupReason.BUSY))
    # A few answers spelled out, so "both agree" cannot mean "both are wrong".
    assert len(expected(calls, "öde")) == 2
    assert len(expected(calls, "strasse")) == 1
    assert len(expected(calls, "%")) == 1
    assert expected(calls, "b_s") == [calls[6].id]


def test_migration_from_a_v1_file(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.sqlite3"
    calls = varied_calls() + [make_call(100 + n) for n in range(40)]
    write_v1(path, calls)
    monkeypatch.setattr(history_module, "_INDEX_BATCH", 7)  # several batches, logged
    with caplog.at_level(logging.INFO, "softphone.store.history"), History.open(path) as h:
        assert h.count() == len(calls)
        for text in ("öde", "alice@exam", "8210000010", "sip:me@exa"):
            assert ids(h.list(100, search=text)) == expected(calls, text), text
    messages = [r.getMessage() for r in caplog.records]
    assert any(f"building the search index for {len(calls)} calls" in m for m in messages)
    assert any(f"search index {len(calls)}/{len(calls)} calls" in m for m in messages)
    assert any(f"migrated to schema {SCHEMA_VERSION}" in m for m in messages)
    assert_index_in_step(path)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    con.close()
    caplog.clear()
    with caplog.at_level(logging.INFO, "softphone.store.history"), History.open(path):
        pass  # a second open finds the work done
    assert not caplog.records


_OPENER = textwrap.dedent(
    """
    import sys, time
    from softphone.store import History
    path, start = sys.argv[1], float(sys.argv[2])
    time.sleep(max(0.0, start - time.time()))
    with History.open(path) as h:
        print(h.count(search="8210000"), h.count(search="öde"))
    """
)


def test_two_processes_opening_a_v1_file_at_once(tmp_path: Path) -> None:
    import time

    path = tmp_path / "old.sqlite3"
    calls = varied_calls() + [make_call(n) for n in range(5000)]
    write_v1(path, calls)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.time() + 1.5  # both start migrating at the same moment
    procs = [
        subprocess.Popen([sys.executable, "-c", _OPENER, str(path), str(start)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    want = f"{len(expected(calls, '8210000'))} {len(expected(calls, 'öde'))}"
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert out.strip() == want
    assert_index_in_step(path)


def test_delete_keeps_the_index_in_step(history: History, populated: dict[str, Call]) -> None:
    alice = populated["in_busy"]
    assert index_rows(history.path, "ödegaard") == {str(alice.id)}
    assert history.delete([alice.id]) == 1
    assert index_rows(history.path, "ödegaard") == set()
    assert history.list(search="ödegaard") == []
    assert history.count(search="example.com") == 2
    assert_index_in_step(history.path)


def test_upsert_keeps_the_index_in_step(history: History) -> None:
    call = make_call(1, remote="sip:first@example.com", remote_name="First Person")
    history.save(call)
    assert index_rows(history.path, "first") == {str(call.id)}
    call.destination = Address(type=AddressType.SIP, target="sip:second@example.com",
                               name="Second Person")
    history.save(call, CallDiagnostics(sip_code=200))
    assert index_rows(history.path, "first") == set()
    assert index_rows(history.path, "second") == {str(call.id)}
    assert history.list(search="first person") == []
    assert ids(history.list(search="SECOND PERSON")) == [call.id]
    assert history.count(search="second@") == 1
    history.save(call)  # an unchanged search key leaves the index alone
    assert_index_in_step(history.path)


def test_without_fts5_searches_scan_and_the_index_is_rebuilt_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "h.sqlite3"
    first = varied_calls()
    with History.open(path) as h:  # with FTS5: the index
        h.save_many(first)
    assert_index_in_step(path)
    late = make_call(50, remote="sip:latecomer@example.com", remote_name="Late Ödön")
    with monkeypatch.context() as m:
        no_fts5(m)
        with caplog.at_level(logging.WARNING, "softphone.store.history"), \
                History.open(path) as h:
            assert not h._fts
            h.save(late)  # would fail if the triggers still wrote to the index
            assert ids(h.list(search="latecomer")) == [late.id]
            assert h.count(search="öde") == 2
            assert h.delete([first[0].id]) == 1
        assert any("no FTS5" in r.getMessage() for r in caplog.records)
        # A new file without FTS5: schema 2 without the index.
        with History.open(tmp_path / "new.sqlite3") as h:
            h.save(late)
            assert ids(h.list(search="ödön")) == [late.id]
    calls = [*first[1:], late]
    with History.open(path) as h:  # FTS5 again: the stale index is rebuilt
        assert ids(h.list(search="latecomer")) == [late.id]
        for text in ("öde", "ödön", "sungtae", "example.com"):
            assert ids(h.list(100, search=text)) == expected(calls, text), text
    assert_index_in_step(path)
    assert index_rows(path, "latecomer") == {str(late.id)}
    assert index_rows(path, "sungtae") == set()


def test_a_history_open_when_the_index_goes_stale_stops_using_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "h.sqlite3"
    window = History.open(path)
    try:
        window.save(make_call(1, remote="sip:early@example.com"))
        with monkeypatch.context() as m:
            no_fts5(m)
            other = History.open(path)  # drops the triggers
        late = make_call(2, remote="sip:late@example.com")
        other.save(late)  # not in the index
        other.close()
        assert index_rows(path, "late@") == set()
        assert ids(window.list(search="late@")) == [late.id]
        assert window.count(search="@example.com") == 2
    finally:
        window.close()
