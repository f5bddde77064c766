"""The command line: the composition root for headless use and the window."""

from __future__ import annotations

import logging
import sys

from softphone.cli.args import build_parser
from softphone.cli.commands import EXIT_FAILURE, run_call, run_history, run_listen
from softphone.store import StoreError, resolve_data_dirs


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose >= 1 else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        dirs = resolve_data_dirs(args.data_dir)
        dirs.ensure()
        if args.command == "call":
            return run_call(args, dirs)
        if args.command == "listen":
            return run_listen(args, dirs)
        if args.command == "history":
            return run_history(args, dirs)
        from softphone.app import run_window

        return run_window(dirs)
    except StoreError as exc:
        sys.stderr.write(f"softphone: error: {exc}\n")
        return EXIT_FAILURE
