"""Where the softphone keeps its data: history, recordings, settings and logs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

APP_NAME = "softphone"
DATA_DIR_ENV = "SOFTPHONE_DATA_DIR"


class StoreError(Exception):
    """Storage failed; ``str(error)`` is one line meant to be shown to the user as is."""


@dataclass(frozen=True)
class DataDirs:
    """The data folder and the fixed places inside it (all derived from ``root``)."""

    root: Path
    history_db: Path = field(init=False)
    recordings: Path = field(init=False)
    settings_file: Path = field(init=False)
    logs: Path = field(init=False)

    def __post_init__(self) -> None:
        # Frozen: derived fields are set once here, through object.__setattr__.
        object.__setattr__(self, "history_db", self.root / "history.sqlite3")
        object.__setattr__(self, "recordings", self.root / "recordings")
        object.__setattr__(self, "settings_file", self.root / "settings.json")
        object.__setattr__(self, "logs", self.root / "logs")

    def ensure(self) -> DataDirs:
        """Create the data folders (and their parents); return self for chaining."""
        for folder in (self.root, self.recordings, self.logs):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except FileExistsError:
                # mkdir's exist_ok only forgives an existing *folder*: a file is in the way.
                raise StoreError(
                    f"cannot create the data folder {folder}: a file with that name exists"
                ) from None
            except OSError as exc:
                raise StoreError(
                    f"cannot create the data folder {folder}: {exc.strerror or exc}"
                ) from None
        return self


def resolve_data_dirs(
    explicit: str | Path | None, env: Mapping[str, str] = os.environ
) -> DataDirs:
    """Pick the data folder: ``--data-dir``, then $SOFTPHONE_DATA_DIR, then the OS default.

    An empty value counts as not given (an exported but empty variable is common in
    shells and CI). ``~`` is expanded because values from settings files or quoted
    arguments never went through a shell.
    """
    chosen: str | Path | None = explicit if explicit not in (None, "") else None
    if chosen is None:
        chosen = env.get(DATA_DIR_ENV) or None
    if chosen is None:
        # platformdirs knows each OS's convention: XDG on Linux, AppData on Windows,
        # Application Support on macOS.
        root = platformdirs.user_data_path(APP_NAME, appauthor=False)
    else:
        root = Path(chosen).expanduser()
    # Absolute so messages show a full path and a later chdir cannot move the data.
    return DataDirs(root=root.absolute())
