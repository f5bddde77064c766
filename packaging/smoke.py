#!/usr/bin/env python3
"""Smoke test of a built softphone bundle, the same on Linux, Windows and macOS.

    python packaging/smoke.py PATH/TO/softphone[.exe] [--peer sipp|pjsua]

Runs the *bundled* program as a user would (nothing from the source tree is imported by it):

1. ``softphone --version``;
2. ``softphone call URI --bind 127.0.0.1:0 --json`` to a far end that answers 486 (busy,
   hung up by the remote) and to one that answers and then sends BYE (normal, remote), and
   checks each Call JSON;
3. ``softphone history --json`` lists both calls, newest first; a call with ``--flow``
   running an ``amd`` action (the bundled voice detector);
4. the window, offscreen: it comes up and paints, closes by itself
   (SOFTPHONE_SMOKE_QUIT_AFTER) with status 0; started again, a second
   ``softphone sip:...`` hands the link to it (single instance) and exits 0, the window
   dials it (the call lands in history), and SIGTERM closes it with status 0 (POSIX).

The far end is SIPp (``--peer sipp``, Linux CI) or a second pjsua2 process run by this
Python (``--peer pjsua``: tests/peers/pjsua_peer.py, for runners without SIPp). Exit status
0 when everything holds; otherwise 1 with the reason.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY_LINE = "softphone: window ready"  # softphone/ui/single_instance.py


class SmokeFailure(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def bundle_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOFTPHONE_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


def run(exe: Path, *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    proc = subprocess.run(
        [str(exe), *args], capture_output=True, text=True, timeout=timeout,
        env=bundle_env(), stdin=subprocess.DEVNULL,
    )
    print(f"  $ softphone {' '.join(args)}  -> rc={proc.returncode} "
          f"({time.monotonic() - started:.1f}s)", flush=True)
    return proc


def explain(proc: subprocess.CompletedProcess[str]) -> str:
    return f"rc={proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr[-3000:]}"


# ---- far ends ------------------------------------------------------------------------------

@contextlib.contextmanager
def far_end(kind: str, behaviour: str) -> Iterator[str]:
    """A SIP peer on 127.0.0.1; yields the URI to call. behaviour: "busy" or "answer_bye"."""
    if kind == "sipp":
        sys.path.insert(0, str(ROOT))
        from tests.peers.sipp import run_uas

        scenario = {"busy": "uas_486", "answer_bye": "uas_answer_bye"}[behaviour]
        with run_uas(scenario, timeout_s=60) as peer:
            yield peer.uri()
            peer.assert_success(timeout=20)
        return
    args = {"busy": ["--reject", "486"], "answer_bye": ["--hangup-after", "1"]}[behaviour]
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "peers" / "pjsua_peer.py"), "--listen",
         "--port", "0", "--timeout", "60", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        check(line.startswith("READY "), f"pjsua peer did not start: {line!r}")
        yield f"sip:test@127.0.0.1:{line.split()[1]}"
        _out, err = proc.communicate(timeout=20)
        check(proc.returncode == 0, f"pjsua peer ended with {proc.returncode}\n{err[-2000:]}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# ---- checks --------------------------------------------------------------------------------

EXPECTED = {
    "busy": {"hangup_by": "remote", "hangup_reason": "busy"},
    "answer_bye": {"hangup_by": "remote", "hangup_reason": "normal"},
}


def check_calls(exe: Path, peer: str, data: Path) -> list[dict[str, object]]:
    calls = []
    for behaviour, expected in EXPECTED.items():
        with far_end(peer, behaviour) as uri:
            proc = run(exe, "--data-dir", str(data), "call", uri, "--bind", "127.0.0.1:0",
                       "--json", "--dial-timeout", "20")
            check(proc.returncode == 0, f"call to {behaviour} peer failed: {explain(proc)}")
        lines = [line for line in proc.stdout.splitlines() if line.strip()]
        check(len(lines) == 1, f"call --json printed {len(lines)} lines: {explain(proc)}")
        call = json.loads(lines[0])
        want = {"status": "hangup", "direction": "outgoing", **expected}
        got = {key: call.get(key) for key in want}
        check(got == want, f"{behaviour}: Call JSON has {got}, expected {want}")
        check(call.get("destination", {}).get("target") == uri,
              f"{behaviour}: destination is not {uri}: {call.get('destination')}")
        print(f"  call {behaviour}: {got}", flush=True)
        calls.append(call)
    proc = run(exe, "--data-dir", str(data), "history", "--json")
    check(proc.returncode == 0, f"history failed: {explain(proc)}")
    history = json.loads(proc.stdout)
    ids = [entry["id"] for entry in history]
    check(ids == [calls[1]["id"], calls[0]["id"]],
          f"history --json lists {ids}, expected the two calls newest first")
    print("  history: both calls, newest first", flush=True)
    return calls


class Window:
    """The bundled window running offscreen, its stderr read by a thread."""

    def __init__(self, exe: Path, data: Path, quit_after: float) -> None:
        self.proc = subprocess.Popen(
            [str(exe), "--data-dir", str(data)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            stdin=subprocess.DEVNULL,
            env=bundle_env(SOFTPHONE_SMOKE_QUIT_AFTER=str(quit_after)),
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)
            self.lines.put(line.rstrip("\n"))

    def wait_ready(self, timeout: float = 60) -> float:
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            try:
                if self.lines.get(timeout=0.2) == READY_LINE:
                    return time.monotonic() - started
            except queue.Empty:
                check(self.proc.poll() is None,
                      f"window exited with {self.proc.returncode} before it was ready:\n"
                      + "".join(self.stderr)[-3000:])
        raise SmokeFailure(f"window not ready after {timeout}s:\n" + "".join(self.stderr)[-3000:])

    def wait_exit(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise SmokeFailure(f"window still running after {timeout}s:\n"
                               + "".join(self.stderr)[-3000:]) from None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def check_window(exe: Path, peer: str, data: Path) -> None:
    win = Window(exe, data, quit_after=2)
    try:
        ready = win.wait_ready()
        print(f"  window: ready after {ready:.1f}s", flush=True)
        rc = win.wait_exit(30)
        check(rc == 0, f"window closed with status {rc}:\n" + "".join(win.stderr)[-3000:])
        print("  window: closed by itself with status 0", flush=True)
    finally:
        win.kill()

    # Again, long-lived: a link handed over by a second invocation, then SIGTERM.
    posix = os.name == "posix"
    win = Window(exe, data, quit_after=300 if posix else 25)
    try:
        win.wait_ready()
        before = len(json.loads(run(exe, "--data-dir", str(data), "history", "--json").stdout))
        with far_end(peer, "busy") as uri:
            proc = run(exe, "--data-dir", str(data), uri, timeout=30)
            check(proc.returncode == 0, f"second invocation with a link: {explain(proc)}")
            check(win.proc.poll() is None, "the first window exited")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                history = json.loads(
                    run(exe, "--data-dir", str(data), "history", "--json").stdout)
                if len(history) > before and history[0]["status"] == "hangup":
                    break
                time.sleep(1)
            else:
                raise SmokeFailure("the running window did not dial the forwarded link:\n"
                                   + "".join(win.stderr)[-3000:])
        check(history[0]["hangup_reason"] == "busy",
              f"forwarded link's call: {history[0].get('hangup_reason')}, expected busy")
        print("  window: a second `softphone URL` was dialled by the running window", flush=True)
        if posix:
            win.proc.send_signal(signal.SIGTERM)
            rc = win.wait_exit(20)
            check(rc == 0, f"window after SIGTERM: status {rc}\n" + "".join(win.stderr)[-3000:])
            print("  window: SIGTERM closed it with status 0", flush=True)
        else:
            rc = win.wait_exit(60)
            check(rc == 0, f"window closed with status {rc}")
    finally:
        win.kill()


def check_flow_call(exe: Path, peer: str, data: Path) -> None:
    """A call running a flow whose amd action needs the bundled voice detector (webrtcvad,
    a C extension the bundle must carry): the call runs it, the Call says so."""
    flow = data / "amd.json"
    data.mkdir(parents=True, exist_ok=True)
    flow.write_text(json.dumps({"name": "smoke", "actions": [{"type": "amd"}]}))
    with far_end(peer, "answer_bye") as uri:
        proc = run(exe, "--data-dir", str(data), "call", uri, "--bind", "127.0.0.1:0",
                   "--json", "--dial-timeout", "20", "--flow", str(flow))
    check(proc.returncode == 0, f"call --flow failed: {explain(proc)}")
    check("Traceback" not in proc.stderr, f"call --flow printed a traceback: {explain(proc)}")
    (line,) = [line for line in proc.stdout.splitlines() if line.strip()]
    call = json.loads(line)
    got = (call.get("type"), (call.get("action") or {}).get("type"))
    check(got == ("flow", "amd"), f"call --flow: type/action {got}, expected flow/amd")
    print("  call --flow (amd): the flow ran", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("exe", type=Path, help="the bundled softphone executable")
    parser.add_argument("--peer", choices=("sipp", "pjsua"),
                        default="sipp" if shutil.which("sipp") else "pjsua")
    parser.add_argument("--no-window", action="store_true", help="skip the window checks")
    args = parser.parse_args(argv)
    exe = args.exe.resolve()
    started = time.monotonic()
    data = Path(tempfile.mkdtemp(prefix="softphone-smoke-"))
    try:
        print(f"smoke test of {exe} (far end: {args.peer})", flush=True)
        proc = run(exe, "--version")
        check(proc.returncode == 0 and proc.stdout.startswith("softphone "),
              f"--version: {explain(proc)}")
        check_calls(exe, args.peer, data / "cli")
        check_flow_call(exe, args.peer, data / "flow")
        if not args.no_window:
            check_window(exe, args.peer, data / "window")
    except (AssertionError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
        print(f"smoke: FAIL: {exc}", file=sys.stderr, flush=True)
        print(f"(data kept in {data})", file=sys.stderr)
        return 1
    shutil.rmtree(data, ignore_errors=True)
    print(f"smoke: PASS in {time.monotonic() - started:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
