"""`softphone history` loads pydantic only when there is a call to read (issue 16).

Each command runs in a fresh interpreter, as a user starts it; a line on stderr lists the
heavy packages it imported. With a call in the history, the JSON is still the Call's own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from softphone.store import History
from tests.store.helpers import env
from tests.test_history_store import make_call

HEAVY = ("pydantic", "pjsua2", "PySide6", "numpy")
# Runs the command as `python -m softphone` would, then reports what it imported.
_RUN = (
    "import runpy, sys\n"
    "sys.argv = ['softphone', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('softphone', run_name='__main__')\n"
    "except SystemExit as exit:\n"
    "    code = exit.code\n"
    f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
    "print('loaded:', ','.join(heavy), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def history_command(data_dir: Path, *args: str) -> tuple[str, set[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, "--data-dir", str(data_dir), "history", *args],
        capture_output=True, text=True, env=env(), timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    loaded = next(line for line in proc.stderr.splitlines() if line.startswith("loaded:"))
    return proc.stdout, set(filter(None, loaded.removeprefix("loaded:").strip().split(",")))


def test_an_empty_history_prints_without_loading_pydantic(tmp_path: Path) -> None:
    for args in (("--json",), ("--csv",), ()):
        _out, loaded = history_command(tmp_path, *args)
        assert loaded == set(), (args, loaded)
    assert history_command(tmp_path, "--json")[0] == "[]\n"


def test_a_stored_call_is_read_through_the_model_and_printed_whole(tmp_path: Path) -> None:
    call = make_call(1)
    with History.open(tmp_path / "history.sqlite3") as history:
        history.save(call)
    out, loaded = history_command(tmp_path, "--json")
    assert loaded == {"pydantic"}
    assert json.loads(out) == [json.loads(call.model_dump_json())]
