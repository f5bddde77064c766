"""Finding a call's WAV files in the recordings folder (the engine names them ``*_<id>.wav``)."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID


def find_recording(folder: Path, recording_id: UUID) -> Path | None:
    matches = sorted(folder.glob(f"*_{recording_id}.wav"))
    return matches[0] if matches else None


def recording_files(folder: Path, recording_ids: list[UUID]) -> list[tuple[UUID, Path | None]]:
    return [(rid, find_recording(folder, rid)) for rid in recording_ids]
