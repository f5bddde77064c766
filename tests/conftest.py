"""Shared fixtures (a data folder per test, one in-process engine for the session) and the
strict harness's hooks."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# The strict harness: undeclared ERROR log records fail the test (tests/harness/error_logs.py).
from tests.harness.error_logs import (  # noqa: F401 - pytest finds hooks and fixtures by name
    expected_errors,
    pytest_runtest_call,
    pytest_runtest_setup,
    pytest_runtest_teardown,
)
from tests.harness.peer_logs import pytest_runtest_makereport  # noqa: F401
from tests.peers.kamailio import Kamailio, kamailio_available, start_kamailio


@pytest.fixture(scope="session", autouse=True)
def _temp_files_under_basetemp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Peers' work folders (their logs, kept for a post-mortem) go under pytest's basetemp,
    which pytest prunes to the last three runs: in /tmp they piled up run after run."""
    before = tempfile.tempdir
    tempfile.tempdir = str(tmp_path_factory.mktemp("tmp", numbered=False))
    yield
    tempfile.tempdir = before


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def engine() -> Iterator[object]:
    """One Engine for the whole test process: pjsua2 allows one Endpoint per process."""
    from softphone.engine import BindAddress, Engine, EngineConfig

    recordings = Path(os.environ.get("TMPDIR", "/tmp")) / f"softphone-test-rec-{os.getpid()}"
    eng = Engine(EngineConfig(bind=BindAddress("127.0.0.1", 0), recordings_dir=recordings))
    eng.start()
    yield eng
    eng.shutdown()


@pytest.fixture(scope="session")
def kamailio() -> Iterator[Kamailio]:
    if not kamailio_available():
        pytest.fail("kamailio is not installed (.ci/run installs it)")
    server, _ = start_kamailio()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def keyring_env(tmp_path: Path) -> dict[str, str]:
    """A file keyring inside the test's own folder: never the tester's real keyring."""
    return {
        "PYTHON_KEYRING_BACKEND": "tests.keyring_file_backend.FileKeyring",
        "SOFTPHONE_TEST_KEYRING": str(tmp_path / "keyring.json"),
    }
