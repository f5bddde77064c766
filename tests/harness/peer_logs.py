"""A failing test's report carries the log of every peer process it started."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from tests.peers.base import STARTED, peer_log_sections


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        for title, text in peer_log_sections():
            report.sections.append((title, text))
    if report.when == "teardown":
        STARTED.clear()
    return report
