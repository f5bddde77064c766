"""The call history: one SQLite row per call, holding the full VoIPBIN-shaped Call JSON.

The JSON is the source of truth; the other columns are copies of a few of its fields
(for filtering and sorting without parsing JSON) plus diagnostics that are not part of
the VoIPBIN Call (final SIP code and reason, the far end's User-Agent, post-dial delay).

Several processes (the window and a CLI command) may use the same file at once: the
database runs in WAL mode, with a busy timeout, and every write takes the write lock up
front (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import builtins
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self
from uuid import UUID

from pydantic import ValidationError

from softphone.model.call import Call
from softphone.model.diagnostics import CallDiagnostics
from softphone.model.enums import CallDirection, HangupReason
from softphone.store.paths import StoreError

# CallDiagnostics is the model's (the engine reports with it), re-exported so there is one.
__all__ = ["SCHEMA_VERSION", "CallDiagnostics", "History", "HistoryEntry"]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
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


def _row(call: Call, diagnostics: CallDiagnostics | None) -> tuple[Any, ...]:
    d = diagnostics if diagnostics is not None else CallDiagnostics()
    remote = call.remote
    talk = (
        call.talk_seconds()
        # Only a finished call has a talk time; an ongoing one would store "until now".
        if call.tm_progressing is not None and call.tm_hangup is not None
        else None
    )
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


def _filters(
    direction: CallDirection | None, reason: HangupReason | None, search: str | None
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if direction is not None:
        clauses.append("direction = ?")
        params.append(CallDirection(direction).value)
    if reason is not None:
        clauses.append("hangup_reason = ?")
        params.append(HangupReason(reason).value)
    if search:
        clauses.append("search_key LIKE ? ESCAPE '\\'")
        params.append(_like_pattern(search.replace(_FIELD_SEP, " ").casefold()))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


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

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._path = path
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
            cls._prepare(conn, path)
        except sqlite3.Error as exc:
            conn.close()
            raise StoreError(f"cannot open the call history {path}: {exc}") from None
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    @staticmethod
    def _prepare(conn: sqlite3.Connection, path: Path) -> None:
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
        # IMMEDIATE: two processes opening a new file at once create the schema one at
        # a time instead of racing.
        conn.execute("BEGIN IMMEDIATE")
        try:
            with closing(conn.execute("PRAGMA user_version")) as cur:
                row = cur.fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"cannot open the call history {path}: it was written by a newer "
                    f"softphone (schema {version}, this one knows {SCHEMA_VERSION})"
                )
            if version < SCHEMA_VERSION:
                # Version 0 is a new file; later versions add their migrations here.
                for statement in _SCHEMA:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise

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
        with self._write() as conn:
            before = conn.total_changes
            conn.executemany("DELETE FROM calls WHERE id = ?", [(k,) for k in keys])
            return conn.total_changes - before

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
    ) -> builtins.list[HistoryEntry]:
        """One page of calls, newest first. Damaged rows are skipped (and logged)."""
        if limit < 0 or offset < 0:
            raise ValueError(f"limit and offset must be >= 0 (got {limit}, {offset})")
        where, params = _filters(direction, reason, search)
        sql = f"{_SELECT}{where} ORDER BY tm_create_ns DESC, rowid DESC LIMIT ? OFFSET ?"
        with self._connection("read") as conn, closing(
            conn.execute(sql, [*params, limit, offset])
        ) as cur:
            rows = cur.fetchall()
        entries = (self._entry(row) for row in rows)
        return [entry for entry in entries if entry is not None]

    def count(
        self,
        *,
        direction: CallDirection | None = None,
        reason: HangupReason | None = None,
        search: str | None = None,
    ) -> int:
        """How many calls match the same filters as :meth:`list`."""
        where, params = _filters(direction, reason, search)
        with self._connection("read") as conn, closing(
            conn.execute(f"SELECT count(*) FROM calls{where}", params)
        ) as cur:
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
