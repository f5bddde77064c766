"""The strict harness itself: what fails a test that would otherwise pass in silence."""

from __future__ import annotations

import pytest

CONFTEST = """
from tests.harness.error_logs import (
    expected_errors, pytest_runtest_call, pytest_runtest_setup, pytest_runtest_teardown,
)
"""


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    from pathlib import Path

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")

    root = Path(__file__).resolve().parents[2]
    pytester.makeconftest(CONFTEST)
    pytester.makeini(f"""
[pytest]
pythonpath = {root}
addopts = --strict-markers --strict-config
xfail_strict = true
filterwarnings = error
qt_log_level_fail = WARNING
markers =
    expect_error(pattern): expected ERROR records
""")
    return pytester


def test_an_exception_swallowed_by_guarded_fails_the_test(suite: pytest.Pytester) -> None:
    suite.makepyfile("""
from softphone.engine.session import guarded

def boom():
    raise ValueError("callback broke")

def test_callback():
    guarded(boom)   # what a SIP callback does: the exception is logged, not raised
""")
    result = suite.runpytest_subprocess()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ERROR log record(s) this test did not declare*",
                                 "*callback broke*"])


def test_a_declared_error_passes(suite: pytest.Pytester) -> None:
    suite.makepyfile("""
import logging
import pytest

@pytest.mark.expect_error("disk full")
def test_marker():
    logging.getLogger("softphone.store").error("cannot save: disk full")

def test_fixture(expected_errors):
    expected_errors.allow("no route")
    logging.getLogger("x").error("no route to host")

def test_other_error_still_fails(expected_errors):
    expected_errors.allow("no route")
    logging.getLogger("x").error("something else")
""")
    result = suite.runpytest_subprocess()
    result.assert_outcomes(passed=2, failed=1)


def test_an_error_in_fixture_teardown_fails(suite: pytest.Pytester) -> None:
    suite.makepyfile("""
import logging
import pytest

@pytest.fixture
def resource():
    yield
    logging.getLogger("x").error("leaked at close")

def test_t(resource):
    pass
""")
    result = suite.runpytest_subprocess()
    result.assert_outcomes(passed=1, errors=1)


def test_warnings_unknown_markers_and_passing_xfails_fail(suite: pytest.Pytester) -> None:
    suite.makepyfile("""
import warnings
import pytest

def test_warn():
    warnings.warn("old API", DeprecationWarning)

@pytest.mark.xfail(reason="should fail")
def test_xpass():
    pass
""")
    result = suite.runpytest_subprocess()
    result.assert_outcomes(failed=2)
    suite.makepyfile(test_marker="""
import pytest

@pytest.mark.not_declared
def test_m():
    pass
""")
    result = suite.runpytest_subprocess("test_marker.py")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*not_declared*not found in `markers`*"])


def test_a_qt_warning_fails_the_test(suite: pytest.Pytester) -> None:
    suite.makepyfile("""
from PySide6.QtCore import qWarning

def test_qt(qtbot):
    qWarning("QObject::connect: No such signal")
""")
    result = suite.runpytest_subprocess()
    result.assert_outcomes(failed=1)


def test_a_failing_test_shows_the_peer_log(suite: pytest.Pytester) -> None:
    suite.makeconftest(CONFTEST + "from tests.harness.peer_logs import pytest_runtest_makereport\n")
    suite.makepyfile("""
from tests.peers.pjsua import PjsuaPeer

def test_t():
    with PjsuaPeer("--listen", "--log-level", "3") as peer:
        assert peer.port > 0
        assert False, "the test's own failure"
""")
    result = suite.runpytest_subprocess()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*pjsua_peer pid * log*", "*ready on 127.0.0.1:*"])


def test_cli_stderr_check_refuses_tracebacks_and_errors_after_success() -> None:
    from tests.softphone_cli import CliResult, check_stderr

    traceback = "Traceback (most recent call last):\n  File ...\nValueError: x\n"
    with pytest.raises(AssertionError, match="traceback"):
        check_stderr(CliResult(1, "", traceback))
    with pytest.raises(AssertionError, match="exit 0 but an ERROR"):
        check_stderr(CliResult(0, "", "ERROR softphone.engine.session: boom\n"))
    check_stderr(CliResult(1, "", "ERROR softphone.cli.runner: no such account\n"))
    check_stderr(CliResult(0, "", "ERROR softphone.x: expected\n"), allow_errors="expected")
    check_stderr(CliResult(0, "", "WARNING softphone.engine.engine: refused with 488\n"))
