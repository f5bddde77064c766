"""The calls panel's clock: it ticks while cards are up (ended ones leave on time, even
while new calls keep arriving), and an empty panel wakes nobody (issue 16: idle cost)."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from softphone.model import CallStatus
from tests.gui.fake_calls import fake_call

pytestmark = pytest.mark.gui


def test_ended_cards_leave_on_time_while_calls_keep_coming(qtbot, tmp_path: Path) -> None:
    from softphone.ui.calls_panel import ActiveCallsPanel

    panel = ActiveCallsPanel(tmp_path, None)
    qtbot.addWidget(panel)
    panel.show()
    panel.linger_s = 0.3
    rng = random.Random(3)
    ended, _ = fake_call(1, time.time_ns(), rng)
    panel.show_call(ended, None)
    made = 1

    def another_live_call() -> None:  # every 100 ms: more often than the panel ticks
        nonlocal made
        made += 1
        call, _ = fake_call(made, time.time_ns(), rng)
        panel.show_call(call.model_copy(update={"status": CallStatus.PROGRESSING,
                                                "tm_hangup": None}), None)

    feed = QTimer()
    feed.timeout.connect(another_live_call)
    feed.start(100)
    try:
        qtbot.waitUntil(lambda: ended.id not in panel.cards, timeout=3000)
        assert feed.isActive()  # gone while the calls still came
    finally:
        feed.stop()


def test_an_empty_panel_does_not_tick(qtbot, tmp_path: Path) -> None:
    from softphone.ui.calls_panel import ActiveCallsPanel

    panel = ActiveCallsPanel(tmp_path, None)
    qtbot.addWidget(panel)
    ticks: list[float] = []
    panel._timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    qtbot.wait(1200)
    assert ticks == []
    call, _ = fake_call(1, time.time_ns(), random.Random(4))
    panel.show_call(call, None)
    qtbot.waitUntil(lambda: len(ticks) >= 1, timeout=2000)
    panel.remove(call.id)
    settled = len(ticks)
    qtbot.wait(1200)
    assert len(ticks) == settled
