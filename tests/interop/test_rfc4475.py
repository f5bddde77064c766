"""The RFC 4475 torture messages sent by UDP at `softphone listen`, then a normal call.

The messages name 192.0.2.x and example.com hosts that replies must never reach, so the
listener, the sender and SIPp all run inside a private network namespace (``unshare -n``,
loopback only; the suite runs as root here and in CI). The listener must survive all 48,
never print a traceback, and then take a normal call from SIPp's built-in uac.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.interop.softphone_proc import Softphone
from tests.peers.sipp import SippPeer, sipp_available
from tests.softphone_cli import ROOT, history_json

pytestmark = [pytest.mark.sip, pytest.mark.interop, pytest.mark.slow]

# In CI the messages sit beside the repository: ../shared/testdata/rfc4475/.
TORTURE_DIR = ROOT.parent / "shared" / "testdata" / "rfc4475"
# A namespace with only loopback, up; then the command itself (same pid: exec).
UNSHARE = ("unshare", "-n", "--", "sh", "-c", 'ip link set lo up && exec "$0" "$@"')

SENDER = r"""
import socket, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for name in sys.argv[2:]:
    with open(name, "rb") as f:
        s.sendto(f.read(), ("127.0.0.1", port))
print(len(sys.argv) - 2)
"""


def torture_messages() -> list[Path]:
    if not TORTURE_DIR.is_dir():
        pytest.fail(f"RFC 4475 messages missing: {TORTURE_DIR} (the repository's "
                    "../shared/testdata/rfc4475/)")
    files = sorted(TORTURE_DIR.glob("*.dat"))
    assert len(files) == 48, f"expected RFC 4475's 48 messages in {TORTURE_DIR}: {len(files)}"
    return files


def can_unshare() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("nsenter"):
        return False
    probe = subprocess.run([*UNSHARE, "true"], capture_output=True, timeout=10)
    return probe.returncode == 0


class NamespacedSipp(SippPeer):
    """SIPp inside the network namespace of another process (nsenter execs: same pid)."""

    def __init__(self, netns_pid: int, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.netns_pid = netns_pid

    def command(self) -> list[str]:
        return ["nsenter", "-t", str(self.netns_pid), "-n", "--", *super().command()]


@pytest.mark.skipif(not sipp_available(), reason="sipp is not installed (.ci/run)")
def test_torture_messages_then_a_normal_call(data_dir, peers):
    files = torture_messages()
    if not can_unshare():
        pytest.fail("cannot create a network namespace (unshare -n needs root): the torture "
                    "messages must not reach the hosts they name")
    sp = peers(Softphone(data_dir, "listen", "--json", "--audio", "null",
                         "--bind", "127.0.0.1:0", wrap=UNSHARE,
                         workdir=data_dir.parent / "listener"))
    assert sp.pid is not None
    sent = subprocess.run(
        ["nsenter", "-t", str(sp.pid), "-n", "--", sys.executable, "-c", SENDER,
         str(sp.port), *map(str, files)],
        capture_output=True, text=True, timeout=30)
    assert sent.returncode == 0 and sent.stdout.strip() == "48", sent.stderr

    # Torture INVITEs we answered are never ACKed (their Via names hosts outside the
    # namespace, so our 200s go nowhere): pjsua keeps each one, and its call slot, until
    # the 2xx retransmissions give up after 64*T1 = 32 s (DESIGN.md). The wheel has four
    # slots, so a call inside that window is refused 486, as it would be for a human with
    # four calls up. The normal call must work as soon as the slots are free again.
    started = time.monotonic()
    attempts = 0
    while True:
        attempts += 1
        sipp = peers(NamespacedSipp(sp.pid, "uac", builtin=True, remote=sp.host_port,
                                    service="softphone", timeout_s=20))
        sipp.wait(20)
        assert sp.running(), "the listener died:\n" + sp.log_tail()
        if sipp.returncode == 0 or time.monotonic() - started > 50:
            break
        time.sleep(3)
    log = sp.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-4000:]
    sipp.assert_success(timeout=1)  # the normal call was answered and ended by SIPp's BYE
    assert time.monotonic() - started < 45, f"slots still held after {attempts} attempts"
    sp.stop()

    rows = history_json(data_dir)
    normal = [r for r in rows if r["source"]["target"].startswith("sip:sipp@127.0.0.1")]
    assert normal, rows
    last = normal[0]
    assert (last["direction"], last["status"], last["hangup_by"], last["hangup_reason"]) == (
        "incoming", "hangup", "remote", "normal"), last
