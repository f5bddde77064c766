"""User settings: one JSON file in the data folder, validated by pydantic.

Passwords are never here: they live in the system keyring (softphone.store.secrets).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from softphone.model.account import AccountSettings
from softphone.model.validation import first_error
from softphone.store.paths import StoreError

_log = logging.getLogger(__name__)


class AudioSettings(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    # Devices are remembered by name, not index: indexes move when devices come and go.
    capture_device: str = ""  # empty: the system default
    playback_device: str = ""
    ring_device: str = ""
    speaker_volume: float = Field(default=1.0, ge=0.0, le=2.0)


class CallSettings(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    auto_answer: bool = False
    auto_answer_after_s: float = Field(default=0.0, ge=0.0, le=600.0)
    do_not_disturb: bool = False
    ring_timeout_s: float | None = Field(default=60.0, gt=0.0)
    dial_timeout_s: float | None = Field(default=None, gt=0.0)
    max_duration_s: float | None = Field(default=None, gt=0.0)
    record_all: bool = False
    # A command run as calls come in, ring, are answered and end (softphone.hooks); "": none.
    on_event: str = Field(default="", max_length=4096, pattern=r"^[^\x00-\x1f\x7f]*$")
    # The far end's REFER (its user pressed transfer): followed, unless this says 603.
    refuse_transfers: bool = False


class DesktopSettings(BaseModel):
    """How the window lives on the desktop: tray, start-up, login."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    # With a tray, closing the window hides it there: calls keep ringing in.
    close_to_tray: bool = True
    start_minimized: bool = False
    autostart: bool = False  # an XDG autostart entry starts it at login (minimized)
    dial_pad_shown: bool = True


class NetworkSettings(BaseModel):
    """Where the window's engine listens; read at start."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    interface: str = "0.0.0.0"  # an address of this computer; 0.0.0.0: all of them
    sip_port: int | None = Field(default=None, ge=0, le=65535)  # None: 5060 or next free
    rtp_port: int = Field(default=4000, ge=1024, le=65535)  # first RTP port
    rtp_port_range: int = Field(default=0, ge=0, le=60000)  # 0: no upper limit


class Settings(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="ignore")

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


@dataclass
class LoadedSettings:
    """What a settings file gave: the settings, the account entries that could not be used
    (kept as they were, so the next save writes them back rather than deleting them), and
    one line per problem met."""

    settings: Settings
    kept_accounts: list[Any] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Top-level keys this version does not know (a newer one wrote them): written back as is.
    unknown: dict[str, Any] = field(default_factory=dict)


def _set_aside(path: Path, data: bytes) -> Path:
    """Copy a broken file to ``settings.broken-<time>[-N].json``, never over an earlier copy
    (each may hold accounts the user still needs)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        candidate = path.with_name(f"{path.stem}.broken-{stamp}{f'-{n}' if n else ''}.json")
        try:
            with open(candidate, "xb") as handle:  # x: fails if it exists, atomically
                handle.write(data)
            return candidate
        except FileExistsError:
            continue
        except OSError:
            with contextlib.suppress(OSError):
                candidate.unlink()
            raise
    raise FileExistsError(f"too many set-aside copies of {path}")


def _entry_name(entry: Any, index: int) -> str:
    name = entry.get("name") if isinstance(entry, dict) else None
    return repr(name) if isinstance(name, str) and name else f"number {index + 1}"


def _parse(data: bytes) -> dict[str, Any]:
    """The file's JSON object; ValueError with a one-line reason when it is not one."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start})") from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def read_settings(path: Path) -> LoadedSettings:
    """Read settings leniently: a missing file gives defaults; an unreadable one is set aside
    (one warning) and defaults are used; a bad account is skipped (one warning naming it)
    and kept as written; a bad section falls back to its defaults, the file copied aside."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return LoadedSettings(Settings())
    except OSError as exc:
        raise StoreError(f"cannot read the settings {path}: {exc.strerror or exc}") from None
    try:
        raw = _parse(data)
    except ValueError as exc:
        return LoadedSettings(Settings(), warnings=[_broken(path, data, str(exc), move=True)])

    loaded = LoadedSettings(Settings())
    loaded.unknown = {k: v for k, v in raw.items() if k not in Settings.model_fields}
    entries = raw.pop("accounts", [])
    if not isinstance(entries, list):
        loaded.warnings.append(_broken(path, data, "its accounts are not a list", move=False))
        entries = []
    accounts: list[AccountSettings] = []
    for index, entry in enumerate(entries):
        try:
            account = AccountSettings.model_validate(entry)
        except ValidationError as exc:
            loaded.kept_accounts.append(entry)
            loaded.warnings.append(
                f"settings {path}: account {_entry_name(entry, index)} skipped "
                f"({first_error(exc)}); it stays in the file until fixed or removed")
            continue
        if any(a.name == account.name for a in accounts):
            loaded.kept_accounts.append(entry)
            loaded.warnings.append(f"settings {path}: a second account {account.name!r} "
                                   "skipped; it stays in the file")
            continue
        accounts.append(account)
    bad_sections: list[str] = []
    while True:
        try:
            settings = Settings.model_validate(raw)
            break
        except ValidationError as exc:
            # Drop each bad section (its defaults apply) and try again with the rest.
            names = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            if not names or not names & raw.keys():
                settings = Settings()
                bad_sections.append("all")
                break
            bad_sections.extend(sorted(names & raw.keys()))
            for name in names:
                raw.pop(name, None)
    if bad_sections:
        loaded.warnings.append(_broken(
            path, data, f"bad values in {', '.join(bad_sections)} (defaults used there)",
            move=False))
    settings.accounts = accounts
    loaded.settings = settings
    return loaded


def _broken(path: Path, data: bytes, why: str, *, move: bool) -> str:
    try:
        copy = _set_aside(path, data)
    except OSError as exc:
        return (f"settings {path} are unusable ({why}); left in place, not copied aside "
                f"({exc.strerror or exc}); using defaults")
    if move:
        with contextlib.suppress(OSError):
            path.unlink()
        return f"settings {path} were unreadable ({why}); moved to {copy.name}; using defaults"
    return f"settings {path}: {why}; the file as it was is kept as {copy.name}"


def load_settings(path: Path) -> Settings:
    """Read settings (see read_settings); problems are logged as warnings."""
    loaded = read_settings(path)
    for warning in loaded.warnings:
        _log.warning("%s", warning)
    return loaded.settings


def write_settings(
    path: Path,
    settings: Settings,
    kept_accounts: Sequence[Any] = (),
    unknown: Mapping[str, Any] | None = None,
) -> None:
    """Write atomically: a crash or a full disk mid-write leaves the old file whole and no
    temporary file behind."""
    document = {**(unknown or {}), **settings.model_dump(mode="json")}
    document["accounts"] = [*document["accounts"], *kept_accounts]
    try:
        data = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a kept entry with a lone surrogate: escape everything
        data = json.dumps(document, indent=2).encode("ascii")
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise StoreError(f"cannot write the settings {path}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def save_settings(path: Path, settings: Settings) -> None:
    write_settings(path, settings)
