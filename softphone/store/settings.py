"""User settings: one JSON file in the data folder, validated by pydantic.

Passwords are never here: they live in the system keyring (softphone.store.secrets).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from softphone.model.account import AccountSettings
from softphone.store.paths import StoreError

_log = logging.getLogger(__name__)


class AudioSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Devices are remembered by name, not index: indexes move when devices come and go.
    capture_device: str = ""  # empty: the system default
    playback_device: str = ""
    ring_device: str = ""
    speaker_volume: float = Field(default=1.0, ge=0.0, le=2.0)


class CallSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    auto_answer: bool = False
    auto_answer_after_s: float = Field(default=0.0, ge=0.0, le=600.0)
    do_not_disturb: bool = False
    ring_timeout_s: float | None = Field(default=60.0, gt=0.0)
    dial_timeout_s: float | None = Field(default=None, gt=0.0)
    max_duration_s: float | None = Field(default=None, gt=0.0)
    record_all: bool = False


class DesktopSettings(BaseModel):
    """How the window lives on the desktop: tray, start-up, login."""

    model_config = ConfigDict(extra="forbid")

    # With a tray, closing the window hides it there: calls keep ringing in.
    close_to_tray: bool = True
    start_minimized: bool = False
    autostart: bool = False  # an XDG autostart entry starts it at login (minimized)
    dial_pad_shown: bool = True


class NetworkSettings(BaseModel):
    """Where the window's engine listens; read at start."""

    model_config = ConfigDict(extra="forbid")

    interface: str = "0.0.0.0"  # an address of this computer; 0.0.0.0: all of them
    sip_port: int | None = Field(default=None, ge=0, le=65535)  # None: 5060 or next free
    rtp_port: int = Field(default=4000, ge=1024, le=65535)  # first RTP port
    rtp_port_range: int = Field(default=0, ge=0, le=60000)  # 0: no upper limit


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    default_domain: str = ""
    default_account: str = ""
    accounts: list[AccountSettings] = Field(default_factory=list)
    audio: AudioSettings = Field(default_factory=AudioSettings)
    calls: CallSettings = Field(default_factory=CallSettings)
    desktop: DesktopSettings = Field(default_factory=DesktopSettings)
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    recordings_dir: str = ""  # empty: <data dir>/recordings
    # The window's layout, as Qt's saveGeometry/saveState bytes in base64 (empty: defaults).
    window_geometry: str = ""
    window_splitter: str = ""
    history_header: str = ""

    def account(self, name: str) -> AccountSettings | None:
        return next((a for a in self.accounts if a.name == name), None)


def load_settings(path: Path) -> Settings:
    """Read settings; a missing file gives defaults. A broken file is set aside, never lost."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        raise StoreError(f"cannot read the settings {path}: {exc.strerror or exc}") from None
    try:
        return Settings.model_validate(json.loads(text))
    except (ValueError, ValidationError) as exc:
        backup = path.with_suffix(".broken.json")
        try:
            os.replace(path, backup)
        except OSError:
            backup = path
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        _log.warning("settings %s were unreadable (%s); kept as %s, using defaults",
                     path, first, backup)
        return Settings()


def save_settings(path: Path, settings: Settings) -> None:
    """Write atomically: a crash mid-write must not leave half a settings file."""
    data = settings.model_dump_json(indent=2)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise StoreError(f"cannot write the settings {path}: {exc.strerror or exc}") from None
