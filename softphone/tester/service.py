"""The number tester for the window: a run on a thread of its own, results as plain dicts.

The window may not import the tester (layers): it talks to this through the structural
protocol ui.facade.NumberTester, wired by the composition root.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from softphone.store import History
from softphone.tester.flow_files import needs_flow, with_flows
from softphone.tester.jobs import Job, ListError, parse_csv, parse_lines
from softphone.tester.reports import write_csv, write_html, write_jsonl
from softphone.tester.result import NumberResult
from softphone.tester.run import RunOptions, TestRun

Row = Mapping[str, Any]


def parse_text(text: str, domain: str | None = None) -> list[Any]:
    """Pasted text: a CSV with a header naming ``target``, else one target a line."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if "target" in [cell.strip().lower() for cell in first.split(",")]:
        return parse_csv(text, domain, name="the list")
    return parse_lines(text, domain, name="the list")


def jobs_with_flows(text: str, domain: str | None, flow: str | None,
                    list_dir: Path | None) -> list[Job]:
    """The pasted list's jobs, each with the flow it runs (every flow loaded); ListError."""
    jobs = with_flows(parse_text(text, domain), list_dir, flow)
    if (lonely := needs_flow(jobs)) is not None:
        raise ListError(f"{lonely.where}, column expect: "
                        f"{lonely.expect.text if lonely.expect else ''} needs a flow with an "
                        "amd action (choose a flow, or the flow column)")
    return jobs


class RunHandle:
    def __init__(self, run: TestRun, thread: threading.Thread) -> None:
        self._run = run
        self._thread = thread
        self.run_id = run.run_id

    def stop(self) -> None:
        self._run.stop()

    def wait(self, timeout_s: float | None = None) -> bool:
        self._thread.join(timeout_s)
        return not self._thread.is_alive()


class NumberTesterService:
    def __init__(self, history_db: Path, recordings: Path, data_dir: Path | None = None,
                 host: str = "127.0.0.1") -> None:
        self.history_db = history_db
        self.recordings = recordings
        self.data_dir = data_dir
        self.host = host

    def check(self, text: str, domain: str | None = None, flow: str | None = None,
              list_dir: Path | None = None) -> str | None:
        """Why the list cannot run (one line), or None."""
        try:
            jobs_with_flows(text, domain, flow, list_dir)
        except ListError as exc:
            return str(exc)
        return None

    def start(self, text: str, *, concurrency: int, account: str | None,
              domain: str | None, on_result: Callable[[Row], None],
              on_done: Callable[[str | None], None], only: Sequence[int] = (),
              flow: str | None = None, list_dir: Path | None = None) -> RunHandle:
        """Run the list (or only the rows ``only``, 1-based) on a thread; callbacks run there.
        ``flow`` runs on each answered call; a row's flow column is relative to ``list_dir``."""
        jobs = jobs_with_flows(text, domain, flow, list_dir)
        if only:
            jobs = [job for job in jobs if job.index in set(only)]
        run = TestRun(jobs, RunOptions(concurrency=concurrency, account=account,
                                       host=self.host),
                      recordings=self.recordings, data_dir=self.data_dir)
        run.on_result = lambda result: on_result(result.model_dump())

        def body() -> None:
            problem: str | None = None
            try:
                with History.open(self.history_db, recordings_dir=self.recordings) as history:
                    run.history = history
                    run.run()
            except Exception as exc:  # reported in the window's status line, one line
                problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            on_done(problem)

        thread = threading.Thread(target=body, name=f"number test {run.run_id}", daemon=True)
        thread.start()
        return RunHandle(run, thread)

    def export(self, path: Path, rows: Sequence[Row], run_id: str = "") -> int:
        results = [NumberResult.model_validate(row) for row in rows]
        suffix = path.suffix.lower()
        if suffix in (".html", ".htm"):
            write_html(path, results, run_id=run_id or "number test")
        elif suffix in (".jsonl", ".json"):
            with path.open("w", encoding="utf-8") as handle:
                write_jsonl(results, handle)
        else:
            with path.open("w", encoding="utf-8", newline="") as handle:
                write_csv(results, handle)
        return len(results)
