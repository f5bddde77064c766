"""Storage: the data folders and the call history."""

from softphone.store.history import (
    SCHEMA_VERSION,
    CallDiagnostics,
    History,
    HistoryEntry,
)
from softphone.store.paths import DATA_DIR_ENV, DataDirs, StoreError, resolve_data_dirs

__all__ = [
    "DATA_DIR_ENV",
    "SCHEMA_VERSION",
    "CallDiagnostics",
    "DataDirs",
    "History",
    "HistoryEntry",
    "StoreError",
    "resolve_data_dirs",
]
