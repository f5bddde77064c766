"""Which codec a call prefers."""

from __future__ import annotations

import pjsua2 as pj

# Wideband G.722, then the G.711 pair every PBX speaks; pjsua's default puts speex first,
# which few peers use today (and which turns test tones into noise). L16 at 44.1 kHz is
# off: far too costly on a phone line.
CODEC_PRIORITIES = (
    ("G722/16000", 250),
    ("PCMU/8000", 240),
    ("PCMA/8000", 230),
    ("speex/", 100),
    ("iLBC/", 90),
    ("GSM/", 80),
    ("L16/", 0),
)


def set_codec_priorities(ep: pj.Endpoint) -> None:
    for codec in ep.codecEnum2():
        for prefix, priority in CODEC_PRIORITIES:
            if codec.codecId.startswith(prefix):
                ep.codecSetPriority(codec.codecId, priority)
                break
