"""DTMF the three ways IVRs expect it: RFC 2833 events, SIP INFO, or tones in the audio."""

from __future__ import annotations

import contextlib

import pjsua2 as pj

from softphone.model.account import DtmfMethod

DIGITS = "0123456789*#ABCD"
TONE_MS = 100  # long enough for any IVR's detector, short enough to type quickly
GAP_MS = 80


class InbandDtmf:
    """A tone generator connected to one call's audio; kept until the call ends."""

    def __init__(self) -> None:
        self._generator: pj.ToneGenerator | None = pj.ToneGenerator()
        self._generator.createToneGenerator()
        self._media: pj.AudioMedia | None = None

    def connect(self, call_media: pj.AudioMedia) -> None:
        """Send the tones into this stream (again after a re-INVITE rebuilt it)."""
        assert self._generator is not None
        self._generator.startTransmit(call_media)
        self._media = call_media

    def play(self, digits: str) -> None:
        assert self._generator is not None
        tones = pj.ToneDigitVector()
        for char in digits:
            tone = pj.ToneDigit()
            tone.digit = char
            tone.on_msec = TONE_MS
            tone.off_msec = GAP_MS
            tone.volume = 0  # pjmedia's default level
            tones.append(tone)
        self._generator.playDigits(tones)

    def close(self) -> None:
        if self._generator is None:
            return
        if self._media is not None:
            with contextlib.suppress(pj.Error):  # the call's media may be gone already
                self._generator.stopTransmit(self._media)
        self._generator = None  # deleted here, long before libDestroy


def send(call: pj.Call, digits: str, method: DtmfMethod, duration_ms: int | None = None) -> None:
    """RFC 2833 or SIP INFO through pjsua; in-band is InbandDtmf's job."""
    param = pj.CallSendDtmfParam()
    param.digits = digits
    if duration_ms is not None:  # else pjsua's default (160 ms)
        param.duration = duration_ms
    param.method = (
        pj.PJSUA_DTMF_METHOD_SIP_INFO if method is DtmfMethod.SIP_INFO
        else pj.PJSUA_DTMF_METHOD_RFC2833
    )
    call.sendDtmf(param)
