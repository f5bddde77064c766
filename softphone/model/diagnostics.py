"""What a support engineer wants to know about a call beyond the VoIPBIN shape.

Kept apart from :class:`Call` so the Call JSON stays exactly VoIPBIN's.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from softphone.model.quality import QualitySample, QualitySummary


class CallDiagnostics(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    sip_code: int | None = None  # the final SIP status code of the INVITE or the BYE
    sip_reason: str | None = None
    user_agent: str | None = None  # the far end's User-Agent or Server header
    post_dial_delay_ms: int | None = None  # INVITE to first 180/183 (RFC 6076)
    call_id_header: str | None = None  # SIP Call-ID, to find the call in a capture
    detail: str | None = None  # one human sentence on how the call ended
    quality: QualitySummary | None = None  # min/avg/max over the answered call
    quality_now: QualitySample | None = None  # the latest second, while it is live
    # Live call control, beside the status (VoIPBIN has no held status): who holds the
    # call, whether our microphone is off for it, the latest transfer progress.
    held_by_us: bool = False
    held_by_them: bool = False
    muted: bool = False
    transfer: str | None = None  # "REFER to sip:...: 180 Ringing", "failed: 486 Busy Here"
    dtmf_received: str = ""  # digits the far end sent (RFC 2833 or SIP INFO), in order
