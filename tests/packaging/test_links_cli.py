"""sip:/sips:/tel: links on the command line: `softphone URL` and `--dial URL`."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.cli.args import build_parser, link_as_dial, normalize_link
from tests.softphone_cli import run_cli


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["sip:alice@example.com"], ["--dial", "sip:alice@example.com"]),
        (["SIPS:alice@example.com"], ["--dial", "SIPS:alice@example.com"]),
        (["tel:+821028286521"], ["--dial", "tel:+821028286521"]),
        (["--data-dir", "/tmp/x", "sip:a@b"], ["--data-dir", "/tmp/x", "--dial", "sip:a@b"]),
        (["--data-dir=/tmp/x", "-v", "sip:a@b"], ["--data-dir=/tmp/x", "-v", "--dial", "sip:a@b"]),
        # a data folder that looks like a link is still a data folder
        (["--data-dir", "sip:odd", "history"], ["--data-dir", "sip:odd", "history"]),
        # subcommands keep their own targets
        (["call", "sip:a@b"], ["call", "sip:a@b"]),
        (["call", "sip:a@b", "--json"], ["call", "sip:a@b", "--json"]),
        # a link followed by more words is left for the parser to refuse
        (["sip:a@b", "call"], ["sip:a@b", "call"]),
        (["--", "sip:a@b"], ["--", "sip:a@b"]),
        (["http://example.com"], ["http://example.com"]),
        ([], []),
    ],
)
def test_link_as_dial(argv: list[str], expected: list[str]) -> None:
    assert link_as_dial(argv) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sip://alice@example.com", "sip:alice@example.com"),
        ("SIP:alice@example.com", "sip:alice@example.com"),
        ("tel:+1-555-0100", "tel:+1-555-0100"),
        ("alice@example.com", "alice@example.com"),
    ],
)
def test_normalize_link(text: str, expected: str) -> None:
    assert normalize_link(text) == expected


def test_dial_option_parses() -> None:
    args = build_parser().parse_args(["--dial", "sip:a@b"])
    assert args.dial == "sip:a@b" and args.command is None


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["sip:"], "invalid target 'sip:'"),
        (["sip:alice@exa mple.com"], None),  # two words: the parser refuses the second
        (["tel:12ab"], "invalid target 'tel:12ab'"),
        (["--dial", "sip:alice@example.com", "history"], "--dial opens the window"),
        (["--dial", "ftp://example.com"], "unknown scheme 'ftp'"),
        (["sip:alice@example.com", "extra"], "invalid choice"),
    ],
)
def test_bad_links_give_one_error_line(data_dir: Path, argv: list[str], says: str | None) -> None:
    result = run_cli(*argv[0].split(" ", 1), *argv[1:], data_dir=data_dir, timeout=30)
    assert result.returncode == 2, result.explain()
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.explain()
    assert lines[0].startswith("softphone: error: ")
    if says:
        assert says in lines[0]
