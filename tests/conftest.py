"""Shared fixtures: a data folder per test and one in-process engine for the session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


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
