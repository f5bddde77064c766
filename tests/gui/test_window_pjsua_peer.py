"""Real calls through the window against a second pjsua2 process (tests/peers/pjsua_peer.py).

The window runs on the session's engine (one pjsua2 Endpoint per process); the peer is
its own process with its own Endpoint, on 127.0.0.1. Clicks here, SIP and RTP for real.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from softphone.ui.history_model import (
    COL_DIRECTION,
    COL_DURATION,
    COL_HANGUP_BY,
    COL_REASON,
    COL_STATUS,
    COL_TO,
    LOADING,
)
from tests.softphone_cli import ROOT

pytestmark = [pytest.mark.gui, pytest.mark.sip]

PEER = ROOT / "tests" / "peers" / "pjsua_peer.py"
LEFT = Qt.MouseButton.LeftButton


class PjsuaPeer:
    """One pjsua_peer process; its stdout says READY <port>, then one JSON line per call."""

    def __init__(self, log: Path, *args: str) -> None:
        self.log = log
        with log.open("w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, str(PEER), "--timeout", "30", *args],
                stdout=subprocess.PIPE, stderr=err, text=True, cwd=ROOT,
            )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # before the peer sends anything
        if not line.startswith("READY "):
            self.stop()
            pytest.fail(f"pjsua_peer did not start: {line!r}\n{self.stderr_tail()}")
        self.port = int(line.split()[1])

    @property
    def uri(self) -> str:
        return f"sip:peer@127.0.0.1:{self.port}"

    def stderr_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def finish(self, rig: Any, timeout: float = 20) -> list[dict[str, Any]]:
        """Keep our engine polled until the peer has exited (its last requests answered,
        its last responses ACKed), then its JSON lines: one per call it saw end."""
        rig.wait(lambda: self.proc.poll() is not None, timeout)
        assert self.proc.stdout is not None
        out = self.proc.stdout.read()
        assert self.proc.returncode == 0, f"pjsua_peer exit {self.proc.returncode}\n" + (
            self.stderr_tail())
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def pjsua(rig, tmp_path) -> Iterator[Callable[..., PjsuaPeer]]:
    """Start pjsua_peer processes; any still running at the end are stopped (before the
    rig's teardown, which depends on nothing here)."""
    peers: list[PjsuaPeer] = []

    def start(*args: str) -> PjsuaPeer:
        peer = PjsuaPeer(tmp_path / f"pjsua_peer_{len(peers)}.log", *args)
        peers.append(peer)
        return peer

    yield start
    for peer in peers:
        peer.stop()


def record_badges(rig) -> list[str]:
    """Every status the only call's badge shows, in order, from the card's first paint."""
    shown: list[str] = []
    rig.window.calls.card_added.connect(lambda card: (shown.append(card.badge.text()),
                                                      card.badge_changed.connect(shown.append)))
    return shown


def visible_card(rig):
    """The only call's card, once it is on screen (what the user waits for)."""
    rig.wait(lambda: len(rig.window.calls.cards) == 1
             and next(iter(rig.window.calls.cards.values())).isVisible(), 10)
    return next(iter(rig.window.calls.cards.values()))


def counted(log: list[str], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, noting each call in ``log`` (from the history worker thread: list.append)."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        log.append(name)
        return fn(*args, **kwargs)
    return wrapper


def call_me(engine) -> str:
    return f"sip:softphone@127.0.0.1:{engine.local_port}"


def test_incoming_call_answered_with_the_button_and_hung_up_by_the_peer(
    rig, qtbot, engine, pjsua
):
    shown = record_badges(rig)
    peer = pjsua("--call", call_me(engine), "--hangup-after", "2")
    card = visible_card(rig)
    assert card.badge.text() == "ringing"
    assert card.direction.text().endswith("Incoming")
    assert card.name.text().startswith("sip:peer@127.0.0.1")  # the peer, not SIPp
    assert card.answer_button.isVisible() and card.decline_button.isVisible()
    qtbot.mouseClick(card.answer_button, LEFT)
    rig.wait(lambda: card.badge.text() == "progressing")
    assert not card.answer_button.isVisible()
    assert card.elapsed.text().startswith("talk")
    rig.wait(lambda: card.badge.text() == "hangup")
    [event] = peer.finish(rig)
    assert shown == ["ringing", "progressing", "hangup"]
    assert card.outcome.text() == "hangup by remote: normal"
    # The peer saw the call answered and talked for its two seconds before its BYE.
    assert event["role"] == "caller" and event["connect_duration_s"] >= 1.5
    [row] = rig.wait_history(1)
    assert row[COL_DIRECTION].endswith("Incoming")
    assert (row[COL_STATUS], row[COL_HANGUP_BY], row[COL_REASON]) == (
        "hangup", "remote", "normal")
    assert row[COL_DURATION] in ("0:01", "0:02", "0:03")
    assert rig.window.missed == 0


def test_outgoing_call_from_the_target_field_hung_up_with_the_button(rig, qtbot, pjsua):
    shown = record_badges(rig)
    peer = pjsua("--listen", "--answer-after", "0.5")
    window = rig.window
    window.target_field.setFocus()
    qtbot.keyClicks(window.target_field, peer.uri)
    assert window.call_button.isEnabled()
    qtbot.mouseClick(window.call_button, LEFT)
    card = visible_card(rig)
    assert card.direction.text().endswith("Outgoing")
    rig.wait(lambda: card.badge.text() == "progressing")
    assert window.hangup_button.isEnabled()
    qtbot.mouseClick(window.hangup_button, LEFT)
    rig.wait(lambda: card.badge.text() == "hangup")
    [event] = peer.finish(rig)
    assert shown == ["dialing", "ringing", "progressing", "terminating", "hangup"]
    assert card.outcome.text() == "hangup by local: normal"
    assert event["role"] == "callee" and event["connect_duration_s"] > 0
    [row] = rig.wait_history(1)
    assert row[COL_DIRECTION].endswith("Outgoing")
    assert (row[COL_STATUS], row[COL_HANGUP_BY], row[COL_REASON]) == (
        "hangup", "local", "normal")
    assert not window.hangup_button.isEnabled()


def test_incoming_call_declined_with_the_button_is_busy_for_the_peer(
    rig, qtbot, engine, pjsua
):
    shown = record_badges(rig)
    peer = pjsua("--call", call_me(engine))
    card = visible_card(rig)
    qtbot.mouseClick(card.decline_button, LEFT)
    rig.wait(lambda: card.badge.text() == "hangup")
    [event] = peer.finish(rig)
    assert event["last_status_code"] == 486  # what the caller was told: busy here
    assert event["connect_duration_s"] == 0
    assert shown == ["ringing", "terminating", "hangup"]
    assert card.outcome.text() == "hangup by local: busy"
    [row] = rig.wait_history(1)
    assert (row[COL_STATUS], row[COL_HANGUP_BY], row[COL_REASON]) == ("hangup", "local", "busy")
    assert rig.window.missed == 0  # declined here, so not missed


def test_history_row_of_a_live_call_follows_its_status_without_reloading(
    rig, qtbot, pjsua, monkeypatch
):
    peer = pjsua("--listen", "--answer-after", "1.5")
    model = rig.window.history_pane.model

    def top_row() -> list[str] | None:
        rows = rig.history_rows()
        return rows[0] if len(rows) == 1 and LOADING not in rows[0] else None

    rig.window.dial(peer.uri)
    card = visible_card(rig)
    # A call just placed is in the history at once, and its row says it is ringing.
    rig.wait(lambda: (row := top_row()) is not None and row[COL_STATUS] == "ringing", 5)
    assert card.badge.text() == "ringing"
    assert (top_row() or [])[COL_HANGUP_BY] == ""  # not over: nobody hung up yet
    rig.wait(lambda: not model.is_loading(), 5)
    queries: list[str] = []
    for name in ("count", "list"):
        monkeypatch.setattr(rig.reader, name, counted(queries, name, getattr(rig.reader, name)))
    # Answered by the peer: the row says so while the call is still up, with no new query.
    rig.wait(lambda: (row := top_row()) is not None and row[COL_STATUS] == "progressing", 5)
    assert card.badge.text() == "progressing" and not card.is_over
    assert queries == []
    qtbot.mouseClick(card.hangup_button, LEFT)
    rig.wait(lambda: card.badge.text() == "hangup")
    peer.finish(rig)
    # The end counts the history again: the final row, talk time included.
    [row] = rig.wait_history(1)
    assert (row[COL_STATUS], row[COL_HANGUP_BY], row[COL_REASON]) == (
        "hangup", "local", "normal")
    assert "count" in queries


def test_a_host_that_cannot_be_found_still_lands_in_history_as_failed(rig, qtbot):
    window = rig.window
    window.target_field.setFocus()
    qtbot.keyClicks(window.target_field, "sip:x@no-such-host.invalid")
    qtbot.mouseClick(window.call_button, LEFT)
    [row] = rig.wait_history(1)
    assert row[COL_DIRECTION].endswith("Outgoing")
    assert (row[COL_STATUS], row[COL_HANGUP_BY], row[COL_REASON]) == (
        "hangup", "remote", "failed")
    assert "no-such-host.invalid" in row[COL_TO]  # who we tried to call
    message = window.statusBar().currentMessage()
    assert message.startswith("Cannot call sip:x@no-such-host.invalid: the host "
                              "no-such-host.invalid cannot be found (")
    entry = window.history_pane.entry_at(0)
    assert entry is not None and entry.detail is not None
    assert "no-such-host.invalid cannot be found" in entry.detail
    card = visible_card(rig)
    assert card.outcome.text() == "hangup by remote: failed"
