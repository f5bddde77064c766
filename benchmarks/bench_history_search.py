"""History search: list/count times with and without the FTS5 trigram index.

Keeps (in $TMPDIR, built once) a schema-1 history of synthetic calls, copies it, opens
the copy (which migrates it to schema 2: the search index; the time is printed), then
times each search both ways on the same file: "LIKE" is the scan every search was before
schema 2 (the same SQL; the index switched off), "index" is what History does now.

    .venv/bin/python benchmarks/bench_history_search.py [--rows 1000000]

A million calls take minutes to build and ~1.5 GB; the copy is kept and reused (pass
--migrate to time the migration again). A schema-1 file of the same size made by
benchmarks/bench_history_pane.py is reused when there is one: --v1 PATH.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from softphone.model import CallDirection  # noqa: E402
from softphone.store import History  # noqa: E402
from tests.gui.fake_calls import fake_calls  # noqa: E402

BATCH = 20_000
PAGE = 200  # the window's page (softphone/ui/history_model.PAGE_ROWS)
# (search, direction): short ones (LIKE either way), numbers, a name, nothing, everything.
SEARCHES: list[tuple[str, CallDirection | None]] = [
    ("5", None),
    ("55", None),
    ("5550", None),
    ("+8210123", None),
    ("alice", None),
    ("alice", CallDirection.INCOMING),
    ("carol park", None),
    ("nothing-matches-this", None),
    ("pbx.example.com", None),
]


def build_v1(path: Path, rows: int) -> None:
    """A schema-1 history of ``rows`` calls: built with History, then the index dropped."""
    print(f"building {path} with {rows:,} calls (once)...", flush=True)
    started = time.perf_counter()
    tmp = path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    with History.open(tmp) as history:
        batch = []
        for item in fake_calls(rows, seed=rows):
            batch.append(item)
            if len(batch) == BATCH:
                history.save_many(batch)
                batch = []
        if batch:
            history.save_many(batch)
    con = sqlite3.connect(tmp, isolation_level=None)
    for trigger in ("calls_search_insert", "calls_search_delete", "calls_search_update"):
        con.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    con.execute("DROP TABLE IF EXISTS calls_search")
    con.execute("PRAGMA user_version = 1")
    con.execute("VACUUM")
    con.execute("PRAGMA journal_mode = DELETE")
    con.close()
    tmp.rename(path)
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)


def timed(run: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """Median seconds of ``repeat`` runs (the first warms the cache, as a user's does)."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "softphone-bench-search")
    parser.add_argument("--v1", type=Path, help="an existing schema-1 file of --rows calls")
    parser.add_argument("--migrate", action="store_true",
                        help="copy the schema-1 file again and time the migration")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="  %(relativeCreated)7.0f ms %(message)s")
    args.dir.mkdir(parents=True, exist_ok=True)

    v1 = args.v1 or args.dir / f"v1-{args.rows}.sqlite3"
    if not v1.exists():
        build_v1(v1, args.rows)
    work = args.dir / f"v2-{args.rows}.sqlite3"
    if args.migrate or not work.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(v1, work)
        print(f"migrating a copy of {v1} ({v1.stat().st_size / 1e6:.0f} MB) to schema 2...",
              flush=True)
        started = time.perf_counter()
        History.open(work).close()
        print(f"  migration (open of a schema-1 file): {time.perf_counter() - started:.1f} s",
              flush=True)
    con = sqlite3.connect(work)
    index_mb = sum(
        size for (size,) in con.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'calls_search%'"
        )
    ) / 1e6
    con.close()

    with History.open(work) as history:
        total = history.count()
        print(f"\n{total:,} calls ({work.stat().st_size / 1e6:.0f} MB on disk, "
              f"of it the search index {index_mb:.0f} MB)")
        print(f"  {'search':32s} {'matches':>8s}  {'':5s} {'count':>11s} "
              f"{'first page':>11s} {'page at 50%':>11s}")
        for text, direction in SEARCHES:
            label = repr(text) + (f" +{direction.value}" if direction else "")
            for mode, fts in (("LIKE", False), ("index", True)):
                history._fts = fts  # off: the scan every search took before schema 2
                query: dict[str, Any] = {"search": text, "direction": direction}
                count_s, count = timed(partial(history.count, **query))
                assert isinstance(count, int)
                first_s, _ = timed(partial(history.list, PAGE, 0, **query))
                middle = count // 2 // PAGE * PAGE
                middle_s, _ = timed(partial(history.list, PAGE, middle, **query))
                matches = f"{count:,}" if mode == "LIKE" else ""
                print(f"  {label if mode == 'LIKE' else '':32s} {matches:>8s}  {mode:5s} "
                      f"{ms(count_s)}  {ms(first_s)}  {ms(middle_s)}", flush=True)
            history._fts = True
    return 0


if __name__ == "__main__":
    sys.exit(main())
