"""The real window, offscreen, wired to the session's engine as softphone.app wires it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from softphone.app import HistorySaver
from softphone.store import History, LadderKeeper, Settings


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """GUI tests time out by thread, not by signal: SIGALRM's exception cannot leave a modal
    Qt dialog's event loop (a stuck question hung the whole run). The thread method prints
    every thread's stack, naming the hung test, and ends the run at once."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(method="thread"))


class WindowRig:
    """A MainWindow with its history, the engine polled by a QTimer as in the app."""

    def __init__(self, qtbot, engine, data_dir: Path, settings: Settings | None = None) -> None:
        from PySide6.QtCore import QTimer

        from softphone.ui.main_window import MainWindow

        self.qtbot = qtbot
        self.engine = engine
        self.data_dir = data_dir
        self.history = History.open(data_dir / "history.sqlite3")
        self.reader = History.open(data_dir / "history.sqlite3")
        self.saver = HistorySaver(self.history)
        engine.add_listener(self.saver)
        # As app.py: every call's SIP messages into the history, written from the poll.
        self.ladder = LadderKeeper(self.history)
        engine.add_trace_listener(self.ladder.add)
        engine.add_listener(self.ladder.follow)
        self.settings_path = data_dir / "settings.json"
        self.window = MainWindow(engine, self.reader, engine.recordings_dir,
                                 settings or Settings(), self.settings_path)
        self.opened: list[str] = []
        self.window.history_pane.open_url = lambda url: self.opened.append(url.toLocalFile())
        # pytest-qt closes the window before fixtures are torn down: end our calls first,
        # or its closeEvent asks (modally, for ever) whether to quit with calls up.
        qtbot.addWidget(self.window, before_close_func=lambda _w: self.end_calls())
        self.timer = QTimer()
        self.timer.timeout.connect(lambda: (engine.poll(0), self.ladder.flush()))
        self.timer.start(10)
        self.window.show()
        qtbot.waitExposed(self.window)

    def wait(self, condition: Callable[[], bool], timeout: float = 20) -> None:
        self.qtbot.waitUntil(condition, timeout=int(timeout * 1000))

    def wait_peer(self, peer, timeout: float = 20) -> None:
        """Keep the engine polled until SIPp's scenario ends, then demand it succeeded."""
        self.wait(lambda: peer.wait(timeout=0) is not None, timeout)
        peer.assert_success(timeout=1)

    def history_rows(self) -> list[list[str]]:
        model = self.window.history_pane.model
        rows = []
        for row in range(model.rowCount()):
            rows.append([model.data(model.index(row, col)) for col in range(model.columnCount())])
        return rows

    def wait_history(self, count: int) -> list[list[str]]:
        """The pane's rows once it shows ``count`` calls, every one of them over.

        A live call has its row too (its status follows the call): a test that wants the
        outcome waits for the end, as the user reading "hangup" in the row does.
        """
        from softphone.ui.history_model import COL_STATUS, LOADING

        model = self.window.history_pane.model

        def ready() -> bool:
            # Settled: no count or page still on its way (reading the rows asks for pages).
            rows = self.history_rows()
            return (not model.is_loading() and len(rows) == count
                    and all(LOADING not in r and r[COL_STATUS] == "hangup" for r in rows))

        self.wait(ready, 10)
        return self.history_rows()

    def end_calls(self) -> None:
        """Leave the shared engine idle for the next test."""
        for call in self.engine.active_calls:
            with contextlib.suppress(Exception):  # it ended meanwhile
                self.engine.hangup(call.id)
        deadline = time.monotonic() + 5
        while self.engine.active_calls and time.monotonic() < deadline:
            self.engine.poll(20)

    def close(self) -> None:
        self.end_calls()
        self.timer.stop()
        self.window.detach()
        self.engine.remove_listener(self.saver)
        self.engine.remove_trace_listener(self.ladder.add)
        self.engine.remove_listener(self.ladder.follow)
        self.history.close()
        self.reader.close()


@pytest.fixture
def rig(qtbot, engine, data_dir) -> Iterator[WindowRig]:
    engine.ring_timeout_s = None
    rig = WindowRig(qtbot, engine, data_dir)
    yield rig
    rig.close()
    engine.ring_timeout_s = None


@pytest.fixture
def stored(data_dir):
    """A history of 1,500 synthetic calls, and the calls."""
    from tests.gui.fake_calls import fake_calls

    history = History.open(data_dir / "history.sqlite3")
    calls = list(fake_calls(1500))
    history.save_many(calls)
    yield history, [c for c, _ in calls]
    history.close()

