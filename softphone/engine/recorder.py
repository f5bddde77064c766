"""Per-call WAV recordings named so the file name already tells the story."""

from __future__ import annotations

import contextlib
import logging
import re
from datetime import datetime
from pathlib import Path
from uuid import UUID

import pjsua2 as pj

_log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^A-Za-z0-9+@._-]+")


def recording_path(folder: Path, recording_id: UUID, direction: str, remote: str) -> Path:
    remote = _UNSAFE.sub("-", remote.removeprefix("sips:").removeprefix("sip:"))[:60].strip("-")
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return folder / f"{stamp}_{direction}_{remote or 'unknown'}_{recording_id}.wav"


def find_recording(folder: Path, recording_id: UUID) -> Path | None:
    matches = sorted(folder.glob(f"*_{recording_id}.wav"))
    return matches[0] if matches else None


class Recording:
    """One WAV file fed by the conference bridge: the far end plus our own capture, mixed."""

    def __init__(self, recording_id: UUID, path: Path) -> None:
        self.id = recording_id
        self.path = path
        self._recorder: pj.AudioMediaRecorder | None = pj.AudioMediaRecorder()
        self._sources: list[pj.AudioMedia] = []
        path.parent.mkdir(parents=True, exist_ok=True)
        self._recorder.createRecorder(str(path))

    def connect(self, *sources: pj.AudioMedia) -> None:
        """Feed the recorder from exactly these ports (the call's current stream, our
        capture); a stream replaced by a re-INVITE is let go, its port is gone anyway."""
        assert self._recorder is not None
        self._disconnect()
        for media in sources:
            media.startTransmit(self._recorder)
            self._sources.append(media)

    def _disconnect(self) -> None:
        for media in self._sources:
            with contextlib.suppress(pj.Error):  # the call's media is already gone
                media.stopTransmit(self._recorder)
        self._sources.clear()

    def close(self) -> None:
        """Disconnect and delete the recorder; deleting it is what finalises the WAV header."""
        if self._recorder is None:
            return
        self._disconnect()
        self._recorder = None
        _log.info("recording %s closed: %s", self.id, self.path)
