"""Run SIPp scenarios (tests/peers/sipp/*.xml) as real SIP peers for the test suite.

Usage::

    from tests.peers.sipp import run_uas, run_uac

    with run_uas("uas_486") as peer:           # SIPp answers calls to peer.uri()
        ...make a call to peer.uri()...
        peer.assert_success(timeout=10)         # scenario ran to its end (exit code 0)

    with run_uac("uac_bye", "127.0.0.1:5099", variables={"hold_ms": 500}) as peer:
        ...answer the incoming call in our engine...
        peer.assert_success(timeout=10)

Why SIPp runs in the foreground (``subprocess.Popen``) and not with ``-bg``: with ``-bg``
SIPp forks, the parent exits at once and the daemon is no child of ours, so its exit status
(0 = every call reached the end of the scenario) is lost. Tests need that status, so SIPp
runs as our child in its own session (process group) with ``-nostdin`` and stdout thrown
away; the final statistics screen goes to a file (``-trace_screen``), unexpected messages to
an error log (``-trace_err``) and every SIP message to a message log (``-trace_msg``), all in
a temporary directory that is kept when the scenario fails (or SIPP_KEEP_LOGS=1). SIPp is also started with
``-timeout <timeout_s>s -timeout_error`` so that it ends by itself (with a failure status)
even if the test process is killed before it could stop SIPp.

SIPp exit status: 0 all calls successful, 1 a call failed, 97 stopped by an internal
command, 99 ended without any call, 255 fatal error or global timeout (-timeout_error),
254 could not bind its socket. SIGTERM makes SIPp exit 0, so a peer stopped by us is
reported with returncode ``KILLED`` (-9999) instead, never 0.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from tests.peers.base import PeerError, PeerProcess

SCENARIO_DIR = Path(__file__).resolve().parent / "sipp"
HOST = "127.0.0.1"
KILLED = -9999  # returncode reported for a SIPp we had to stop ourselves



class SippError(AssertionError):
    """A SIPp peer failed to start or its scenario did not end successfully."""


def sipp_binary() -> str:
    return shutil.which("sipp") or "/usr/bin/sipp"


def sipp_available() -> bool:
    return os.access(sipp_binary(), os.X_OK)


def scenario_path(name: str) -> Path:
    """Path of a scenario by name (``"uas_486"`` or ``"uas_486.xml"``)."""
    if Path(name).is_absolute():  # a scenario a test wrote (e.g. in latin-1)
        return Path(name)
    path = SCENARIO_DIR / (name if name.endswith(".xml") else name + ".xml")
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in SCENARIO_DIR.glob("*.xml")))
        raise FileNotFoundError(f"no SIPp scenario {name!r}; known: {known}")
    return path


def free_udp_port(host: str = HOST) -> int:
    """A UDP port that is free on ``host`` right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _tail(path: Path, max_lines: int = 40, max_chars: int = 6000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    text = "\n".join(text.splitlines()[-max_lines:])
    return text[-max_chars:]


class SippPeer(PeerProcess):
    """One SIPp process running one scenario for one call (``-m 1``), on the peer base.

    SIPp binds a port the kernel said was free (``-p 0`` makes SIPp take 5060 and up,
    the same port run after run); ready() waits for its SIP socket.
    """

    kind = "sipp"
    ready_timeout = 5.0

    def __init__(
        self,
        scenario_name: str,
        *,
        remote: str | None = None,
        port: int | None = None,
        service: str = "test",
        variables: Mapping[str, object] | None = None,
        extra_args: Iterable[str] = (),
        timeout_s: float = 120,
        workdir: str | os.PathLike | None = None,
        builtin: bool = False,
    ) -> None:
        # builtin: scenario_name is one of SIPp's own (-sn uac, -sn uas), not our XML.
        self.builtin = builtin
        self.scenario = Path(scenario_name) if builtin else scenario_path(scenario_name)
        self.name = scenario_name if builtin else self.scenario.stem
        self.kind = f"sipp {self.name}"
        self._own_workdir = workdir is None
        super().__init__(Path(workdir or tempfile.mkdtemp(prefix=f"sipp-{self.name}-")))
        self.log = self.workdir / "stderr.log"
        self.remote = remote
        self.service = service
        self.variables = {k: str(v) for k, v in (variables or {}).items()}
        self.extra_args = tuple(str(a) for a in extra_args)
        self.timeout_s = timeout_s
        self.error_log = self.workdir / "errors.log"
        self.message_log = self.workdir / "messages.log"
        self.screen_log = self.workdir / "screen.log"
        self.stderr_log = self.log
        # Never -p 0: SIPp then takes 5060 (and up) each time, so one SIPp inherits the
        # retransmitted BYEs of an earlier one's dialogs (its scenario then aborts on an
        # "unexpected BYE"). A port the kernel says is free right now instead.
        self.port = port or free_udp_port()
        self._fixed_port = True

    # ---- start -------------------------------------------------------------------------
    def command(self) -> list[str]:
        cmd = [sipp_binary()]
        if self.remote:
            cmd.append(self.remote)
        cmd += ["-sn", self.name] if self.builtin else ["-sf", str(self.scenario)]
        cmd += [
            "-i", HOST, "-p", str(self.port if self._fixed_port else 0),
            "-m", "1",
            "-s", self.service,
            "-nostdin",
            "-aa",  # answer in-dialog INFO/NOTIFY/OPTIONS/UPDATE with 200 by itself
            "-timeout", f"{max(1, int(self.timeout_s))}s", "-timeout_error",
            "-trace_err", "-error_file", str(self.error_log),
            "-trace_msg", "-message_file", str(self.message_log),
            "-trace_screen", "-screen_file", str(self.screen_log),
        ]
        for key, value in self.variables.items():
            cmd += ["-set", key, value]
        cmd += list(self.extra_args)
        return cmd

    def start(self, bind_timeout: float | None = None) -> SippPeer:
        if bind_timeout is not None:
            self.ready_timeout = bind_timeout
        try:
            super().start()
        except PeerError as exc:
            raise SippError(str(exc)) from None  # its log tail is diagnostics()
        return self

    def ready(self, deadline: float) -> None:
        # SIPp opens its SIP socket first (then media and control sockets).
        port = self.wait_port(deadline, pick=0)
        if not self._fixed_port:
            self.port = port

    # ---- info --------------------------------------------------------------------------
    @property
    def host_port(self) -> str:
        return f"{HOST}:{self.port}"

    def uri(self, user: str = "test") -> str:
        return f"sip:{user}@{HOST}:{self.port}"

    # ---- end ---------------------------------------------------------------------------
    @property
    def returncode(self) -> int | None:
        """SIPp's exit status; KILLED (never 0) when we stopped it (SIGTERM makes it exit 0)."""
        if self.proc is None:
            return None
        rc = self.proc.poll()
        if rc is None:
            return None
        return KILLED if self._stopped_by_us else rc

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for SIPp to end; its exit status (0: scenario completed), or None on timeout.

        After stop() the status is KILLED, never 0.
        """
        if super().wait(timeout) is None:
            return None
        return self.returncode

    def assert_success(self, timeout: float = 30) -> None:
        """Wait for the scenario's end and raise SippError (with logs) unless it exited 0."""
        rc = self.wait(timeout)
        if rc == 0:
            return
        what = (f"still running after {timeout}s" if rc is None
                else "stopped by the test" if rc == KILLED else f"exit status {rc}")
        raise SippError(f"SIPp scenario {self.name} did not complete: {what}\n"
                        + self.diagnostics())

    def stop(self, grace: float = 1.0) -> int | None:
        """Stop SIPp if it still runs (SIGTERM, then SIGKILL to its whole process group).

        Our scenarios make SIPp start no child processes (no <exec>, no pcap play), so
        once SIPp itself has ended nothing of it is left.
        """
        super().stop(grace)
        return self.returncode

    def log_tail(self, max_lines: int = 60) -> str:
        return self.diagnostics()

    def cleanup(self, keep: bool | None = None) -> None:
        """Remove the temporary log directory.

        Kept when ``keep`` is true, when SIPP_KEEP_LOGS is set in the environment, or by
        default when the scenario failed by itself (an exit status other than 0 or KILLED).
        """
        if keep is None:
            keep = self.returncode not in (0, KILLED)
        if self._own_workdir and not keep and not os.environ.get("SIPP_KEEP_LOGS"):
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> SippPeer:
        if self.proc is None:
            self.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.stop()
        # keep the logs for a post-mortem when the test body failed
        self.cleanup(keep=True if exc_type is not None else None)

    # ---- logs --------------------------------------------------------------------------
    def messages(self) -> str:
        """The SIP message trace (every message sent and received)."""
        try:
            return self.message_log.read_text(errors="replace")
        except OSError:
            return ""

    def received_first_lines(self) -> list[str]:
        """Start lines of the SIP messages SIPp received, in order.

        e.g. ``["INVITE sip:test@127.0.0.1:5070 SIP/2.0", "ACK sip:... SIP/2.0"]``.
        """
        # The trace is a series of blocks:
        #   ----------------------------------------------- 2026-11-26 05:34:27.008295
        #   UDP message received [1191] bytes :
        #   <blank>
        #   INVITE sip:... SIP/2.0
        out = []
        state = None  # None, "head" (after the dashes), "recv" (waiting for start line)
        for line in self.messages().splitlines():
            if re.match(r"^-{10,}", line):
                state = "head"
            elif state == "head" and line.strip():
                state = "recv" if "message received" in line else None
            elif state == "recv" and line.strip():
                out.append(line.strip())
                state = None
        return out

    def received_status_codes(self) -> list[int]:
        """Status codes of the responses SIPp received, in order (e.g. [100, 180, 486])."""
        codes = []
        for line in self.received_first_lines():
            m = re.match(r"SIP/2\.0 (\d{3})", line)
            if m:
                codes.append(int(m.group(1)))
        return codes

    def diagnostics(self) -> str:
        parts = [f"command: {' '.join(self.command())}", f"logs kept in: {self.workdir}"]
        for title, path, lines in (("stderr", self.stderr_log, 20),
                                   ("errors", self.error_log, 30),
                                   ("last messages", self.message_log, 60),
                                   ("screen", self.screen_log, 40)):
            text = _tail(path, lines)
            if text.strip():
                parts.append(f"--- sipp {title} ({path.name}) ---\n{text}")
        return "\n".join(parts)


def run_uas(
    scenario_name: str,
    *,
    port: int | None = None,
    extra_args: Iterable[str] = (),
    timeout_s: float = 120,
    variables: Mapping[str, object] | None = None,
    workdir: str | os.PathLike | None = None,
) -> SippPeer:
    """Start SIPp as the far end of an outgoing call; returns the started peer.

    Use as ``with run_uas("uas_486") as peer:`` (stopped on exit) and call ``peer.uri()``.
    ``variables`` become ``-set NAME VALUE`` (e.g. ``{"hold_ms": 500}``).
    """
    return SippPeer(scenario_name, port=port, extra_args=extra_args, timeout_s=timeout_s,
                    variables=variables, workdir=workdir).start()


def run_uac(
    scenario_name: str,
    target_host_port: str,
    *,
    service: str = "test",
    port: int | None = None,
    extra_args: Iterable[str] = (),
    timeout_s: float = 120,
    variables: Mapping[str, object] | None = None,
    workdir: str | os.PathLike | None = None,
) -> SippPeer:
    """Start SIPp calling ``sip:<service>@<target_host_port>`` (our softphone) right away."""
    return SippPeer(scenario_name, remote=target_host_port, service=service, port=port,
                    extra_args=extra_args, timeout_s=timeout_s, variables=variables,
                    workdir=workdir).start()


if __name__ == "__main__":  # tiny manual runner: python -m tests.peers.sipp uas_486
    peer = run_uas(sys.argv[1]) if len(sys.argv) == 2 else run_uac(sys.argv[1], sys.argv[2])
    print(peer.uri(), "pid", peer.pid, flush=True)
    try:
        rc = peer.wait()
    finally:
        peer.stop()
    print("exit", peer.returncode)
    if peer.returncode != 0:
        print(peer.diagnostics())
