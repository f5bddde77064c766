"""Where a running softphone (the window or `listen`) listens for later invocations.

One name per user and data folder, so two profiles (``--data-dir``) never meet. The window
listens with Qt's QLocalServer, whose Unix socket for a plain name is ``$TMPDIR/<name>``
(``/tmp`` without TMPDIR); `listen` and `softphone ctl` use that same path without Qt.
"""

from __future__ import annotations

import getpass
import hashlib
import os
from pathlib import Path


def instance_name(data_dir: Path) -> str:
    """The local socket name for this user and data folder (stable, short, filesystem-safe)."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name (containers): fall back to the uid where there is one
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    key = f"{user}\0{Path(data_dir).expanduser().absolute()}".encode()
    return "softphone-" + hashlib.sha256(key).hexdigest()[:16]


def instance_socket_path(data_dir: Path) -> Path:
    """The Unix socket file QLocalServer creates for :func:`instance_name` (QDir::tempPath)."""
    return Path(os.environ.get("TMPDIR") or "/tmp") / instance_name(data_dir)
