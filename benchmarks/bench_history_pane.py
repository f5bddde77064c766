"""History pane: open, scroll and search times over 100k and 1M stored calls.

Builds (once, cached in $TMPDIR) a history of synthetic finished calls, then drives the
real HistoryPane offscreen and times what a user waits for: the first screen of rows,
the rows after a scrollbar jump, the first rows and count after a search or a filter.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_history_pane.py \
        [--sizes 100000 1000000]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from softphone.model import HangupReason  # noqa: E402
from softphone.store import History  # noqa: E402
from softphone.ui.history_model import LOADING, MAX_PAGES  # noqa: E402
from softphone.ui.history_pane import HistoryPane  # noqa: E402
from tests.gui.fake_calls import fake_calls  # noqa: E402

BATCH = 20_000


def build(path: Path, size: int) -> None:
    if path.exists():
        with History.open(path) as history:
            if history.count() == size:
                return
        path.unlink()
    print(f"building {path} with {size:,} calls (once)...", flush=True)
    started = time.perf_counter()
    with History.open(path) as history:
        batch = []
        for item in fake_calls(size, seed=size):
            batch.append(item)
            if len(batch) == BATCH:
                history.save_many(batch)
                batch = []
        if batch:
            history.save_many(batch)
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)


def wait_for(done, timeout: float = 120.0) -> float:
    """Run the Qt event loop until ``done()``; return the seconds it took."""
    started = time.perf_counter()
    loop = QEventLoop()
    check = QTimer()
    # A nested loop, never a processEvents() loop (PySide6 6.12 leaks a None per call).
    check.timeout.connect(lambda: loop.quit() if done() else None)
    check.start(1)
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    if not done():
        loop.exec()
    check.stop()
    if not done():
        raise TimeoutError("the history pane did not get there in time")
    return time.perf_counter() - started


def visible_rows_loaded(pane: HistoryPane) -> bool:
    view = pane.table
    top = view.rowAt(0)
    bottom = view.rowAt(view.viewport().height() - 1)
    bottom = pane.model.rowCount() - 1 if bottom < 0 else bottom
    if top < 0:
        return pane.model.rowCount() == 0
    model = pane.model
    return all(model.data(model.index(r, 2)) != LOADING for r in (top, (top + bottom) // 2, bottom))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def bench(size: int, folder: Path) -> None:
    path = folder / f"history-{size}.sqlite3"
    build(path, size)
    history = History.open(path)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    pane = HistoryPane(history, folder / "recordings")
    pane.resize(1100, 700)
    pane.show()
    wait_for(lambda: pane.model.rowCount() == size and visible_rows_loaded(pane))
    open_s = time.perf_counter() - started

    bar = pane.table.verticalScrollBar()
    jumps = []
    for fraction in (0.25, 0.5, 0.75, 1.0, 0.1, 0.9, 0.33, 0.66):
        bar.setValue(int(bar.maximum() * fraction))
        jumps.append(wait_for(lambda: visible_rows_loaded(pane)))
    steps = []
    bar.setValue(bar.maximum() // 2)
    wait_for(lambda: visible_rows_loaded(pane))
    for _ in range(20):  # page-down presses
        bar.setValue(bar.value() + bar.pageStep())
        steps.append(wait_for(lambda: visible_rows_loaded(pane)))

    searches = []
    for text in ("5550", "+8210123", "alice", "nothing-matches-this"):
        pane.search.setText(text)
        started = time.perf_counter()
        pane.apply_filter()
        wait_for(lambda: not pane.model.is_loading() and visible_rows_loaded(pane))
        searches.append((text, time.perf_counter() - started, pane.model.rowCount()))
    pane.search.setText("")
    started = time.perf_counter()
    pane.reason.setCurrentIndex(pane.reason.findData(HangupReason.BUSY))
    wait_for(lambda: not pane.model.is_loading() and visible_rows_loaded(pane))
    reason_s = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    print(f"\n{size:,} calls ({path.stat().st_size / 1e6:.0f} MB on disk)")
    print(f"  open (count + first screen of rows)   {ms(open_s)}")
    print(f"  scrollbar jump, rows shown            median {ms(statistics.median(jumps))}"
          f"   max {ms(max(jumps))}")
    print(f"  page down, rows shown                 median {ms(statistics.median(steps))}"
          f"   max {ms(max(steps))}")
    for text, seconds, count in searches:
        print(f"  search {text!r:24s}     {ms(seconds)}   ({count:,} matches)")
    print(f"  filter reason=busy                    {ms(reason_s)}   "
          f"({pane.model.rowCount():,} matches)")
    print(f"  pages kept in memory: {len(pane.model._pages)} (max {MAX_PAGES}); "
          f"peak RSS grew {(rss_after - rss_before) / 1024:.0f} MB")
    pane.shutdown()
    pane.deleteLater()
    history.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "softphone-bench-history")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    _app = QApplication.instance() or QApplication(sys.argv)
    for size in args.sizes:
        bench(size, args.dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
