"""Storage: the data folders and the call history."""

from softphone.model.account import AccountSettings
from softphone.store.history import (
    SCHEMA_VERSION,
    CallDiagnostics,
    History,
    HistoryEntry,
    HistoryScope,
)
from softphone.store.paths import DATA_DIR_ENV, DataDirs, StoreError, resolve_data_dirs
from softphone.store.secrets import KeyringMissing, SecretError
from softphone.store.settings import (
    AudioSettings,
    CallSettings,
    DesktopSettings,
    NetworkSettings,
    Settings,
    load_settings,
    save_settings,
)

__all__ = [
    "DATA_DIR_ENV",
    "SCHEMA_VERSION",
    "AccountSettings",
    "AudioSettings",
    "CallDiagnostics",
    "CallSettings",
    "DataDirs",
    "DesktopSettings",
    "History",
    "HistoryEntry",
    "HistoryScope",
    "KeyringMissing",
    "NetworkSettings",
    "SecretError",
    "Settings",
    "StoreError",
    "load_settings",
    "resolve_data_dirs",
    "save_settings",
]
