"""The audio frames' fast copy (softphone/engine/byte_vector.py) gives SWIG's bytes."""

from __future__ import annotations

import os
import sys

import pjsua2 as pj
import pytest

from softphone.engine import byte_vector


def test_the_fast_copy_is_in_use_here() -> None:
    # Linux and macOS wheels use libstdc++ / libc++: were it off, the bridge would quietly
    # spend ~3 % of a core more per call (issue 16).
    if sys.platform.startswith(("linux", "darwin")):
        assert byte_vector.FAST


@pytest.mark.parametrize("size", [0, 1, 320, 640, 1920])
def test_read_gives_the_frames_bytes(size: int) -> None:
    data = os.urandom(size)
    frame = pj.MediaFrame()
    frame.buf = pj.ByteVector(data)
    frame.size = size
    assert byte_vector.frame_bytes(frame) == data


@pytest.mark.parametrize(("before", "after"), [(0, 640), (640, 640), (1920, 320), (320, 0)])
def test_set_replaces_the_frames_bytes(before: int, after: int) -> None:
    frame = pj.MediaFrame()
    frame.buf = pj.ByteVector(os.urandom(before))
    data = os.urandom(after)
    byte_vector.set_frame_bytes(frame, data)
    assert bytes(frame.buf) == data  # read back through SWIG's own, slow, copy
    assert frame.buf.size() == after
