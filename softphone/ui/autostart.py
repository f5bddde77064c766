"""The XDG autostart entry: the desktop starts softphone (minimized) at login when it exists.

The freedesktop.org Desktop Application Autostart spec: a .desktop file in
$XDG_CONFIG_HOME/autostart (default ~/.config/autostart).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENTRY_NAME = "softphone.desktop"


def autostart_file(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ) if env is None else env
    config = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")) / ".config")
    return Path(config).expanduser() / "autostart" / ENTRY_NAME


def command_line(data_dir: Path | None) -> str:
    """How login starts us: this very interpreter and package, minimized."""
    words = [sys.executable, "-m", "softphone", "--minimized"]
    if data_dir is not None:
        words[3:3] = ["--data-dir", str(data_dir)]
    return " ".join(_exec_quote(word) for word in words)


def _exec_quote(word: str) -> str:
    """Quote one Exec= argument as the Desktop Entry spec asks (double quotes, \\-escapes)."""
    if word and not any(c in word for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return word
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in word)
    return f'"{escaped}"'



def set_autostart(on: bool, data_dir: Path | None, path: Path | None = None) -> Path:
    """Write or remove the entry; OSError says why it could not."""
    path = path or autostart_file()
    if not on:
        path.unlink(missing_ok=True)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=softphone\n"
        "Comment=SIP softphone, started at login in the tray\n"
        f"Exec={command_line(data_dir)}\n"
        "Icon=softphone\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n",
        encoding="utf-8",
    )
    return path
