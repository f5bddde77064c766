"""What a pjsua2 peer hears when it calls a `softphone listen` running a flow or a service."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.audio_analysis import read_wav
from tests.peers.pjsua import PjsuaPeer


def heard_by_caller(tmp_path: Path, peers, softphone, listen_args: tuple[str, ...], user: str,
                    hangup_after: float, *peer_args: str) -> tuple[np.ndarray, int]:
    """Start the listener, let the peer call `user` at it and record, and return the samples
    and rate the peer recorded (the listener must have exited 0)."""
    sp = softphone("listen", *listen_args, "--calls", "1", "--json")
    wav = tmp_path / "heard.wav"
    peers(PjsuaPeer("--call", sp.uri(user), "--codec", "PCMU", "--record", str(wav),
                    "--hangup-after", str(hangup_after), *peer_args))
    result = sp.finish(40)
    assert result.returncode == 0, result.explain()
    return read_wav(wav)
