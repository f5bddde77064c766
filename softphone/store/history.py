"""The call history: one SQLite row per call, holding the full VoIPBIN-shaped Call JSON.

The JSON is the source of truth; the other columns are copies of a few of its fields
(for filtering and sorting without parsing JSON) plus diagnostics that are not part of
the VoIPBIN Call (final SIP code and reason, the far end's User-Agent, post-dial delay).

Several processes (the window and a CLI command) may use the same file at once: the
database runs in WAL mode, with a busy timeout, and every write takes the write lock up
front (``BEGIN IMMEDIATE``).

Search is a case-insensitive substring match over four fields, kept case-folded in
``search_key``. A search of 3+ characters is narrowed by an FTS5 trigram index over that
column (schema 2) and every candidate is still checked with the same ``LIKE`` as without
the index, so the index can only make a search faster, never change its answer. Where
SQLite lacks FTS5, every search is the ``LIKE`` scan.
"""

from __future__ import annotations

import builtins
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self, TypeVar
from uuid import UUID

from pydantic import ValidationError

from softphone.model.call import Call
from softphone.model.diagnostics import CallDiagnostics
from softphone.model.enums import CallDirection, HangupReason
from softphone.store.paths import StoreError

# CallDiagnostics is the model's (the engine reports with it), re-exported so there is one.
__all__ = ["SCHEMA_VERSION", "CallDiagnostics", "History", "HistoryEntry", "HistoryScope"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")

SCHEMA_VERSION = 2
# A process that finds another one migrating the file waits this long for it to finish
# (building the search index of a million calls takes tens of seconds).
MIGRATION_WAIT_S = 600.0
# Long enough to ride out another process's write transaction (they last milliseconds),
# short enough that a stuck lock ends in a clear error instead of a frozen window.
BUSY_TIMEOUT_S = 5.0
# Joins the searchable fields in ``search_key``; a control character nobody types, so a
# search cannot match across two fields.
_FIELD_SEP = "\x1f"

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
        call_json          TEXT NOT NULL
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
)
_DIAGNOSTIC_COLUMNS = ("sip_code", "sip_reason", "user_agent", "post_dial_delay_ms",
                       "call_id_header", "detail")


def _update_clause(column: str) -> str:
    if column in _DIAGNOSTIC_COLUMNS:
        # A later save without diagnostics (a status change) must not erase them.
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
    "call_id_header, detail, talk_seconds FROM calls"
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

    @classmethod
    def of(cls, call: Call, diagnostics: CallDiagnostics | None) -> HistoryEntry:
        """The entry the store keeps for this call, without a round trip to the database."""
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
        )

    @property
    def diagnostics(self) -> CallDiagnostics:
        return CallDiagnostics(
            sip_code=self.sip_code,
            sip_reason=self.sip_reason,
            user_agent=self.user_agent,
            post_dial_delay_ms=self.post_dial_delay_ms,
            call_id_header=self.call_id_header,
            detail=self.detail,
        )


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


def _row(call: Call, diagnostics: CallDiagnostics | None) -> tuple[Any, ...]:
    d = diagnostics if diagnostics is not None else CallDiagnostics()
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


class History:
    """The call history in one SQLite file. Use :meth:`open`; close with :meth:`close`.

    Every method raises :class:`StoreError` (one line, naming the file) when SQLite
    fails; none lets a raw ``sqlite3`` error through. Safe to share between threads.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, *, fts: bool = False) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._path = path
        self._fts = fts
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self._path

    # -- opening and closing -----------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path) -> History:
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
            raise StoreError(f"cannot open the call history {path}: {exc}") from None
        except BaseException:
            conn.close()
            raise
        return cls(conn, path, fts=fts)

    @staticmethod
    def _prepare(conn: sqlite3.Connection, path: Path) -> bool:
        """Set the connection up and bring the schema to this version; True if FTS5 is here."""
        # connect(timeout=...) already set SQLite's busy_timeout, so the pragmas below
        # wait for another process's lock instead of failing.
        with closing(conn.execute("PRAGMA journal_mode = WAL")) as cur:
            mode = cur.fetchone()
        if mode is None or str(mode[0]).lower() != "wal":
            # E.g. a network file system: still correct, only readers block writers.
            log.warning("call history %s: WAL mode unavailable (journal mode %s)", path, mode)
        # NORMAL is safe in WAL mode (no corruption); a power cut may drop the last commits.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        fts = _fts5_trigram_available(conn)
        # IMMEDIATE: two processes opening a new or old file at once create or migrate
        # the schema one at a time instead of racing; the second one then finds the
        # work done (everything below is decided inside the transaction). It may wait
        # a while for a migration, so this one wait is longer than the usual one.
        conn.execute(f"PRAGMA busy_timeout = {int(MIGRATION_WAIT_S * 1000)}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
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
        if version == 1 and fts:
            log.info("call history %s: migrated to schema %d", path, SCHEMA_VERSION)
        return fts

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                try:
                    conn.close()
                except sqlite3.Error as exc:
                    raise StoreError(f"cannot close the call history {self._path}: {exc}") from None

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

    # -- writing -----------------------------------------------------------------------

    def save(self, call: Call, diagnostics: CallDiagnostics | None = None) -> None:
        """Insert the call, or update its row: save at every change and at its end."""
        row = _row(call, diagnostics)
        with self._write() as conn:
            conn.execute(_UPSERT, row)

    def save_many(
        self, calls: Iterable[Call | tuple[Call, CallDiagnostics | None]]
    ) -> int:
        """Save many calls (optionally with diagnostics) in one transaction; return how many."""
        rows = [
            _row(item[0], item[1]) if isinstance(item, tuple) else _row(item, None)
            for item in calls
        ]
        with self._write() as conn:
            conn.executemany(_UPSERT, rows)
        return len(rows)

    def delete(self, ids: Iterable[UUID | str]) -> int:
        """Delete these calls (unknown or malformed ids are ignored); return how many went."""
        keys = [key for key in (_normalize_id(i) for i in ids) if key is not None]
        if not keys:
            return 0
        with self._write() as conn, closing(
            conn.executemany("DELETE FROM calls WHERE id = ?", [(k,) for k in keys])
        ) as cur:
            # The statements' own changes (total_changes would add the index's, too).
            return cur.rowcount

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
        order = " ORDER BY tm_create_ns DESC, rowid DESC"
        if fts and _uses_index(text) and self._candidates(conn, text) < _COMMON_SEARCH:
            source, params = self._indexed(direction, reason, search, scope)
            # Sort the candidates' keys, then read the page's calls (not all calls' JSON).
            sql = (
                f"{_SELECT} WHERE rowid IN (SELECT calls.rowid{source}"
                f" ORDER BY calls.tm_create_ns DESC, calls.rowid DESC LIMIT ? OFFSET ?)"
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
        (key, call_json, sip_code, sip_reason, user_agent, pdd, call_id_header, detail,
         talk) = row
        try:
            call = Call.model_validate_json(call_json)
        except (ValidationError, ValueError, TypeError) as exc:
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
        )
