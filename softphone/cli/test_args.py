"""`softphone test`'s options (kept out of args.py, which every command shares)."""

from __future__ import annotations

import argparse
from typing import Any

from softphone.cli.args import count, positive_seconds, seconds

MAX_CONCURRENCY = 256  # 64 engine worker processes; more is a load test, not a number test


def concurrency(text: str) -> int:
    value = count(text)
    if value > MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"{value} is more than {MAX_CONCURRENCY} calls at once")
    return value


def rate(text: str) -> float:
    value = seconds(text)  # a finite number >= 0; the message names the value
    if value == 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0 calls per second")
    return value


def retries(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 2):
        raise argparse.ArgumentTypeError(f"{text[:24]!r} is not a number of retries (0-99)")
    return int(text)


def add_test_parser(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    test = commands.add_parser(
        "test", help="call every number of a list and report, per number, what happened")
    test.add_argument(
        "list", metavar="LIST",
        help="CSV with a 'target' column and optional 'label', 'expect', 'flow'; '-' reads "
        "targets from standard input, one a line")
    test.add_argument("--account", metavar="NAME", help="call from this account")
    test.add_argument("--concurrency", type=concurrency, default=4, metavar="N",
                      help="calls up at once (default 4; past 4, more engine processes)")
    test.add_argument("--rate", type=rate, metavar="CALLS_PER_S",
                      help="start at most this many calls a second (default: no limit)")
    test.add_argument("--flow", metavar="FILE",
                      help="a VoIPBIN flow to run on each answered call")
    test.add_argument("--dial-timeout", type=positive_seconds, default=30.0, metavar="S",
                      help="cancel a call not answered within S seconds (default 30): dialout")
    test.add_argument("--max-duration", type=positive_seconds, default=10.0, metavar="S",
                      help="hang up S seconds after answer (default 10): timeout")
    test.add_argument("--record", action="store_true", help="record each answered call")
    test.add_argument("--retries", type=retries, default=0, metavar="N",
                      help="call a number again up to N times when its expectation failed")
    test.add_argument("--report", metavar="FILE.html",
                      help="write a self-contained HTML report (table, charts, recordings)")
    test.add_argument("--bind-host", default="127.0.0.1", metavar="HOST",
                      help="the address the engine processes bind (default 127.0.0.1)")
    test.add_argument("--cluster", metavar="ADDRESS",
                      help="run the calls on a Dask cluster (tcp://HOST:8786), each Dask "
                      "worker with its own engine processes (pip install 'softphone[cluster]')")
    output = test.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true",
                        help="print each number's result as one JSON line")
    output.add_argument("--csv", action="store_true",
                        help="print the results as CSV (spreadsheet-safe)")
