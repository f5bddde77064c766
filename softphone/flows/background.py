"""Slow preparation (speech synthesis, MP3 decoding) off the poll thread.

The work runs on a worker thread; the step polls for its result with engine timers, so the
poll thread never waits and the result is used on the poll thread (pjsua2 mainThreadOnly).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from softphone.flows.errors import ActionFailed

if TYPE_CHECKING:
    from softphone.flows.runner import Step

T = TypeVar("T")
POLL_S = 0.02
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="flow-prepare")


def prepare(step: Step, work: Callable[[], T], then: Callable[[T], None]) -> None:
    """Run ``work`` on a worker; ``then(result)`` on the poll thread while the step runs.
    An ActionFailed from ``work`` fails the step."""
    future: Future[T] = _POOL.submit(work)

    def check() -> None:
        if not future.done():
            step.later(POLL_S, check)
            return
        error = future.exception()
        if isinstance(error, ActionFailed):
            raise error
        if error is not None:
            raise ActionFailed(f"{type(error).__name__}: {error}")
        then(future.result())

    step.later(POLL_S, check)
