"""`softphone test LIST`: the number tester on the command line."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from softphone.cli.account_cmd import chosen_account
from softphone.cli.args import pjsip_log_level
from softphone.cli.exits import (
    EXIT_EXPECTATION_FAILED,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    fail,
)
from softphone.store import DataDirs, History, StoreError
from softphone.tester.cluster import ClusterError, run_on_cluster
from softphone.tester.flow_files import needs_flow, with_flows
from softphone.tester.jobs import ListError, read_list
from softphone.tester.pool import PoolError
from softphone.tester.protocol import Result
from softphone.tester.reports import write_csv, write_html, write_jsonl
from softphone.tester.result import NumberResult
from softphone.tester.run import RunOptions, TestRun
from softphone.tester.terminal import Progress, summary_table


def on_cluster(address: str, run: TestRun, history: History,
               on_result: Callable[[NumberResult], None]) -> list[NumberResult]:
    """The run's jobs on a Dask cluster; its calls land in this machine's history."""
    import time

    def save(message: Result) -> None:
        try:
            history.save(message.call, message.diagnostics, test_run=run.run_id)
        except StoreError as exc:
            run.store_error = exc

    run.started_at = time.monotonic()
    try:
        return run_on_cluster(address, run.jobs, run.options, run.run_id, save, on_result,
                              should_stop=lambda: run.stop_requested)
    finally:
        run.ended_at = time.monotonic()
        run.stopped = run.stop_requested


def run_test(args: argparse.Namespace, dirs: DataDirs) -> int:
    account = chosen_account(args.account, dirs)
    domain = (account.domain if account else None) or os.environ.get("SOFTPHONE_DOMAIN")
    try:
        stdin_text = sys.stdin.read() if args.list == "-" else None
        jobs = read_list(args.list, stdin_text, domain or None)
        # Every flow loads before any call; a row's flow is relative to the list file.
        jobs = with_flows(jobs, Path(args.list).parent if args.list != "-" else None, args.flow)
    except ListError as exc:
        return fail(str(exc), EXIT_USAGE)
    if (lonely := needs_flow(jobs)) is not None:
        return fail(f"{lonely.where}, column expect: {lonely.expect.text if lonely.expect else ''}"
                    " needs a flow with an amd action (--flow or the flow column)", EXIT_USAGE)
    report = Path(args.report) if args.report else None
    if report is not None and not report.parent.is_dir():
        return fail(f"--report {report}: no such folder {report.parent}", EXIT_USAGE)
    options = RunOptions(
        concurrency=args.concurrency, rate=args.rate, dial_timeout_s=args.dial_timeout,
        max_duration_s=args.max_duration, record=args.record, retries=args.retries,
        account=account.name if account else None, host=args.bind_host,
        log_level=pjsip_log_level(args.verbose),
    )
    history = History.open(dirs.history_db, recordings_dir=dirs.recordings)
    dirs.recordings.mkdir(parents=True, exist_ok=True)
    run = TestRun(jobs, options, history=history, recordings=dirs.recordings,
                  data_dir=dirs.root)
    progress = Progress(len(jobs), sys.stderr, live=sys.stderr.isatty())

    def on_result(result: NumberResult) -> None:
        progress.in_flight = run.in_flight
        progress.finished(result)
        if args.json:
            sys.stdout.write(result.model_dump_json() + "\n")
            sys.stdout.flush()

    def on_tick() -> None:
        progress.in_flight = run.in_flight
        progress.draw()

    run.on_result = on_result
    run.on_tick = on_tick

    def stop(signum: int, frame: FrameType | None) -> None:
        run.stop()

    previous = (signal.signal(signal.SIGINT, stop), signal.signal(signal.SIGTERM, stop))
    sys.stderr.write(f"testing {len(jobs)} numbers ({run.run_id}, {run.workers_needed} "
                     f"engine processes, up to {options.concurrency} calls at once)\n")
    try:
        results = on_cluster(args.cluster, run, history, on_result) if args.cluster else run.run()
    except (PoolError, ClusterError) as exc:
        return fail(str(exc), EXIT_FAILURE)
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])
        progress.close()
        history.close()
    wall = run.ended_at - run.started_at
    summary = (f"{run.run_id}: {len(results)} numbers in {wall:.1f} s"
               + (" (stopped by Ctrl+C)" if run.stopped else ""))
    if args.json:  # each result went out as it came; then the numbers never called
        for result in results:
            if result.attempts == 0:
                sys.stdout.write(result.model_dump_json() + "\n")
    elif args.csv:
        reconfigure = getattr(sys.stdout, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(newline="")
        write_csv(results, sys.stdout)
    else:
        print(summary_table(results))
    if report is not None:
        write_html(report, results, run_id=run.run_id, summary=summary)
        sys.stderr.write(f"report: {report}\n")
    sys.stderr.write(summary + f"; calls are in history as test run {run.run_id}\n")
    if run.store_error is not None:
        return fail(str(run.store_error))
    if run.stopped:
        return EXIT_INTERRUPTED
    return EXIT_EXPECTATION_FAILED if any(r.passed is False for r in results) else EXIT_OK


__all__ = ["run_test", "write_jsonl"]
