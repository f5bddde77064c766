"""Shared by the store tests: calls in a given state, saved by a real other process."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path
from uuid import UUID, uuid4

from softphone.model import Address, AddressType, Call, CallDirection, CallStatus, Timestamp

REPO = Path(__file__).resolve().parents[2]

# Saves the calls given as JSON lines on stdin, then either exits without ending them (a
# crash, as far as the history can tell) or prints "saved" and waits for stdin to close.
_SAVER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from softphone.model import Call
    from softphone.store import History
    path, recordings, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    h = History.open(path, recordings_dir=Path(recordings) if recordings else None)
    for line in sys.stdin.readline().split("\\t"):
        h.save(Call.model_validate_json(line))
    if mode == "crash":
        os._exit(0)  # no close, no end of the calls: what kill -9 leaves
    print("saved", flush=True)
    sys.stdin.read()
    h.close()
    """
)


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def save_and_die(path: Path, calls: list[Call], recordings: Path | None = None) -> None:
    """Save ``calls`` from another process that then dies without ending them."""
    proc = subprocess.run(
        [sys.executable, "-c", _SAVER, str(path), str(recordings or ""), "crash"],
        input="\t".join(c.model_dump_json() for c in calls) + "\n",
        capture_output=True, text=True, env=env(), timeout=60,
    )
    assert proc.returncode == 0, proc.stderr


def save_and_stay(path: Path, calls: list[Call]) -> subprocess.Popen[str]:
    """Save ``calls`` from another process that keeps running until its stdin closes."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _SAVER, str(path), "", "stay"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env(),
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("\t".join(c.model_dump_json() for c in calls) + "\n")
    proc.stdin.flush()
    line = proc.stdout.readline()
    assert line.strip() == "saved", proc.stderr.read() if proc.stderr else line
    return proc


_PATHS = {
    CallStatus.DIALING: (),
    CallStatus.RINGING: (CallStatus.RINGING,),
    CallStatus.PROGRESSING: (CallStatus.RINGING, CallStatus.PROGRESSING),
    CallStatus.TERMINATING: (CallStatus.RINGING, CallStatus.PROGRESSING, CallStatus.TERMINATING),
    CallStatus.CANCELING: (CallStatus.RINGING, CallStatus.CANCELING),
}


def live_call(
    direction: CallDirection, status: CallStatus, *, recording: UUID | None = None
) -> Call:
    """A call as the engine saves it while it is up (``status`` not hangup); each move
    one second after the one before."""
    base = Timestamp.parse("2024-05-01 10:00:00")
    near = Address(type=AddressType.SIP, target="sip:me@127.0.0.1")
    far = Address(type=AddressType.SIP, target="sip:bob@127.0.0.1", name="Bob")
    outgoing = direction is CallDirection.OUTGOING
    call = Call(
        id=uuid4(), direction=direction, source=near if outgoing else far,
        destination=far if outgoing else near,
        status=CallStatus.DIALING if outgoing else CallStatus.RINGING,
        tm_create=base, tm_update=base, tm_ringing=None if outgoing else base,
    )
    moves = [m for m in _PATHS[status] if outgoing or m is not CallStatus.RINGING]
    for n, move in enumerate(moves, start=1):
        call.move_to(move, Timestamp(base.ns + n * 1_000_000_000))
    assert call.status is status
    if recording is not None:
        call.recording_id = recording
        call.recording_ids = [recording]
    return call


def unfinished_wav(path: Path, seconds: float, rate: int = 16000) -> bytes:
    """A WAV as pjsua2's writer leaves it when its process is killed: sizes still 0."""
    frames = int(seconds * rate)
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 0, b"WAVE", b"fmt ", 16, 1, 1, rate,
                         rate * 2, 2, 16, b"data", 0)
    audio = b"".join(struct.pack("<h", (i * 37) % 20000 - 10000) for i in range(frames))
    path.write_bytes(header + audio)
    return audio


class HeldLock:
    """Another process holding the history's write lock (BEGIN IMMEDIATE) until released."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "tests/store/lock_holder.py"), str(path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.strip() == "locked", self.proc.stderr.read() if self.proc.stderr else line

    def release(self) -> None:
        if self.proc.returncode is None:
            self.proc.communicate("\n", timeout=30)

    def __enter__(self) -> HeldLock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
