"""Storage: the data folders and the call history."""

from typing import TYPE_CHECKING

from softphone.lazy import lazy_exports

if TYPE_CHECKING:
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

# Imported on first use (softphone/lazy.py): `--version` loads none of them.
_EXPORTS = {
    "AccountSettings": "softphone.model.account",
    "CSV_HEADER": "softphone.store.export",
    "EXPORT_PAGE": "softphone.store.export",
    "HistoryPages": "softphone.store.export",
    "all_entries": "softphone.store.export",
    "csv_cell": "softphone.store.export",
    "write_csv": "softphone.store.export",
    "write_json": "softphone.store.export",
    "SCHEMA_VERSION": "softphone.store.history",
    "CallDiagnostics": "softphone.store.history",
    "History": "softphone.store.history",
    "HistoryEntry": "softphone.store.history",
    "HistoryScope": "softphone.store.history",
    "instance_name": "softphone.store.instance",
    "instance_socket_path": "softphone.store.instance",
    "LadderKeeper": "softphone.store.ladder",
    "DATA_DIR_ENV": "softphone.store.paths",
    "DataDirs": "softphone.store.paths",
    "StoreError": "softphone.store.paths",
    "resolve_data_dirs": "softphone.store.paths",
    "KeyringMissing": "softphone.store.secrets",
    "SecretError": "softphone.store.secrets",
    "AudioSettings": "softphone.store.settings",
    "CallSettings": "softphone.store.settings",
    "DesktopSettings": "softphone.store.settings",
    "NetworkSettings": "softphone.store.settings",
    "Settings": "softphone.store.settings",
    "load_settings": "softphone.store.settings",
    "save_settings": "softphone.store.settings",
    "SettingsListener": "softphone.store.settings_store",
    "SettingsStore": "softphone.store.settings_store",
    "export_file": "softphone.store.export:export",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

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
