"""The softphone command run as a user would: a subprocess, its exit code and output."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str
    calls: list[dict] = field(default_factory=list)

    def explain(self) -> str:
        return f"rc={self.returncode}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr[-4000:]}"


def clean_env(extra: dict | None) -> dict:
    """The tester's own softphone settings must not leak into a test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOFTPHONE_")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def check_stderr(result: CliResult, allow_errors: str | None = None) -> None:
    """The strict harness for a command run as a subprocess (its log records never reach
    the test's logging): a traceback on stderr always fails, since every failure must end
    in one clear line; an ERROR line fails a run that exited 0, since a successful run
    that logged an error swallowed it (e.g. ``guarded()`` in a SIP callback). A run that
    failed (exit != 0) says why in an ERROR line by design, so that is allowed there."""
    if "Traceback (most recent call last)" in result.stderr:
        raise AssertionError("the command printed a traceback:\n" + result.explain())
    if result.returncode != 0:
        return
    for line in result.stderr.splitlines():
        if line.startswith(("ERROR ", "CRITICAL ")) and not (
            allow_errors and re.search(allow_errors, line)
        ):
            raise AssertionError(f"exit 0 but an ERROR was logged: {line}\n" + result.explain())


def run_cli(
    *args: str, data_dir: Path, timeout: float = 90, env: dict | None = None,
    input: str | None = None, allow_errors: str | None = None,
) -> CliResult:
    """Run ``python -m softphone --data-dir DIR ARGS`` and parse JSON lines from stdout.

    stderr is checked by ``check_stderr``; ``allow_errors`` (a regex) declares ERROR
    lines a successful run is expected to log."""
    full_env = clean_env(env)
    proc = subprocess.run(
        [sys.executable, "-m", "softphone", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=ROOT,
        **({"input": input} if input is not None else {"stdin": subprocess.DEVNULL}),
    )
    result = CliResult(proc.returncode, proc.stdout, proc.stderr)
    check_stderr(result, allow_errors)
    if "--json" in args and ({"call", "listen"} & set(args[:3])):
        for line in proc.stdout.splitlines():
            if line.strip():
                result.calls.append(json.loads(line))
    return result


def start_cli(*args: str, data_dir: Path, env: dict | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "softphone", "--data-dir", str(data_dir), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(env),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )


def history_json(data_dir: Path) -> list[dict]:
    result = run_cli("history", "--json", "--limit", "1000", data_dir=data_dir)
    assert result.returncode == 0, result.explain()
    return json.loads(result.stdout)




class StderrWatcher:
    """Reads a process's stderr in the background, so a test can wait for a line."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        import threading

        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._proc = proc
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._proc.stderr is not None
        for line in self._proc.stderr:
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self.lines.append("")  # end of stream
            self._cond.notify_all()

    def wait_for(self, text: str, timeout: float = 15) -> str:
        import time

        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines:
                    if text in line:
                        return line
                if (self.lines and self.lines[-1] == "") or time.monotonic() > deadline:
                    raise AssertionError(f"never saw {text!r} on stderr:\n{self.text()}")
                self._cond.wait(0.1)

    def text(self) -> str:
        return "".join(self.lines)

    def communicate(self, timeout: float) -> str:
        """The process's stdout once it exits. Popen.communicate would read (and close) the
        stderr this watcher's thread is reading: a race that loses lines or raises there."""
        import threading

        stdout = self._proc.stdout
        assert stdout is not None
        out: list[str] = []
        # Read on a thread so that a process that never exits fails wait()'s timeout.
        reading = threading.Thread(target=lambda: out.append(stdout.read()), daemon=True)
        reading.start()
        self._proc.wait(timeout=timeout)  # raises TimeoutExpired, as Popen.communicate
        reading.join(timeout=timeout)
        self._reader.join(timeout=timeout)
        return "".join(out)
