"""PySide6's per-import source scan is swapped for a cheap one that gives the same answers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import softphone.model.call
import softphone.ui.about_dialog
from softphone.ui.pyside_import_hook import _source_mentions_pyside, lighten_pyside_import_hook


def test_the_pinned_pyside_has_the_hook_and_it_is_swapped() -> None:
    # If a PySide6 upgrade drops the hook, this says so (and start-up pays nothing for it).
    assert lighten_pyside_import_hook() is True
    hook = sys.modules["shibokensupport.feature"]
    assert hook._mod_uses_pyside is _source_mentions_pyside  # type: ignore[attr-defined]


def test_the_cheap_check_answers_as_the_source_says() -> None:
    assert _source_mentions_pyside(softphone.ui.about_dialog) is True
    assert _source_mentions_pyside(softphone.model.call) is False
    assert _source_mentions_pyside(sys) is False  # built in: no source file


def test_modules_imported_after_the_swap_are_sorted_as_pyside_sorts_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lighten_pyside_import_hook()
    (tmp_path / "uses_qt_here.py").write_text("from PySide6.QtCore import QObject\nX = 1\n")
    (tmp_path / "plain_here.py").write_text("X = 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import plain_here  # type: ignore[import-not-found]
    import uses_qt_here  # type: ignore[import-not-found]

    seen = sys.modules["shibokensupport.feature"].pyside_feature_dict  # type: ignore[attr-defined]
    assert (uses_qt_here.X, plain_here.X) == (1, 2)
    assert seen["uses_qt_here"] == 0  # may use PySide's features
    assert seen["plain_here"] == -1  # ignored by them
