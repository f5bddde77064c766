"""pydantic's plugin scan, skipped for softphone's own models (issue 16: start-up time).

Before it builds its first validator, pydantic reads the entry points of every installed
distribution, looking for plugins: 10-25 ms of each window, call or history start,
measured. softphone's models use no plugin, so the command line switches the scan off
with pydantic's own setting, ``PYDANTIC_DISABLE_PLUGINS``. pydantic reads it whenever a
model is first built, so it stays set while the process runs. The programs we start for
the user (the call-event command) get the environment as the user gave it:
``child_environment()`` takes the setting out again, unless the user had set it.
"""

from __future__ import annotations

import os

SETTING = "PYDANTIC_DISABLE_PLUGINS"
_set_by_us = False


def skip_plugin_scan() -> None:
    """Switch pydantic's plugin scan off for this process (a user's own value wins)."""
    global _set_by_us
    if SETTING not in os.environ:
        os.environ[SETTING] = "__all__"
        _set_by_us = True


def child_environment() -> dict[str, str]:
    """This process's environment without the switch we set."""
    env = dict(os.environ)
    if _set_by_us:
        env.pop(SETTING, None)
    return env
