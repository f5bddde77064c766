"""The call history: one SQLite row per call, holding the full VoIPBIN-shaped Call JSON.

The JSON is the source of truth; the other columns are copies of a few of its fields
(for filtering and sorting without parsing JSON) plus diagnostics that are not part of
the VoIPBIN Call (final SIP code and reason, the far end's User-Agent, post-dial delay).

Several processes (the window and a CLI command) may use the same file at once: the
database runs in WAL mode, so reads never wait for a writer, and every write takes the
write lock up front (``BEGIN IMMEDIATE``), waiting a few seconds at most. Opening a file
whose schema is current writes nothing; only a real migration takes the lock at open, and
only it waits long (saying so). A save that cannot get the lock is kept and retried: see
:meth:`History.save`.

Every row records the process that wrote it (schema 3): a row left live by a process that
is gone (a crash, a power cut) is ended at the next open (:meth:`History.recover`).

Search is a case-insensitive substring match over four fields, kept case-folded in
``search_key``. A search of 3+ characters is narrowed by an FTS5 trigram index over that
column (schema 2) and every candidate is still checked with the same ``LIKE`` as without
the index, so the index can only make a search faster, never change its answer. Where
SQLite lacks FTS5, every search is the ``LIKE`` scan.
"""

from __future__ import annotations

import builtins
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from softphone.lazy import lazy_exports
from softphone.model.enums import CallDirection, HangupReason
from softphone.store.owner import Owner, is_gone, this_process
from softphone.store.paths import StoreError

if TYPE_CHECKING:
    from softphone.model.call import Call
    from softphone.model.diagnostics import CallDiagnostics
    from softphone.model.quality import QualitySummary
    from softphone.model.siptrace import SipMessage

# The pydantic models load with the first row read or written, not with the store: an
# empty history (a fresh install's `history --json`) never pays for pydantic (issue 16).
# pydantic's ValidationError is a ValueError, which is what the readers below catch.

# CallDiagnostics is the model's (the engine reports with it), re-exported so there is one.
__all__ = ["SCHEMA_VERSION", "CallDiagnostics", "History", "HistoryEntry", "HistoryScope"]
# Loaded with pydantic on first use, as the package's own exports are (softphone/lazy.py).
__getattr__ = lazy_exports(__name__, {"CallDiagnostics": "softphone.model.diagnostics"})

log = logging.getLogger(__name__)

_T = TypeVar("_T")

SCHEMA_VERSION = 5
# A process that finds another one migrating the file waits this long for it to finish
# (building the search index of a million calls takes tens of seconds).
MIGRATION_WAIT_S = 600.0
# How long a migration waits for the lock before it says that it is waiting.
MIGRATION_QUIET_WAIT_S = 1.0
# Long enough to ride out another process's write transaction (they last milliseconds),
# short enough that a stuck lock ends in a clear error instead of a frozen window.
BUSY_TIMEOUT_S = 5.0
# A save runs on the engine's (or the window's) thread, and one that cannot get the lock is
# kept and retried rather than lost: it waits only this long, so a lock held by another
# program never stalls a call's signalling for seconds at a time.
SAVE_WAIT_S = 1.0
MAX_PENDING_MESSAGES = 5000
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
# Joins the searchable fields in ``search_key``; a control character nobody types, so a
# search cannot match across two fields.
_FIELD_SEP = "\x1f"

# Recovery at every open reads the live rows only: a few, whatever the history's size.
_LIVE_INDEX = (
    "CREATE INDEX IF NOT EXISTS calls_live ON calls (owner_pid) WHERE status <> 'hangup'"
)
# Every SIP message of each call, filed by its SIP Call-ID (schema 4): the message ladder
# a support engineer reads in the call's details or with `history --sip`.
_SIP_MESSAGES = (
    """
    CREATE TABLE IF NOT EXISTS sip_messages (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        call_id_header TEXT NOT NULL,
        at             TEXT NOT NULL,
        direction      TEXT NOT NULL,
        peer           TEXT NOT NULL,
        first_line     TEXT NOT NULL,
        text           TEXT NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS sip_messages_call ON sip_messages (call_id_header, seq)",
    "CREATE INDEX IF NOT EXISTS calls_call_id ON calls (call_id_header)",
)
_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS calls (
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
        call_json          TEXT NOT NULL,
        owner_host         TEXT NULL,
        owner_pid          INTEGER NULL,
        owner_token        TEXT NULL,
        recordings_dir     TEXT NULL,
        quality_json       TEXT NULL,
        test_run           TEXT NULL
    )
    """,
    # An index on a rowid table ends with the rowid, so this one serves the listing
    # order (tm_create_ns DESC, rowid DESC) without a sort.
    "CREATE INDEX IF NOT EXISTS calls_tm_create ON calls (tm_create_ns)",
    # Filter and order from one index: a filtered page needs no sort of the matches.
    "CREATE INDEX IF NOT EXISTS calls_direction ON calls (direction, tm_create_ns)",
    "CREATE INDEX IF NOT EXISTS calls_hangup_reason ON calls (hangup_reason, tm_create_ns)",
    # For exact look-ups (every call with one number); substring search scans search_key.
    "CREATE INDEX IF NOT EXISTS calls_remote_target ON calls (remote_target)",
    _LIVE_INDEX,
    *_SIP_MESSAGES,
    "CREATE INDEX IF NOT EXISTS calls_test_run ON calls (test_run, tm_create_ns)",
)
# Schema 4 -> 5: the number tester's run each of its calls belongs to (filter by run).
_TEST_RUN_COLUMN = (
    "ALTER TABLE calls ADD COLUMN test_run TEXT NULL",
    "CREATE INDEX IF NOT EXISTS calls_test_run ON calls (test_run, tm_create_ns)",
)
# Schema 3 -> 4: call quality (min/avg/max) beside the diagnostics, and the SIP ladder.
_QUALITY_COLUMN = ("ALTER TABLE calls ADD COLUMN quality_json TEXT NULL", *_SIP_MESSAGES)
# Schema 2 -> 3: who wrote each row, and where its recordings are (for recovery).
_OWNER_COLUMNS = (
    "ALTER TABLE calls ADD COLUMN owner_host TEXT NULL",
    "ALTER TABLE calls ADD COLUMN owner_pid INTEGER NULL",
    "ALTER TABLE calls ADD COLUMN owner_token TEXT NULL",
    "ALTER TABLE calls ADD COLUMN recordings_dir TEXT NULL",
    _LIVE_INDEX,
)

# -- the search index (schema 2) ---------------------------------------------------------
#
# An external-content FTS5 table over calls.search_key, keyed by the calls rowid (which an
# upsert keeps), kept in step by triggers so every writer maintains it. Invariant: the
# index is in step with calls exactly when all three triggers exist. A SQLite without
# FTS5 cannot write to the index, so it drops the triggers (see History._prepare); the
# next opener that has FTS5 empties and rebuilds the index and puts them back.
_TRIGRAM_MIN_CHARS = 3  # a trigram index cannot answer shorter searches
_SEARCH_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS calls_search USING fts5("
    "search_key, content='calls', content_rowid='rowid', "
    "tokenize='trigram case_sensitive 0')"
)
_SEARCH_TRIGGERS = {
    "calls_search_insert": (
        "CREATE TRIGGER calls_search_insert AFTER INSERT ON calls BEGIN "
        "INSERT INTO calls_search (rowid, search_key) VALUES (new.rowid, new.search_key); "
        "END"
    ),
    "calls_search_delete": (
        "CREATE TRIGGER calls_search_delete AFTER DELETE ON calls BEGIN "
        "INSERT INTO calls_search (calls_search, rowid, search_key) "
        "VALUES ('delete', old.rowid, old.search_key); "
        "END"
    ),
    # Every save rewrites search_key; only a changed one needs the index touched.
    "calls_search_update": (
        "CREATE TRIGGER calls_search_update AFTER UPDATE OF search_key ON calls "
        "WHEN old.search_key IS NOT new.search_key BEGIN "
        "INSERT INTO calls_search (calls_search, rowid, search_key) "
        "VALUES ('delete', old.rowid, old.search_key); "
        "INSERT INTO calls_search (rowid, search_key) VALUES (new.rowid, new.search_key); "
        "END"
    ),
}
_COUNT_SEARCH_TRIGGERS = (
    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'calls' "
    f"AND name IN ({', '.join(repr(name) for name in _SEARCH_TRIGGERS)})"
)
# The index is filled this many calls at a time, with a log line after each batch.
_INDEX_BATCH = 100_000
# A search whose index candidates reach this many is "common" (say "+82" or "sip:") and
# takes the LIKE scan, as before the index: listing walks the newest-first index and stops
# at the page, which beats sorting that many candidates, and counting through the index
# costs ~3x more per match than LIKE per row. Counting candidates up to this takes ~30 ms.
_COMMON_SEARCH = 20_000

_COLUMNS = (
    "id",
    "tm_create",
    "tm_create_ns",
    "direction",
    "status",
    "hangup_by",
    "hangup_reason",
    "source_target",
    "destination_target",
    "remote_target",
    "remote_name",
    "search_key",
    "sip_code",
    "sip_reason",
    "user_agent",
    "post_dial_delay_ms",
    "call_id_header",
    "detail",
    "talk_seconds",
    "call_json",
    "owner_host",
    "owner_pid",
    "owner_token",
    "recordings_dir",
    "quality_json",
    "test_run",
)
# A later save without these (a status change, a writer that does not record) must not
# erase them.
_KEPT_COLUMNS = ("sip_code", "sip_reason", "user_agent", "post_dial_delay_ms",
                 "call_id_header", "detail", "recordings_dir", "quality_json", "test_run")


def _update_clause(column: str) -> str:
    if column in _KEPT_COLUMNS:
        return f"{column} = COALESCE(excluded.{column}, {column})"
    return f"{column} = excluded.{column}"


_UPSERT = (
    f"INSERT INTO calls ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _COLUMNS)}) "
    "ON CONFLICT(id) DO UPDATE SET "
    + ", ".join(_update_clause(c) for c in _COLUMNS if c != "id")
)
_SELECT = (
    "SELECT id, call_json, sip_code, sip_reason, user_agent, post_dial_delay_ms, "
    "call_id_header, detail, talk_seconds, quality_json FROM calls"
)
_SELECT_ORPHAN = (
    "SELECT id, call_json, sip_code, sip_reason, user_agent, post_dial_delay_ms, "
    "call_id_header, detail, talk_seconds, quality_json, recordings_dir, owner_host, owner_pid, "
    "owner_token FROM calls WHERE id = ? AND status <> 'hangup' AND owner_pid IS NOT NULL"
)
_SELECT_LIVE = (
    "SELECT id, owner_host, owner_pid, owner_token FROM calls "
    "WHERE status <> 'hangup' AND owner_pid IS NOT NULL"
)


@dataclass(frozen=True)
class HistoryEntry:
    call: Call
    sip_code: int | None = None
    sip_reason: str | None = None
    user_agent: str | None = None
    post_dial_delay_ms: int | None = None
    call_id_header: str | None = None
    detail: str | None = None
    talk_seconds: float | None = None
    quality: QualitySummary | None = None

    @classmethod
    def of(cls, call: Call, diagnostics: CallDiagnostics | None) -> HistoryEntry:
        """The entry the store keeps for this call, without a round trip to the database."""
        from softphone.model.diagnostics import CallDiagnostics

        d = diagnostics if diagnostics is not None else CallDiagnostics()
        return cls(
            call=call,
            sip_code=d.sip_code,
            sip_reason=d.sip_reason,
            user_agent=d.user_agent,
            post_dial_delay_ms=d.post_dial_delay_ms,
            call_id_header=d.call_id_header,
            detail=d.detail,
            talk_seconds=finished_talk_seconds(call),
            quality=d.quality,
        )

    @property
    def diagnostics(self) -> CallDiagnostics:
        from softphone.model.diagnostics import CallDiagnostics

        return CallDiagnostics(
            sip_code=self.sip_code,
            sip_reason=self.sip_reason,
            user_agent=self.user_agent,
            post_dial_delay_ms=self.post_dial_delay_ms,
            call_id_header=self.call_id_header,
            detail=self.detail,
            quality=self.quality,
        )


def _quality(text: str | None) -> QualitySummary | None:
    if not text:
        return None
    from softphone.model.quality import QualitySummary

    try:
        return QualitySummary.model_validate_json(text)
    except ValueError:
        return None  # a damaged figure is not worth losing the call over


def _like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` literally anywhere (with ESCAPE '\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search_key(*fields: str) -> str:
    # casefold in Python: SQLite's LIKE and lower() only fold ASCII, and names are not.
    return _FIELD_SEP.join(f.replace(_FIELD_SEP, " ").casefold() for f in fields)


def finished_talk_seconds(call: Call) -> float | None:
    # Only a finished call has a talk time; an ongoing one would store "until now".
    if call.tm_progressing is None or call.tm_hangup is None:
        return None
    return call.talk_seconds()


def _row(
    call: Call,
    diagnostics: CallDiagnostics | None,
    recordings_dir: Path | None = None,
    owner: Owner | None = None,
    test_run: str | None = None,
) -> tuple[Any, ...]:
    from softphone.model.diagnostics import CallDiagnostics

    d = diagnostics if diagnostics is not None else CallDiagnostics()
    owner = owner or this_process()
    remote = call.remote
    talk = finished_talk_seconds(call)
    return (
        str(call.id),
        str(call.tm_create) if call.tm_create is not None else "",
        call.tm_create.ns if call.tm_create is not None else 0,
        call.direction.value,
        call.status.value,
        call.hangup_by.value,
        call.hangup_reason.value,
        call.source.target,
        call.destination.target,
        remote.target,
        remote.name,
        _search_key(remote.target, remote.name, call.source.target, call.destination.target),
        d.sip_code,
        d.sip_reason,
        d.user_agent,
        d.post_dial_delay_ms,
        d.call_id_header,
        d.detail,
        talk,
        call.model_dump_json(),
        owner.host,
        owner.pid,
        owner.token,
        str(recordings_dir) if recordings_dir is not None else None,
        d.quality.model_dump_json() if d.quality is not None else None,
        test_run,
    )


def _search_text(search: str | None) -> str:
    """The user's search as it is compared with ``search_key`` ("" for none)."""
    return search.replace(_FIELD_SEP, " ").casefold() if search else ""


@dataclass(frozen=True)
class HistoryScope:
    """More filters beside direction, reason and search (the window's Missed and dates)."""

    missed: bool = False  # incoming, never answered, and not declined by us
    since_ns: int | None = None  # tm_create at or after (Unix ns)
    until_ns: int | None = None  # tm_create before (Unix ns)
    sip_code: int | None = None  # only calls whose final SIP code is this
    by_sip_code: bool = False  # sorted by final SIP code (none last), then newest first
    test_run: str | None = None  # only the calls of this number-tester run

    @property
    def order(self) -> str:
        """The listing's ORDER BY (calls' columns)."""
        if self.by_sip_code:
            return ("calls.sip_code IS NULL, calls.sip_code, calls.tm_create_ns DESC, "
                    "calls.rowid DESC")
        return "calls.tm_create_ns DESC, calls.rowid DESC"


def _filters(
    direction: CallDirection | None, reason: HangupReason | None, search: str | None,
    scope: HistoryScope | None = None,
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if scope is not None:
        if scope.missed:
            # model.policy.is_missed, in SQL: nobody here answered or declined it.
            clauses.append("calls.direction = 'incoming' AND calls.status = 'hangup' AND "
                           "calls.talk_seconds IS NULL AND "
                           "(calls.hangup_by = 'remote' OR calls.hangup_reason = 'noanswer')")
        if scope.since_ns is not None:
            clauses.append("calls.tm_create_ns >= ?")
            params.append(scope.since_ns)
        if scope.until_ns is not None:
            clauses.append("calls.tm_create_ns < ?")
            params.append(scope.until_ns)
        if scope.sip_code is not None:
            clauses.append("calls.sip_code = ?")
            params.append(int(scope.sip_code))
        if scope.test_run is not None:
            clauses.append("calls.test_run = ?")
            params.append(scope.test_run)
    if direction is not None:
        clauses.append("calls.direction = ?")
        params.append(CallDirection(direction).value)
    if reason is not None:
        clauses.append("calls.hangup_reason = ?")
        params.append(HangupReason(reason).value)
    if search:
        clauses.append("calls.search_key LIKE ? ESCAPE '\\'")
        params.append(_like_pattern(_search_text(search)))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _uses_index(text: str) -> bool:
    # A NUL would end the FTS5 query string early; such a search takes the LIKE scan.
    return len(text) >= _TRIGRAM_MIN_CHARS and "\x00" not in text


def _match_phrase(text: str) -> str:
    """An FTS5 query for ``text`` as one phrase: its trigrams, consecutive, all literal."""
    return '"' + text.replace('"', '""') + '"'


def _fts5_trigram_available(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite has FTS5 with the trigram tokenizer (3.34+, built with FTS5)."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x, tokenize='trigram')")
    except sqlite3.Error:
        return False
    conn.execute("DROP TABLE temp.fts5_probe")
    return True


def _index_in_step(conn: sqlite3.Connection) -> bool:
    with closing(conn.execute(_COUNT_SEARCH_TRIGGERS)) as cur:
        row = cur.fetchone()
    return bool(row) and int(row[0]) == len(_SEARCH_TRIGGERS)


def _build_index(conn: sqlite3.Connection, path: Path) -> None:
    """Empty the search index and fill it from calls, in the caller's transaction."""
    conn.execute(_SEARCH_TABLE)
    conn.execute("INSERT INTO calls_search (calls_search) VALUES ('delete-all')")
    with closing(conn.execute("SELECT count(*) FROM calls")) as cur:
        row = cur.fetchone()
    total = int(row[0]) if row else 0
    if total:
        log.info("call history %s: building the search index for %d calls", path, total)
    done, after = 0, -(2**63)  # batches by rowid: (after, next boundary]
    while done < total:
        with closing(conn.execute(
            "SELECT max(rowid) FROM "
            "(SELECT rowid FROM calls WHERE rowid > ? ORDER BY rowid LIMIT ?)",
            (after, _INDEX_BATCH),
        )) as cur:
            row = cur.fetchone()
        if row is None or row[0] is None:
            break
        with closing(conn.execute(
            "INSERT INTO calls_search (rowid, search_key) "
            "SELECT rowid, search_key FROM calls WHERE rowid > ? AND rowid <= ?",
            (after, row[0]),
        )) as cur:
            done += max(cur.rowcount, 0)
        after = int(row[0])
        if total > _INDEX_BATCH:
            log.info("call history %s: search index %d/%d calls", path, done, total)
    for statement in _SEARCH_TRIGGERS.values():
        conn.execute(statement)


def _normalize_id(call_id: UUID | str) -> str | None:
    if isinstance(call_id, UUID):
        return str(call_id)
    try:
        return str(UUID(call_id.strip()))
    except ValueError:
        return None


def _rollback(conn: sqlite3.Connection) -> None:
    # Keep the original error: a failed rollback (the connection is broken) adds nothing.
    with suppress(sqlite3.Error):
        if conn.in_transaction:
            conn.execute("ROLLBACK")


def _switch_to_wal(conn: sqlite3.Connection) -> Any:
    """PRAGMA journal_mode = WAL, retried while another process holds the new file: SQLite
    reports that lock at once, without its busy handler, so two programs opening a fresh
    history together (the window and `softphone ctl`) failed one of them (measured: 4 in
    90 openers, six at a time)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            with closing(conn.execute("PRAGMA journal_mode = WAL")) as cur:
                return cur.fetchone()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def _is_busy(exc: sqlite3.Error) -> bool:
    """The database is locked by another connection (not a broken or full file)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return "locked" in str(exc)
    return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)


def _set_busy_timeout(conn: sqlite3.Connection, seconds: float) -> None:
    conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")


def _begin_immediate(conn: sqlite3.Connection, wait_s: float) -> None:
    """Take the write lock, waiting up to ``wait_s``; then back to the usual wait."""
    _set_busy_timeout(conn, wait_s)
    try:
        conn.execute("BEGIN IMMEDIATE")
    finally:
        _set_busy_timeout(conn, BUSY_TIMEOUT_S)


def _schema_state(conn: sqlite3.Connection) -> tuple[int, bool]:
    """(schema version, search index in step): plain reads, which never wait in WAL mode."""
    conn.execute("BEGIN")
    try:
        with closing(conn.execute("PRAGMA user_version")) as cur:
            row = cur.fetchone()
        state = (int(row[0]) if row else 0, _index_in_step(conn))
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise
    return state


def _lock_for_migration(conn: sqlite3.Connection, path: Path) -> None:
    """Take the write lock to migrate; a long wait is said on stderr (the log) first."""
    try:
        _begin_immediate(conn, MIGRATION_QUIET_WAIT_S)
        return
    except sqlite3.Error as exc:
        if not _is_busy(exc):
            raise
    log.warning("call history %s: waiting for another softphone to finish upgrading the "
                "history…", path)
    deadline = time.monotonic() + MIGRATION_WAIT_S
    while True:
        # Short waits in a loop: Ctrl+C is seen between two of them.
        try:
            _begin_immediate(conn, 1.0)
            return
        except sqlite3.Error as exc:
            if not _is_busy(exc) or time.monotonic() >= deadline:
                raise


def _spool_files(path: Path) -> builtins.list[Path]:
    return sorted(path.parent.glob(f"{path.name}.unsaved-*.json"))


class History:
    """The call history in one SQLite file. Use :meth:`open`; close with :meth:`close`.

    Every method raises :class:`StoreError` (one line, naming the file) when SQLite
    fails; none lets a raw ``sqlite3`` error through. Safe to share between threads.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        *,
        fts: bool = False,
        recordings_dir: Path | None = None,
    ) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._path = path
        self._fts = fts
        self._recordings_dir = recordings_dir
        self._lock = threading.Lock()
        # Saves that could not get the write lock yet, by call id (the latest state wins).
        self._pending: dict[str, tuple[Any, ...]] = {}
        # SIP messages not yet written (the lock was held): retried with the next ones.
        self._pending_messages: builtins.list[tuple[str, ...]] = []

    @property
    def path(self) -> Path:
        return self._path

    @property
    def pending(self) -> int:
        """How many calls' latest changes wait for the write lock."""
        with self._lock:
            return len(self._pending)

    # -- opening and closing -----------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | Path, *, recordings_dir: Path | None = None, recover: bool = True
    ) -> History:
        """Open (creating or migrating) the history at ``path``.

        ``recordings_dir``: where this process records calls, kept with each row it saves
        so that recovery finds the recordings of a call it leaves behind. ``recover``:
        end the calls left live by processes that are gone (:meth:`recover`) and take in
        the saves that a process could not write (never waits for the lock either way).
        """
        path = Path(path).expanduser().absolute()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot open the call history {path}: cannot create its folder "
                f"({exc.strerror or exc})"
            ) from None
        try:
            # isolation_level=None: the module opens no hidden transactions; ours are
            # explicit. check_same_thread=False: access is serialized by self._lock.
            conn = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the call history {path}: {exc}") from None
        try:
            fts = cls._prepare(conn, path)
        except sqlite3.Error as exc:
            conn.close()
            if _is_busy(exc):
                raise StoreError(
                    f"cannot open the call history {path}: another program keeps it locked"
                ) from None
            raise StoreError(f"cannot open the call history {path}: {exc}") from None
        except BaseException:
            conn.close()
            raise
        history = cls(conn, path, fts=fts, recordings_dir=recordings_dir)
        if recover:
            try:
                history.take_in_unsaved()
                history.recover()
            except BaseException:
                with suppress(StoreError):
                    history.close()
                raise
        return history

    @staticmethod
    def _prepare(conn: sqlite3.Connection, path: Path) -> bool:
        """Set the connection up and bring the schema to this version; True if FTS5 is here."""
        # connect(timeout=...) already set SQLite's busy_timeout, so the pragmas below
        # wait (briefly) for another process's lock instead of failing; the switch to WAL
        # is the exception and retries itself. It writes only on a new file; on a WAL file
        # it changes nothing and takes no lock.
        mode = _switch_to_wal(conn)
        if mode is None or str(mode[0]).lower() != "wal":
            # E.g. a network file system: still correct, only readers block writers.
            log.warning("call history %s: WAL mode unavailable (journal mode %s)", path, mode)
        # NORMAL is safe in WAL mode (no corruption); a power cut may drop the last commits.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        fts = _fts5_trigram_available(conn)
        version, in_step = _schema_state(conn)
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"cannot open the call history {path}: it was written by a newer "
                f"softphone (schema {version}, this one knows {SCHEMA_VERSION})"
            )
        if version == SCHEMA_VERSION and in_step == fts:
            return fts  # the usual case: nothing to write, so no lock to wait for
        History._migrate(conn, path, fts)
        return fts

    @staticmethod
    def _migrate(conn: sqlite3.Connection, path: Path, fts: bool) -> None:
        # IMMEDIATE: two processes opening a new or old file at once create or migrate
        # the schema one at a time instead of racing; the second one then finds the
        # work done (everything below is decided again inside the transaction).
        _lock_for_migration(conn, path)
        try:
            with closing(conn.execute("PRAGMA user_version")) as cur:
                row = cur.fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"cannot open the call history {path}: it was written by a newer "
                    f"softphone (schema {version}, this one knows {SCHEMA_VERSION})"
                )
            if version < 1:  # a new file
                for statement in _SCHEMA:
                    conn.execute(statement)
            else:
                if version < 3:
                    for statement in _OWNER_COLUMNS:
                        conn.execute(statement)
                if version < 4:
                    for statement in _QUALITY_COLUMN:
                        conn.execute(statement)
                if version < 5:
                    for statement in _TEST_RUN_COLUMN:
                        conn.execute(statement)
            # Version 1 -> 2 is the search index, which is also rebuilt whenever a
            # SQLite without FTS5 has used the file (it drops the triggers).
            in_step = _index_in_step(conn)
            if fts and not in_step:
                _build_index(conn, path)
            elif not fts and in_step:
                log.warning(
                    "call history %s: this SQLite has no FTS5; searching without the "
                    "index (it is rebuilt when a softphone with FTS5 opens the file)", path
                )
                for name in _SEARCH_TRIGGERS:
                    conn.execute(f"DROP TRIGGER {name}")
            if version < SCHEMA_VERSION:
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
        if 1 <= version < SCHEMA_VERSION:
            log.info("call history %s: migrated to schema %d", path, SCHEMA_VERSION)

    def close(self) -> None:
        """Save what is still pending, then close; pending saves that cannot get the lock
        even now are kept in a file beside the history (taken in at the next open) and
        reported as a StoreError."""
        with self._lock:
            if self._conn is None:
                return
            conn, self._conn = self._conn, None
            problem: str | None = None
            if self._pending:
                problem = self._last_flush(conn)
            try:
                conn.close()
            except sqlite3.Error as exc:
                problem = problem or f"cannot close the call history {self._path}: {exc}"
        if problem:
            raise StoreError(problem)

    def _last_flush(self, conn: sqlite3.Connection) -> str | None:
        try:
            self._flush(conn, BUSY_TIMEOUT_S)
            log.warning("call history %s: the delayed changes are saved", self._path)
            return None
        except sqlite3.Error as exc:
            reason = "another program keeps it locked" if _is_busy(exc) else str(exc)
        count = len(self._pending)
        spool = self._path.with_name(
            f"{self._path.name}.unsaved-{os.getpid()}-{time.time_ns()}.json"
        )
        part = spool.with_name(f".{spool.name}.part")
        rows = [dict(zip(_COLUMNS, row, strict=True)) for row in self._pending.values()]
        try:
            part.write_text(json.dumps(rows), encoding="utf-8")
            part.replace(spool)
        except OSError as exc:
            with suppress(OSError):
                part.unlink()
            return (
                f"cannot save {count} call(s) to the call history {self._path} "
                f"({reason}), nor keep them in {spool} ({exc.strerror or exc})"
            )
        self._pending.clear()
        return (
            f"cannot save {count} call(s) to the call history {self._path} ({reason}): "
            f"kept in {spool}, saved there at the next start"
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- plumbing ----------------------------------------------------------------------

    @contextmanager
    def _connection(self, doing: str) -> Iterator[sqlite3.Connection]:
        """The open connection, with any SQLite failure turned into a StoreError."""
        with self._lock:
            if self._conn is None:
                raise StoreError(f"cannot {doing} the call history {self._path}: it is closed")
            try:
                yield self._conn
            except sqlite3.Error as exc:
                if _is_busy(exc):
                    raise StoreError(
                        f"cannot {doing} the call history {self._path}: another program "
                        f"keeps it locked (waited {BUSY_TIMEOUT_S:g} s)"
                    ) from None
                raise StoreError(f"cannot {doing} the call history {self._path}: {exc}") from None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: all or nothing, the write lock taken at the start.

        Taking the lock up front (IMMEDIATE) matters in WAL mode: a reader that later
        tries to write gets SQLITE_BUSY at once, without waiting out busy_timeout.
        """
        with self._connection("write to") as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise

    def _flush(self, conn: sqlite3.Connection, wait_s: float) -> None:
        """Write every pending row in one transaction (raises sqlite3.Error, rows kept)."""
        _begin_immediate(conn, wait_s)
        try:
            conn.executemany(_UPSERT, list(self._pending.values()))
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
        self._pending.clear()

    # -- writing -----------------------------------------------------------------------

    def save(self, call: Call, diagnostics: CallDiagnostics | None = None,
             test_run: str | None = None) -> None:
        """Insert the call, or update its row: save at every change and at its end.

        When another program holds the write lock past the usual wait, the change is kept
        (the latest one per call) and written with the next save or at :meth:`close`; the
        call goes on. It is logged once, as a warning. Other failures raise StoreError.
        """
        row = _row(call, diagnostics, self._recordings_dir, test_run=test_run)
        with self._connection("write to") as conn:
            backlog = bool(self._pending)
            earlier = self._pending.get(row[0])
            self._pending[row[0]] = row
            try:
                # With a backlog the lock was held for seconds already: try without
                # waiting, so a long-held lock never stalls the caller at every change.
                self._flush(conn, 0.0 if backlog else SAVE_WAIT_S)
            except sqlite3.Error as exc:
                if not _is_busy(exc):
                    # Reported now, as before; only a lock is worth waiting out.
                    if earlier is None:
                        del self._pending[row[0]]
                    else:
                        self._pending[row[0]] = earlier
                    raise
                if not backlog:
                    log.warning(
                        "call history %s is locked by another program: the call goes on, "
                        "and its changes are saved once the lock is free", self._path
                    )
                return
            if backlog:
                log.warning("call history %s: the delayed changes are saved", self._path)

    def save_many(
        self, calls: Iterable[Call | tuple[Call, CallDiagnostics | None]]
    ) -> int:
        """Save many calls (optionally with diagnostics) in one transaction; return how many."""
        rows = [
            _row(item[0], item[1], self._recordings_dir)
            if isinstance(item, tuple)
            else _row(item, None, self._recordings_dir)
            for item in calls
        ]
        with self._write() as conn:
            conn.executemany(_UPSERT, rows)
        return len(rows)

    def save_sip_messages(self, messages: Iterable[SipMessage]) -> None:
        """Keep SIP messages for their calls' ladders. A held lock never stalls the call:
        they wait in memory (the newest MAX_PENDING_MESSAGES) for the next write."""
        rows = [(m.call_id, str(m.at), m.direction.value, m.peer, m.first_line, m.text)
                for m in messages if m.call_id]
        with self._connection("write to") as conn:
            backlog = bool(self._pending_messages)
            self._pending_messages.extend(rows)
            del self._pending_messages[:-MAX_PENDING_MESSAGES]
            try:
                _begin_immediate(conn, 0.0 if backlog else SAVE_WAIT_S)
            except sqlite3.Error as exc:
                if not _is_busy(exc):
                    raise
                return
            try:
                conn.executemany(
                    "INSERT INTO sip_messages (call_id_header, at, direction, peer, first_line, "
                    "text) VALUES (?, ?, ?, ?, ?, ?)", self._pending_messages)
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
            self._pending_messages.clear()

    def find_by_call_id(self, call_id_header: str) -> HistoryEntry | None:
        """The newest call with this SIP Call-ID (what a packet capture shows)."""
        with self._connection("read") as conn, closing(conn.execute(
            f"{_SELECT} WHERE call_id_header = ? ORDER BY tm_create_ns DESC LIMIT 1",
            (call_id_header,),
        )) as cur:
            row = cur.fetchone()
        return self._entry(row) if row is not None else None

    def sip_messages(self, call_id_header: str) -> builtins.list[SipMessage]:
        """A call's SIP messages, in the order they crossed the wire."""
        from softphone.model.siptrace import SipMessage
        from softphone.model.timestamps import Timestamp

        with self._connection("read") as conn, closing(conn.execute(
            "SELECT at, direction, peer, first_line, text FROM sip_messages "
            "WHERE call_id_header = ? ORDER BY seq", (call_id_header,)
        )) as cur:
            rows = cur.fetchall()
        messages = []
        for at, direction, peer, first_line, text in rows:
            try:
                messages.append(SipMessage(at=Timestamp.parse(at), direction=direction,
                                           peer=peer, call_id=call_id_header,
                                           first_line=first_line, text=text))
            except ValueError:
                continue  # a damaged row: the rest of the ladder still reads
        return messages

    def delete(self, ids: Iterable[UUID | str]) -> int:
        """Delete these calls (unknown or malformed ids are ignored); return how many went."""
        keys = [key for key in (_normalize_id(i) for i in ids) if key is not None]
        if not keys:
            return 0
        with self._write() as conn:
            # Their SIP messages go with them (unless another call shares the Call-ID).
            conn.executemany(
                "DELETE FROM sip_messages WHERE call_id_header = (SELECT call_id_header "
                "FROM calls WHERE id = ?) AND NOT EXISTS (SELECT 1 FROM calls c WHERE "
                "c.call_id_header = sip_messages.call_id_header AND c.id <> ?)",
                [(k, k) for k in keys])
            with closing(
                conn.executemany("DELETE FROM calls WHERE id = ?", [(k,) for k in keys])
            ) as cur:
                # The statements' own changes (total_changes would add the index's, too).
                return cur.rowcount

    # -- recovery ----------------------------------------------------------------------

    def recover(self) -> int:
        """End the calls left live by processes that are gone; return how many.

        Each is ended as DESIGN.md's "Recovery" says (:mod:`softphone.store.recovery`)
        and its recordings' headers are repaired so that what was written plays. A row
        whose process still runs, or may run (:func:`softphone.store.owner.is_gone`), is
        never touched. Never waits for the write lock: when another process holds it,
        the work is left for the next open.
        """
        with self._connection("recover calls in") as conn:
            with closing(conn.execute(_SELECT_LIVE)) as cur:
                live = cur.fetchall()
            orphans = [
                key for key, host, pid, token in live
                if is_gone(Owner(str(host or ""), int(pid), token))
            ]
            if not orphans:
                return 0
            try:
                _begin_immediate(conn, 0.0)
            except sqlite3.Error as exc:
                if not _is_busy(exc):
                    raise
                log.info("call history %s: locked; interrupted calls are ended at the "
                         "next open", self._path)
                return 0
            try:
                ended = sum(self._end_orphan(conn, key) for key in orphans)
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
        if ended:
            log.warning("call history %s: ended %d call(s) left live by a softphone that "
                        "stopped", self._path, ended)
        return ended

    def _end_orphan(self, conn: sqlite3.Connection, key: str) -> bool:
        from softphone.store.recovery import INTERRUPTED_DETAIL, end_interrupted
        from softphone.store.wav_repair import repair_wav

        with closing(conn.execute(_SELECT_ORPHAN, (key,))) as cur:
            row = cur.fetchone()
        if row is None:
            return False  # ended meanwhile
        owner = Owner(str(row[11] or ""), int(row[12]), row[13])
        if not is_gone(owner):
            return False  # saved again meanwhile, by a live process
        entry = self._entry(row[:10])
        if entry is None:
            return False  # damaged: logged, left as it is
        folders = [Path(row[10])] if row[10] else []
        if self._recordings_dir is not None:
            folders.append(self._recordings_dir)
        for recording_id in entry.call.recording_ids:
            for folder in folders:
                for wav in folder.glob(f"*_{recording_id}.wav"):
                    repair_wav(wav)
        diagnostics = entry.diagnostics.model_copy(update={"detail": INTERRUPTED_DETAIL})
        conn.execute(_UPSERT, _row(end_interrupted(entry.call), diagnostics, None, owner))
        return True

    def take_in_unsaved(self) -> int:
        """Save the calls a process kept beside the history when it could not write
        them (see :meth:`close`); return how many. Never waits for the write lock."""
        files = _spool_files(self._path)
        if not files:
            return 0
        rows: builtins.list[tuple[Any, ...]] = []
        for spool in list(files):
            try:
                items = json.loads(spool.read_text(encoding="utf-8"))
                rows.extend(tuple(item[c] for c in _COLUMNS) for item in items)
            except (OSError, ValueError, TypeError, KeyError) as exc:
                log.warning("call history %s: cannot read the unsaved calls in %s (%s)",
                            self._path, spool, exc)
                files.remove(spool)
        with self._connection("save to") as conn:
            try:
                _begin_immediate(conn, 0.0)
            except sqlite3.Error as exc:
                if not _is_busy(exc):
                    raise
                return 0
            try:
                conn.executemany(_UPSERT, rows)
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
        for spool in files:
            with suppress(OSError):
                spool.unlink()
        log.warning("call history %s: saved %d call(s) kept from an earlier run",
                    self._path, len(rows))
        return len(rows)

    # -- reading -----------------------------------------------------------------------

    def get(self, call_id: UUID | str) -> HistoryEntry | None:
        """The call with this id, or None when there is none (or the id is malformed)."""
        key = _normalize_id(call_id)
        if key is None:
            return None
        with self._connection("read") as conn, closing(
            conn.execute(f"{_SELECT} WHERE id = ?", (key,))
        ) as cur:
            row = cur.fetchone()
        if row is None:
            return None
        entry = self._entry(row)
        if entry is None:
            # Asked for by id, a damaged row is an error, not "no such call".
            raise StoreError(f"the call {key} in the call history {self._path} is damaged")
        return entry

    def list(
        self,
        limit: int = 50,
        offset: int = 0,
        *,
        direction: CallDirection | None = None,
        reason: HangupReason | None = None,
        search: str | None = None,
        scope: HistoryScope | None = None,
    ) -> builtins.list[HistoryEntry]:
        """One page of calls, newest first. Damaged rows are skipped (and logged)."""
        if limit < 0 or offset < 0:
            raise ValueError(f"limit and offset must be >= 0 (got {limit}, {offset})")
        with self._connection("read") as conn:
            rows = self._read(
                conn, lambda fts: self._list_rows(conn, fts, limit, offset, direction, reason,
                                                  search, scope)
            )
        entries = (self._entry(row) for row in rows)
        return [entry for entry in entries if entry is not None]

    def count(
        self,
        *,
        direction: CallDirection | None = None,
        reason: HangupReason | None = None,
        search: str | None = None,
        scope: HistoryScope | None = None,
    ) -> int:
        """How many calls match the same filters as :meth:`list`."""
        with self._connection("read") as conn:
            return self._read(
                conn, lambda fts: self._count_rows(conn, fts, direction, reason, search,
                                                   scope)
            )

    def test_runs(self, limit: int = 200) -> builtins.list[tuple[str, int]]:
        """The number tester's runs in this history, newest first, with their call counts."""
        with self._connection("read") as conn, closing(conn.execute(
            "SELECT test_run, count(*), max(tm_create_ns) AS last FROM calls "
            "WHERE test_run IS NOT NULL GROUP BY test_run ORDER BY last DESC LIMIT ?",
            (limit,),
        )) as cur:
            return [(str(row[0]), int(row[1])) for row in cur.fetchall()]

    # -- searching -----------------------------------------------------------------------

    def _read(self, conn: sqlite3.Connection, query: Callable[[bool], _T]) -> _T:
        """Run ``query(fts)`` in one read transaction; fts: the search index may be used."""
        if not self._fts:
            return query(False)
        # One snapshot for the check and the query: the index cannot fall out of step
        # (a SQLite without FTS5 dropping the triggers) between the two.
        conn.execute("BEGIN")
        try:
            result = query(_index_in_step(conn))
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
        return result

    @staticmethod
    def _candidates(conn: sqlite3.Connection, text: str) -> int:
        """How many calls the index offers for ``text``, counted up to _COMMON_SEARCH."""
        with closing(conn.execute(
            "SELECT count(*) FROM (SELECT rowid FROM calls_search "
            "WHERE calls_search MATCH ? LIMIT ?)",
            (_match_phrase(text), _COMMON_SEARCH),
        )) as cur:
            row = cur.fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def _indexed(
        direction: CallDirection | None, reason: HangupReason | None, search: str | None,
        scope: HistoryScope | None = None,
    ) -> tuple[str, builtins.list[Any]]:
        """FROM and WHERE of a search driven by the index: its candidates, verified."""
        where, params = _filters(direction, reason, search, scope)
        # CROSS JOIN: the index first (its matches are few), each call then by rowid.
        # The LIKE of _filters still decides; the index only narrows.
        return (
            " FROM calls_search CROSS JOIN calls ON calls.rowid = calls_search.rowid"
            f"{where} AND calls_search MATCH ?",
            [*params, _match_phrase(_search_text(search))],
        )

    def _list_rows(
        self,
        conn: sqlite3.Connection,
        fts: bool,
        limit: int,
        offset: int,
        direction: CallDirection | None,
        reason: HangupReason | None,
        search: str | None,
        scope: HistoryScope | None = None,
    ) -> builtins.list[Any]:
        text = _search_text(search)
        ordering = (scope or HistoryScope()).order
        order = f" ORDER BY {ordering}"
        if fts and _uses_index(text) and self._candidates(conn, text) < _COMMON_SEARCH:
            source, params = self._indexed(direction, reason, search, scope)
            # Sort the candidates' keys, then read the page's calls (not all calls' JSON).
            sql = (
                f"{_SELECT} WHERE rowid IN (SELECT calls.rowid{source}"
                f" ORDER BY {ordering} LIMIT ? OFFSET ?)"
                f"{order}"
            )
        else:
            where, params = _filters(direction, reason, search, scope)
            sql = f"{_SELECT}{where}{order} LIMIT ? OFFSET ?"
        with closing(conn.execute(sql, [*params, limit, offset])) as cur:
            return cur.fetchall()

    def _count_rows(
        self,
        conn: sqlite3.Connection,
        fts: bool,
        direction: CallDirection | None,
        reason: HangupReason | None,
        search: str | None,
        scope: HistoryScope | None = None,
    ) -> int:
        text = _search_text(search)
        if fts and _uses_index(text) and self._candidates(conn, text) < _COMMON_SEARCH:
            source, params = self._indexed(direction, reason, search, scope)
            sql = f"SELECT count(*){source}"
        else:
            where, params = _filters(direction, reason, search, scope)
            sql = f"SELECT count(*) FROM calls{where}"
        with closing(conn.execute(sql, params)) as cur:
            row = cur.fetchone()
        return int(row[0]) if row else 0

    def _entry(self, row: Sequence[Any]) -> HistoryEntry | None:
        from softphone.model.call import Call

        (key, call_json, sip_code, sip_reason, user_agent, pdd, call_id_header, detail,
         talk, quality_json) = row
        try:
            call = Call.model_validate_json(call_json)
        except (ValueError, TypeError) as exc:
            log.warning(
                "call history %s: skipping damaged call %s (%s)",
                self._path, key, str(exc).splitlines()[0],
            )
            return None
        return HistoryEntry(
            call=call,
            sip_code=sip_code,
            sip_reason=sip_reason,
            user_agent=user_agent,
            post_dial_delay_ms=pdd,
            call_id_header=call_id_header,
            detail=detail,
            talk_seconds=talk,
            quality=_quality(quality_json),
        )
