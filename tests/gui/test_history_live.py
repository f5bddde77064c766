"""The history pane keeps up with a busy line: calls show as they come, not after a lull."""

from __future__ import annotations

import random
import time

import pytest
from PySide6.QtCore import QTimer

from softphone.store import History
from tests.gui.fake_calls import fake_call

pytestmark = pytest.mark.gui


def test_calls_show_while_calls_keep_coming(qtbot, data_dir):
    # A number tester run or a call centre's line changes calls every few milliseconds. The
    # pane used to show none of them until the traffic paused: each new count query pushed
    # back the timer that collects query results (the memory soak saw it freeze at 6 rows).
    from softphone.ui.history_pane import HistoryPane

    writer = History.open(data_dir / "history.sqlite3")
    reader = History.open(data_dir / "history.sqlite3", recover=False)
    pane = HistoryPane(reader, data_dir / "recordings")
    qtbot.addWidget(pane)
    pane.show()
    rng = random.Random(16)
    start_ns = time.time_ns() - 10**12
    made = 0

    def one_more_call() -> None:
        nonlocal made
        made += 1
        call, diagnostics = fake_call(made, start_ns + made * 10**9, rng)
        writer.save(call, diagnostics)
        pane.call_changed(call, diagnostics)

    feed = QTimer()
    feed.setInterval(2)
    feed.timeout.connect(one_more_call)
    feed.start()
    try:
        # While the calls still come (the feed only stops after this wait).
        qtbot.waitUntil(lambda: pane.model.rowCount() >= 50, timeout=5000)
        assert feed.isActive()
        assert pane.count_label.text().endswith(" calls")
    finally:
        feed.stop()
        pane.shutdown()
        writer.close()
        reader.close()
