"""Any ERROR log record a test did not declare fails that test.

The product logs at ERROR only when something went wrong that nobody else reports; the
sharpest case is ``guarded()`` (softphone/engine/session.py), which swallows an exception
raised inside a SIP callback so it never reaches pjsua2's C++ and logs it instead. Without
this hook such a test passes while the call it drives was handled by half a callback.

A test that means to provoke an ERROR declares it, by marker or by fixture::

    @pytest.mark.expect_error(r"cannot record to")
    def test_x(): ...

    def test_y(expected_errors):
        expected_errors.allow(r"background job failed")

Records are collected from every phase (setup, call, teardown) by a handler on the root
logger, so they are caught whatever logger (softphone.*, a library) emitted them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Generator, Iterator

import pytest

_stash_key = pytest.StashKey["ErrorLogs"]()


class ErrorLogs(logging.Handler):
    """ERROR-or-worse records of one test, and the patterns it declared."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.allowed: list[re.Pattern[str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def allow(self, pattern: str) -> None:
        """Declare that ERROR records whose text matches ``pattern`` (a regex) are expected."""
        self.allowed.append(re.compile(pattern, re.S))

    def unexpected(self) -> list[logging.LogRecord]:
        return [r for r in self.records
                if not any(p.search(_text(r)) for p in self.allowed)]


def _text(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a broken format string is itself worth seeing
        return f"{record.msg!r} % {record.args!r}"


def _report(records: list[logging.LogRecord]) -> str:
    lines = [f"{len(records)} ERROR log record(s) this test did not declare "
             "(declare with @pytest.mark.expect_error(regex) or expected_errors.allow):"]
    for r in records:
        lines.append(f"--- {r.levelname} {r.name} ({r.pathname}:{r.lineno})\n{_text(r)}")
    return "\n".join(lines)


def pytest_runtest_setup(item: pytest.Item) -> None:
    logs = ErrorLogs()
    for mark in item.iter_markers("expect_error"):
        for pattern in mark.args:
            logs.allow(pattern)
    item.stash[_stash_key] = logs
    logging.getLogger().addHandler(logs)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    # Checked right after the test body so the failure is the test's own, not a teardown
    # error; records from teardown are checked by pytest_runtest_teardown below.
    result = yield
    logs = item.stash.get(_stash_key, None)
    if logs is not None:
        bad = logs.unexpected()
        logs.records.clear()
        if bad:
            raise pytest.fail.Exception(_report(bad), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    try:
        result = yield
    finally:
        logs = item.stash.get(_stash_key, None)
        if logs is not None:
            logging.getLogger().removeHandler(logs)
    if logs is not None:
        bad = logs.unexpected()
        if bad:
            raise pytest.fail.Exception(_report(bad), pytrace=False)
    return result


@pytest.fixture
def expected_errors(request: pytest.FixtureRequest) -> Iterator[ErrorLogs]:
    """This test's ERROR collector: ``expected_errors.allow(regex)`` declares one."""
    yield request.node.stash[_stash_key]
