"""The same jobs on a Dask cluster (``--cluster ADDRESS``; the optional extra ``[cluster]``).

The list is cut into one chunk per Dask worker; each chunk is one task that runs a TestRun
there, with that machine's own engine worker processes (its own Endpoints and ports), and
sends back every call's Result (Call and diagnostics, for this machine's history) and the
chunk's per-number results. --rate and --concurrency are shared out between the chunks, so
the cluster as a whole keeps them. Dask, not a hand-made protocol: it already does
scheduling, worker discovery and result transport, and runs on one machine too
(LocalCluster) for the tests. Ctrl+C here sets a Dask Event the chunks watch: each ends its
calls cleanly, as a local run does, and sends back what it has.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from softphone.tester.jobs import Job
from softphone.tester.protocol import Result
from softphone.tester.result import NumberResult
from softphone.tester.run import RunOptions, TestRun

_log = logging.getLogger(__name__)


class ClusterError(RuntimeError):
    """The cluster cannot be used; the message is one line."""


STOP_POLL_S = 0.2


def _stop_name(run_id: str) -> str:
    return f"softphone-test-stop-{run_id}"


def run_chunk(jobs: list[Job], options: RunOptions, run_id: str) -> dict[str, Any]:
    """One Dask task: the chunk's calls from this machine's engine processes."""
    from distributed import Event

    run = TestRun(jobs, options, run_id=run_id)
    calls: list[dict[str, Any]] = []
    run.on_call = lambda message: calls.append(message.model_dump(mode="json"))
    stop = Event(_stop_name(run_id))  # type: ignore[no-untyped-call]
    asked = {"at": 0.0}

    def tick() -> None:  # on the task's own thread: Dask's client calls work only there
        now = time.monotonic()
        if now - asked["at"] < STOP_POLL_S:
            return
        asked["at"] = now
        try:
            if stop.is_set():  # type: ignore[no-untyped-call]
                run.stop()
        except Exception:  # the scheduler gone: the run goes on to its end
            _log.warning("the cluster's stop flag cannot be read", exc_info=True)

    run.on_tick = tick
    results = run.run()
    return {"results": [r.model_dump(mode="json") for r in results], "calls": calls,
            "stopped": run.stopped}


def chunks(jobs: list[Job], count: int) -> list[list[Job]]:
    size = math.ceil(len(jobs) / max(1, count))
    return [jobs[i:i + size] for i in range(0, len(jobs), size)]


def run_on_cluster(address: str, jobs: list[Job], options: RunOptions, run_id: str,
                   on_call: Callable[[Result], None],
                   on_result: Callable[[NumberResult], None],
                   should_stop: Callable[[], bool] = lambda: False) -> list[NumberResult]:
    """The jobs on the cluster at ``address``; ``should_stop()`` (polled) asks every chunk to
    end its calls and report what it has."""
    try:
        from distributed import Client, Event, as_completed
    except ImportError:
        raise ClusterError("--cluster needs Dask: pip install 'softphone[cluster]'") from None
    try:
        client = Client(address, timeout="10s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        parts = chunks(jobs, workers)
        share = dataclasses.replace(
            options,
            concurrency=max(1, options.concurrency // len(parts)),
            rate=options.rate / len(parts) if options.rate else None,
        )
        futures = [client.submit(run_chunk, part, share, run_id, pure=False) for part in parts]
        stop = Event(_stop_name(run_id), client=client)  # type: ignore[no-untyped-call]
        stop_sent = False
        by_job: dict[int, NumberResult] = {}
        ready = as_completed(futures)  # type: ignore[no-untyped-call]
        while not ready.is_empty():  # type: ignore[no-untyped-call]
            if should_stop() and not stop_sent:
                stop.set()  # type: ignore[no-untyped-call]
                stop_sent = True
            if not ready.has_ready():  # type: ignore[no-untyped-call]
                time.sleep(0.05)
                continue
            for future in ready.next_batch(block=False):  # type: ignore[no-untyped-call]
                done = future.result()
                for message in done["calls"]:
                    on_call(Result.model_validate(message))
                for row in done["results"]:
                    result = NumberResult.model_validate(row)
                    by_job[result.job] = result
                    if result.attempts:  # a number a stop left uncalled is no call's result
                        on_result(result)
        return [by_job[job.index] for job in jobs if job.index in by_job]
    finally:
        client.close()  # type: ignore[no-untyped-call]
