"""Schema 4: a call's quality summary and its SIP ladder are kept with it in the history."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from softphone.model import Timestamp
from softphone.model.diagnostics import CallDiagnostics
from softphone.model.quality import QualitySample, QualitySummary
from softphone.model.siptrace import Direction, SipMessage
from softphone.store import History
from tests.test_history_store import SEED_ID, seed_call


def summary() -> QualitySummary:
    first = QualitySample(codec="PCMU", loss_pct=0.0, jitter_ms=1.0, rtt_ms=None, mos=4.4)
    return QualitySummary.first(first).add(
        QualitySample(codec="PCMU", loss_pct=10.0, jitter_ms=3.0, rtt_ms=20.0, mos=3.2))


def message(call_id: str, first_line: str, direction: Direction) -> SipMessage:
    return SipMessage(at=Timestamp.now(), direction=direction, peer="UDP 127.0.0.1:5060",
                      call_id=call_id, first_line=first_line, text=first_line + "\r\n")


def test_quality_is_kept_and_not_erased_by_a_later_save(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History.open(path) as h:
        h.save(seed_call(), CallDiagnostics(sip_code=200, quality=summary()))
        h.save(seed_call(), CallDiagnostics(sip_code=200))  # a save without figures
    with History.open(path) as h:
        entry = h.get(SEED_ID)
    assert entry is not None and entry.quality == summary()
    assert entry.diagnostics.quality == summary()


def test_ladder_in_wire_order_and_gone_with_its_call(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History.open(path) as h:
        h.save(seed_call(), CallDiagnostics(call_id_header="abc@h"))
        h.save_sip_messages([
            message("abc@h", "INVITE sip:b@h SIP/2.0", Direction.SENT),
            message("other@h", "OPTIONS sip:b@h SIP/2.0", Direction.SENT),
            message("abc@h", "SIP/2.0 486 Busy Here", Direction.RECEIVED),
            message("", "no Call-ID: not kept", Direction.RECEIVED),
        ])
    with History.open(path) as h:
        ladder = h.sip_messages("abc@h")
        assert [(m.direction, m.first_line) for m in ladder] == [
            (Direction.SENT, "INVITE sip:b@h SIP/2.0"),
            (Direction.RECEIVED, "SIP/2.0 486 Busy Here")]
        assert h.delete([SEED_ID]) == 1
        assert h.sip_messages("abc@h") == []
        assert len(h.sip_messages("other@h")) == 1


def test_schema_3_file_gains_quality_and_ladder(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History.open(path) as h:
        h.save(seed_call(), CallDiagnostics(sip_code=404))
    con = sqlite3.connect(path)
    con.execute("DROP TABLE sip_messages")
    con.execute("ALTER TABLE calls DROP COLUMN quality_json")
    con.execute("DROP INDEX calls_test_run")  # schema 5's, not in a schema 3 file
    con.execute("ALTER TABLE calls DROP COLUMN test_run")
    con.execute("PRAGMA user_version = 3")
    con.commit()
    con.close()
    with History.open(path) as h:
        entry = h.get(SEED_ID)
        assert entry is not None and entry.sip_code == 404 and entry.quality is None
        h.save_sip_messages([message("x@h", "BYE sip:b@h SIP/2.0", Direction.SENT)])
        assert len(h.sip_messages("x@h")) == 1


def test_filter_and_sort_by_sip_code(tmp_path: Path) -> None:
    from uuid import uuid4

    from softphone.store import HistoryScope

    path = tmp_path / "h.sqlite3"
    codes = [486, None, 404, 200, 404]
    with History.open(path) as h:
        for code in codes:
            call = seed_call().model_copy(update={"id": uuid4()})
            h.save(call, CallDiagnostics(sip_code=code))
        assert [e.sip_code for e in h.list(10, scope=HistoryScope(by_sip_code=True))] == [
            200, 404, 404, 486, None]
        assert h.count(scope=HistoryScope(sip_code=404)) == 2
        assert {e.sip_code for e in h.list(10, scope=HistoryScope(sip_code=404))} == {404}
        # Through the search index too (a search of 3+ characters takes it).
        assert h.count(search="21656", scope=HistoryScope(sip_code=486)) == 1
        assert [e.sip_code for e in h.list(10, search="21656",
                                           scope=HistoryScope(by_sip_code=True))][:2] == [200, 404]
