from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.peers.kamailio import Kamailio, kamailio_available, start_kamailio


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
