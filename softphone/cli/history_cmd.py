"""`softphone history`: the stored calls as a table, JSON, CSV or one call's SIP ladder.

Its own module so that reading the history loads the store and the models only, not the
engine, flows and hooks that `call` and `listen` need (issue 16: start-up time).
"""

from __future__ import annotations

import argparse
import os
import sys

from softphone.cli.exits import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, fail
from softphone.store.export import all_entries, write_csv, write_json
from softphone.store.history import History
from softphone.store.paths import DataDirs


def run_history(args: argparse.Namespace, dirs: DataDirs) -> int:
    if args.details and not args.json:
        return fail("--details goes with --json", EXIT_USAGE)
    try:
        # A reader recovers too: after a crash, `history` is often the first command run,
        # and it should show the interrupted call ended (and its recording playable) rather
        # than "progressing" for ever. Recovery never waits for another writer's lock.
        history = History.open(dirs.history_db, recordings_dir=dirs.recordings)
        try:
            if args.csv:
                # newline="": the csv module writes its own line ends (\r\n, as the window).
                reconfigure = getattr(sys.stdout, "reconfigure", None)
                if reconfigure is not None:  # a real terminal or pipe, not a test's stand-in
                    reconfigure(newline="")
                write_csv(all_entries(history, limit=args.limit), sys.stdout)
                return EXIT_OK
            if args.sip is not None:
                return _print_ladder(history, args.sip)
            entries = list(all_entries(history, limit=args.limit))
        finally:
            history.close()
    except KeyboardInterrupt:  # e.g. while waiting for another softphone's migration
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `history --csv | head`: the reader has all it wanted
        # Python would report the pipe again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    if args.json:
        write_json(entries, sys.stdout, details=args.details)
        return EXIT_OK
    if not entries:
        print(f"no calls in {dirs.history_db}", file=sys.stderr)
        return EXIT_OK
    from softphone.cli.output import history_table

    print(history_table([(e.call, e.diagnostics) for e in entries]))
    return EXIT_OK


def _print_ladder(history: History, wanted: str) -> int:
    """``history --sip CALL``: the call's line, its ladder, then each message whole."""
    from softphone.cli.output import summary_line
    from softphone.model.siptrace import Direction, ladder_text, printable

    entry = history.get(wanted) or history.find_by_call_id(wanted)
    if entry is None:
        return fail(f"no call {wanted!r} in the history (give its id or its SIP Call-ID)",
                    EXIT_USAGE)
    print(summary_line(entry.call, entry.diagnostics))
    messages = history.sip_messages(entry.call_id_header) if entry.call_id_header else []
    print()
    print(ladder_text(messages))
    for number, message in enumerate(messages, 1):
        arrow = "sent to" if message.direction is Direction.SENT else "received from"
        print(printable(f"\n--- {number}. {message.at} {arrow} {message.peer}"))
        print(printable(message.text.rstrip()))
    return EXIT_OK
