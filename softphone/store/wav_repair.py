"""Make a WAV that a crashed recorder left behind playable again.

pjsua2's WAV writer writes a 44-byte PCM header with the RIFF and data sizes at 0 and fills
them in only when the recorder is closed; a process killed mid-call leaves them at 0, and
players then read no audio at all. The audio itself is on disk: the sizes can be
recomputed from the file's length.
"""

from __future__ import annotations

import logging
import struct
from pathlib import Path

log = logging.getLogger(__name__)

_HEADER = 44
# RIFF size WAVE, "fmt " 16 format channels rate byte-rate block-align bits, "data" size
_LAYOUT = "<4sI4s4sIHHIIHH4sI"
_MAX_CHUNK = 0xFFFFFFFF  # RIFF sizes are 32-bit: a longer file keeps what fits


def repair_wav(path: Path) -> bool:
    """Fix the header sizes of a WAV whose writer never finished; True if it was changed.

    Only the layout pjsua2 writes is touched (RIFF/WAVE, a 16-byte PCM ``fmt `` chunk,
    then ``data``), and only when its data size is unset or longer than the file: a
    finished WAV, or any other file, is left exactly as it is.
    """
    try:
        with path.open("r+b") as handle:
            header = handle.read(_HEADER)
            if len(header) < _HEADER:
                return False
            (riff, _, wave, fmt, fmt_size, _, _, _, _, block_align, _, data,
             data_size) = struct.unpack(_LAYOUT, header)
            if (riff, wave, fmt, fmt_size, data) != (b"RIFF", b"WAVE", b"fmt ", 16, b"data"):
                return False
            available = handle.seek(0, 2) - _HEADER
            if data_size != 0 and data_size <= available:
                return False  # finished properly
            frame = max(1, block_align)
            data_size = min(available, _MAX_CHUNK - 36) // frame * frame
            handle.seek(4)
            handle.write(struct.pack("<I", 36 + data_size))
            handle.seek(40)
            handle.write(struct.pack("<I", data_size))
    except OSError as exc:
        log.warning("cannot repair the recording %s: %s", path, exc.strerror or exc)
        return False
    log.info("repaired the recording %s (%d bytes of audio)", path, data_size)
    return True
