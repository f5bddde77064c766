"""One call's media graph: every connection into and out of the call's audio.

pjsua recreates a call's audio stream on re-INVITEs (a codec locked after a multi-codec
answer, hold and resume): the stream's bridge port is new and every connection made to the
old one is gone. So nothing here is connected once: :meth:`CallMedia.rebuild` remakes every
connection (our microphone and speaker, the recorder, the in-band DTMF generator) from the
call's current media each time pjsua reports a media change. Later sources and taps (file
and speech players, conference mixing, AMD and silence meters) attach here the same way.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

import pjsua2 as pj

from softphone.engine.dtmf import InbandDtmf
from softphone.engine.media_sources import Attachment
from softphone.engine.port_free import free_port
from softphone.engine.receive_meter import ReceiveMeter
from softphone.engine.recorder import Recording
from softphone.engine.transport import error_text

if TYPE_CHECKING:
    from softphone.engine.conference import Conference

_log = logging.getLogger(__name__)
# pjmedia_dir bits of a stream's negotiated direction (CallMediaInfo.dir).
_SENDS = 1  # PJMEDIA_DIR_ENCODING
_RECEIVES = 2  # PJMEDIA_DIR_DECODING

# pjsua's media states in which the stream exists and sits on the bridge.
_ON_BRIDGE = frozenset(
    {pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_LOCAL_HOLD, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD}
)


class BridgeEnds(Protocol):
    """Our side of the conference bridge, as a call's media graph needs it."""

    def capture_media(self) -> pj.AudioMedia:
        """Our microphone (the device port, else the null device)."""
        ...

    def playback_media(self) -> pj.AudioMedia | None:
        """Our speaker, when real devices are in use."""
        ...


@dataclass(frozen=True)
class MediaState:
    """What the graph found in the call's media at the last change."""

    active: bool = False  # audio flows both ways (early media included)
    on_bridge: bool = False  # the stream exists (active or held)
    held_by_us: bool = False
    held_by_them: bool = False


class CallMedia:
    def __init__(self, ends: BridgeEnds) -> None:
        self._ends = ends
        self._stream: pj.AudioMedia | None = None  # the call's current stream port
        self.index = -1  # the call's media index of that stream
        self.state = MediaState()
        self.recording: Recording | None = None
        self._inband: InbandDtmf | None = None
        # Our acts on the call, applied on every rebuild: we asked to hold it; our
        # microphone is off for it; it is mixed with other calls on our bridge.
        self.holding = False
        self.muted = False
        self.conference: Conference | None = None
        # Answered by a built-in service (sip-service: the Test call's echo leg), not by
        # the user: it never reaches our microphone or speaker.
        self.apart = False
        # The number tester's tap on what we hear (engine.meter_received), and its result.
        self.meter: ReceiveMeter | None = None
        self.heard_pct: float | None = None
        # Flow players, echo, taps (engine/media_sources.py): remade on every rebuild.
        self.attachments: list[Attachment] = []

    # -- the graph -----------------------------------------------------------------------

    def rebuild(self, call: pj.Call) -> MediaState:
        """Re-read the call's media and remake every connection; return the new state."""
        info = call.getInfo()
        audio = [m for m in info.media if m.type == pj.PJMEDIA_TYPE_AUDIO]
        current = next((m for m in audio if m.status in _ON_BRIDGE), None)
        if current is None:
            self._stream, self.index = None, -1
            self.state = MediaState()
            return self.state
        direction = int(current.dir)
        # Read from the negotiated direction, not pjsua's media status: pjsua calls every
        # inactive stream LOCAL_HOLD, also when only the far end holds (an inactive offer).
        # We hold once our sendonly offer is answered (we no longer receive)...
        by_us = self.holding and not direction & _RECEIVES
        # ...and they hold when their SDP stops us sending; while we hold (we send only),
        # they hold too exactly when the stream is inactive.
        by_them = direction == 0 if by_us else not direction & _SENDS
        self.state = MediaState(
            active=current.status == pj.PJSUA_CALL_MEDIA_ACTIVE,
            on_bridge=True,
            held_by_us=by_us,
            held_by_them=by_them,
        )
        try:
            self.index = int(current.index)
            self._stream = call.getAudioMedia(self.index)
            self._connect()
        except pj.Error as exc:
            _log.warning("could not connect the call's audio: %s", error_text(exc))
        return self.state

    def _connect(self) -> None:
        # Connecting a pair that is already connected is harmless in pjmedia's bridge, so
        # every connection is simply made again: no bookkeeping of what survived.
        stream = self._stream
        assert stream is not None
        capture = self._ends.capture_media()
        # A call we hold hears nothing of our talk (with the next call, say); a muted call
        # hears nothing of our microphone, while the far end still reaches our speaker.
        # A bridged call (a flow's connect) talks with its peer only, never with us.
        apart = self.apart or (self.conference is not None and not self.conference.devices)
        if self.holding or self.muted or apart:
            with contextlib.suppress(pj.Error):  # not connected: nothing to undo
                capture.stopTransmit(stream)
        else:
            capture.startTransmit(stream)
        speaker = self._ends.playback_media()
        if speaker is not None:
            if self.holding or apart:
                with contextlib.suppress(pj.Error):
                    stream.stopTransmit(speaker)
            else:
                stream.startTransmit(speaker)
        peers = []
        for other in self.conference.others(self) if self.conference else []:
            peer = other.stream
            if peer is None:
                continue
            if self.holding or other.holding:
                # A held party hears nothing of the conference either (call waiting).
                self.unlink(peer)
                continue
            # Each party hears every other party, as well as us.
            stream.startTransmit(peer)
            peer.startTransmit(stream)
            peers.append(peer)
        if self.recording is not None:
            self.recording.connect(stream, capture, *peers)
        if self._inband is not None:
            self._inband.connect(stream)
        if self.meter is not None:
            stream.startTransmit(self.meter)
        for attachment in self.attachments:
            attachment.connect(stream)

    def reconnect(self) -> None:
        """Apply a changed act (mute, hold, conference) to the current stream now."""
        if self._stream is not None:
            try:
                self._connect()
            except pj.Error as exc:
                _log.warning("could not reconnect the call's audio: %s", error_text(exc))

    @property
    def stream(self) -> pj.AudioMedia | None:
        return self._stream

    def unlink(self, peer: pj.AudioMedia) -> None:
        """Stop mixing with a party that left the conference (its port may be gone)."""
        if self._stream is None:
            return
        for a, b in ((self._stream, peer), (peer, self._stream)):
            with contextlib.suppress(pj.Error):
                a.stopTransmit(b)

    # -- recording -------------------------------------------------------------------------

    def start_recording(self, recording_id: UUID, path: Path) -> Recording:
        """Record both directions, mixed as heard, from now on (and across stream changes)."""
        if self._stream is None:
            raise RuntimeError("the call has no audio to record yet")
        recording = Recording(recording_id, path)
        peers = self.conference.streams(exclude=self) if self.conference else []
        try:
            # A conference call's recording takes the whole mix: every party and us.
            recording.connect(self._stream, self._ends.capture_media(), *peers)
        except pj.Error:
            recording.close()
            raise
        self.recording = recording
        return recording

    def stop_recording(self) -> Recording | None:
        recording, self.recording = self.recording, None
        if recording is not None:
            recording.close()
        return recording

    # -- attachments -------------------------------------------------------------------------

    def attach(self, attachment: Attachment) -> None:
        """Connect ``attachment`` to the stream now (if any) and after each media change."""
        self.attachments.append(attachment)
        if self._stream is not None:
            try:
                attachment.connect(self._stream)
            except pj.Error as exc:
                _log.warning("could not attach to the call's audio: %s", error_text(exc))

    def detach(self, attachment: Attachment) -> None:
        if attachment in self.attachments:
            self.attachments.remove(attachment)
        attachment.close()

    # -- in-band DTMF ------------------------------------------------------------------------

    def play_inband_dtmf(self, digits: str) -> None:
        if self._stream is None:
            raise RuntimeError("the call has no audio for in-band DTMF")
        if self._inband is None:
            self._inband = InbandDtmf()
            self._inband.connect(self._stream)
        self._inband.play(digits)

    # -- the end ---------------------------------------------------------------------------

    def close(self) -> None:
        """Free every port this call owns (long before libDestroy)."""
        if self.conference is not None:
            self.conference.leave(self)
        self.stop_recording()
        for attachment in reversed(self.attachments):
            attachment.drop_stream()  # pjsua removed the stream's port with the call
            attachment.close()
        self.attachments.clear()
        inband, self._inband = self._inband, None
        if inband is not None:
            inband.close()
        meter, self.meter = self.meter, None
        if meter is not None:
            self.heard_pct = meter.heard_pct
            if self._stream is not None:
                with contextlib.suppress(pj.Error):
                    self._stream.stopTransmit(meter)
            free_port(meter)
        self._stream, self.index = None, -1
        self.state = MediaState()
