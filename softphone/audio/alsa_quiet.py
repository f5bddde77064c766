"""Keep libasound's own complaints off stderr.

On a Linux machine without a sound card, miniaudio's ALSA probe makes libasound print
"ALSA lib confmisc.c:...: Cannot get card index" on stderr, under a script's output. We
already say "no sound device" in our own words, so its default error printer is replaced
with one that logs at debug level.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from typing import Any

_log = logging.getLogger(__name__)
# snd_lib_error_handler_t is variadic; the fixed part is enough to know where it came from.
_HANDLER_TYPE = ctypes.CFUNCTYPE(
    None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
)
_installed: list[Any] = []  # the callback must outlive every libasound call


def _log_alsa(file: bytes | None, line: int, function: bytes | None, err: int,
              fmt: bytes | None) -> None:
    _log.debug("ALSA %s:%s %s: %s", (file or b"").decode(errors="replace"), line,
               (function or b"").decode(errors="replace"), (fmt or b"").decode(errors="replace"))


def silence_alsa() -> None:
    if _installed or not sys.platform.startswith("linux"):
        return
    try:
        libasound = ctypes.CDLL("libasound.so.2")
    except OSError:
        return  # no ALSA here: nothing will print
    handler = _HANDLER_TYPE(_log_alsa)
    libasound.snd_lib_error_set_handler(handler)
    _installed.extend([libasound, handler])
