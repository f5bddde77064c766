"""What a support engineer wants to know about a call beyond the VoIPBIN shape.

Kept apart from :class:`Call` so the Call JSON stays exactly VoIPBIN's.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from softphone.model.quality import QualitySample, QualitySummary


class CallDiagnostics(BaseModel):
    model_config = ConfigDict(frozen=True)

    sip_code: int | None = None  # the final SIP status code of the INVITE or the BYE
    sip_reason: str | None = None
    user_agent: str | None = None  # the far end's User-Agent or Server header
    post_dial_delay_ms: int | None = None  # INVITE to first 180/183 (RFC 6076)
    call_id_header: str | None = None  # SIP Call-ID, to find the call in a capture
    detail: str | None = None  # one human sentence on how the call ended
    quality: QualitySummary | None = None  # min/avg/max over the answered call
    quality_now: QualitySample | None = None  # the latest second, while it is live
