"""`softphone listen` / `softphone call` as subprocesses on the peer base, for tests
against independent peers: the listener binds port 0 and its ready line ('listening on
sip:softphone@127.0.0.1:PORT') says which port it got."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from tests.peers.base import HOST, PeerProcess
from tests.softphone_cli import ROOT, CliResult, check_stderr, clean_env

_LISTENING = re.compile(r"listening on sip:\S*@127\.0\.0\.1:(\d+)")


class Softphone(PeerProcess):
    """``python -m softphone --data-dir DIR <args>``; stdout is JSON, stderr the log."""

    kind = "softphone"
    reads_stdout = True
    reads_stderr = True
    ready_timeout = 20.0

    def __init__(self, data_dir: Path, *args: str, wrap: tuple[str, ...] = (),
                 workdir: Path | None = None) -> None:
        super().__init__(workdir or data_dir.parent / f"softphone-{args[0]}")
        self.data_dir = data_dir
        self.args = args
        self.wrap = wrap  # e.g. ("unshare", "-n", ...) to run inside a network namespace

    def command(self) -> list[str]:
        return [*self.wrap, sys.executable, "-m", "softphone", "--data-dir",
                str(self.data_dir), *self.args]

    def env(self) -> dict[str, str]:
        return clean_env(None)

    def ready(self, deadline: float) -> None:
        if "listen" not in self.args:
            return
        while True:
            line = self.wait_line(deadline - time.monotonic(), "'listening on' line", "stderr")
            match = _LISTENING.search(line)
            if match:
                self.port = int(match.group(1))
                return

    @property
    def host_port(self) -> str:
        return f"{HOST}:{self.port}"

    def uri(self, user: str = "softphone") -> str:
        return f"sip:{user}@{HOST}:{self.port}"

    def finish(self, timeout: float = 60, allow_errors: str | None = None) -> CliResult:
        """Wait for the command to end by itself; its result, stderr checked strictly."""
        rc = self.wait(timeout)
        if rc is None:
            raise self.error(f"still running after {timeout} s")
        for reader in self._readers:
            reader.join(5)
        result = CliResult(rc, "".join(self.stdout_lines), self.log.read_text(errors="replace"))
        result.calls = [json.loads(line) for line in result.stdout.splitlines()
                        if line.startswith("{")]
        check_stderr(result, allow_errors)
        return result


def history(data_dir: Path) -> list[dict[str, Any]]:
    from tests.softphone_cli import history_json

    return history_json(data_dir)


__all__ = ["ROOT", "Softphone", "history"]
