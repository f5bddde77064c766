"""A pjsua2 ByteVector's bytes in and out at C speed, for the 20 ms audio frames.

SWIG copies a ByteVector to Python one element at a time: ``bytes(frame.buf)`` on a
640-byte frame takes ~0.6 ms, 50 times a second per direction (issue 16: the bridge's CPU).
A ByteVector proxy holds the address of its ``std::vector<unsigned char>``, whose first
word is the address of its data in libstdc++, libc++ and MSVC's release library alike, so
ctypes can copy the bytes in one go (~5 µs). That layout is checked once, on a vector of
known contents; where it does not hold, the slow, always-right copy is used.
"""

from __future__ import annotations

import ctypes
import logging
from typing import Any

import pjsua2 as pj

_log = logging.getLogger(__name__)


def _data_address(vec: Any) -> int:
    return int(ctypes.c_void_p.from_address(int(vec.this)).value or 0)


def _fast_read(frame: Any) -> bytes:
    vec = frame.buf
    size = int(vec.size())
    return ctypes.string_at(_data_address(vec), size) if size else b""


def _fast_fill(frame: Any, data: bytes) -> None:
    vec = frame.buf  # the frame's own vector, not a copy
    vec.resize(len(data))
    if data:
        ctypes.memmove(_data_address(vec), data, len(data))


def _slow_read(frame: Any) -> bytes:
    return bytes(frame.buf)


def _slow_fill(frame: Any, data: bytes) -> None:
    frame.buf = pj.ByteVector(data)


def _layout_holds() -> bool:
    try:
        known = bytes(range(256)) * 3
        frame = pj.MediaFrame()
        frame.buf = pj.ByteVector(known)
        if _fast_read(frame) != known:
            return False
        other = bytes(reversed(known))[:500]
        _fast_fill(frame, other)
        return bytes(frame.buf) == other and _fast_read(frame) == other
    except Exception as exc:  # no .this, or an unexpected proxy: keep to SWIG's copy
        _log.debug("ByteVector fast path unavailable: %s", exc)
        return False


FAST = _layout_holds()
frame_bytes = _fast_read if FAST else _slow_read
set_frame_bytes = _fast_fill if FAST else _slow_fill
if not FAST:
    _log.info("audio frames are copied through SWIG: the std::vector layout is not the one "
              "expected")
