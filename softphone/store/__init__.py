"""Storage: the data folders and the call history."""

from softphone.model.account import AccountSettings
from softphone.store.export import (
    CSV_HEADER,
    EXPORT_PAGE,
    HistoryPages,
    all_entries,
    csv_cell,
    write_csv,
    write_json,
)
from softphone.store.export import export as export_file
from softphone.store.history import (
    SCHEMA_VERSION,
    CallDiagnostics,
    History,
    HistoryEntry,
    HistoryScope,
)
from softphone.store.instance import instance_name, instance_socket_path
from softphone.store.ladder import LadderKeeper
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
from softphone.store.settings_store import SettingsListener, SettingsStore

__all__ = [
    "CSV_HEADER",
    "DATA_DIR_ENV",
    "EXPORT_PAGE",
    "SCHEMA_VERSION",
    "AccountSettings",
    "AudioSettings",
    "CallDiagnostics",
    "CallSettings",
    "DataDirs",
    "DesktopSettings",
    "History",
    "HistoryEntry",
    "HistoryPages",
    "HistoryScope",
    "KeyringMissing",
    "LadderKeeper",
    "NetworkSettings",
    "SecretError",
    "Settings",
    "SettingsListener",
    "SettingsStore",
    "StoreError",
    "all_entries",
    "csv_cell",
    "export_file",
    "instance_name",
    "instance_socket_path",
    "load_settings",
    "resolve_data_dirs",
    "save_settings",
    "write_csv",
    "write_json",
]
