"""History schema 5: calls tagged with their number-tester run, filtered by it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from uuid import uuid4

from softphone.model import Call, CallDirection, Timestamp
from softphone.store import History, HistoryScope


def _call(at: str) -> Call:
    return Call(id=uuid4(), direction=CallDirection.OUTGOING, tm_create=Timestamp.parse(at))


def test_a_schema_4_file_gains_the_run_column_and_keeps_its_calls(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    old = _call("2026-01-01 09:00:00.000000")
    with History.open(path) as h:
        h.save(old)
    con = sqlite3.connect(path)
    con.execute("DROP INDEX calls_test_run")
    con.execute("ALTER TABLE calls DROP COLUMN test_run")
    con.execute("PRAGMA user_version = 4")
    con.commit()
    con.close()
    first, second = _call("2026-01-02 09:00:00.000000"), _call("2026-01-03 09:00:00.000000")
    with History.open(path) as h:
        assert h.get(old.id) is not None and h.test_runs() == []
        h.save(first, test_run="run-a")
        h.save(second, test_run="run-b")
        h.save(first)  # a later save without the tag keeps it
        assert h.test_runs() == [("run-b", 1), ("run-a", 1)]
        assert [e.call.id for e in h.list(scope=HistoryScope(test_run="run-a"))] == [first.id]
        assert h.count() == 3 and h.count(scope=HistoryScope(test_run="run-b")) == 1
