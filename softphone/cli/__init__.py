"""The command line: the composition root for headless use and the window."""

from __future__ import annotations

import logging
import os
import sys

from softphone.cli.args import build_parser, link_as_dial, normalize_link
from softphone.cli.exits import EXIT_FAILURE, EXIT_USAGE, fail
from softphone.pydantic_plugins import skip_plugin_scan
from softphone.store.paths import StoreError, resolve_data_dirs


def main(argv: list[str] | None = None) -> int:
    skip_plugin_scan()  # ~20 ms of every start that builds a model (softphone/pydantic_plugins.py)
    parser = build_parser()
    args = parser.parse_args(link_as_dial(sys.argv[1:] if argv is None else list(argv)))
    if args.dial is not None:
        if args.command is not None:
            parser.error(f"--dial opens the window: it cannot go with '{args.command}'")
        args.dial = normalize_link(args.dial)
        problem = _dial_problem(args.dial)
        if problem:
            return fail(problem, EXIT_USAGE)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose >= 1 else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        dirs = resolve_data_dirs(args.data_dir)
        dirs.ensure()
        if args.minimized and args.command is not None:
            parser.error(f"--minimized opens the window: it cannot go with '{args.command}'")
        # Each command imports what it needs only when chosen (issue 16: start-up time).
        if args.command in ("call", "listen"):
            from softphone.cli.commands import run_call, run_listen

            return (run_call if args.command == "call" else run_listen)(args, dirs)
        if args.command == "history":
            from softphone.cli.history_cmd import run_history

            return run_history(args, dirs)
        if args.command == "account":
            from softphone.cli.account_cmd import run_account

            return run_account(args, dirs)
        if args.command == "test":
            from softphone.cli.test_cmd import run_test

            return run_test(args, dirs)
        if args.command == "ctl":
            from softphone.cli.ctl_cmd import run_ctl

            return run_ctl(args, dirs)
        # Before the first Qt import: every import after QtCore pays PySide6's import hook.
        from softphone.ui.pyside_import_hook import lighten_pyside_import_hook

        lighten_pyside_import_hook()
        from softphone.ui.single_instance import forward

        # One window per data folder: a window already open takes the link and shows itself.
        if forward(dirs.root, args.dial):
            return 0
        from softphone.app import run_window

        return run_window(dirs, dial=args.dial, minimized=args.minimized)
    except StoreError as exc:
        return fail(str(exc), EXIT_FAILURE)


def _dial_problem(link: str) -> str | None:
    """Why a --dial target cannot be dialled (one line), or None.

    A phone number's domain may come from the window's account, so it is checked against a
    stand-in domain here; the window reports a missing one.
    """
    from softphone.model import TargetError, parse_target

    try:
        parse_target(link, os.environ.get("SOFTPHONE_DOMAIN") or "domain.invalid")
    except TargetError as exc:
        return str(exc)
    return None
