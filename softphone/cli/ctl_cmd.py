"""`softphone ctl ...`: drive the softphone running for this data folder (the window or
`softphone listen`) over its single-instance socket; for global hotkeys, headset buttons
and scripts."""

from __future__ import annotations

import argparse
import json
from typing import Any

from softphone.cli.exits import EXIT_FAILURE, EXIT_OK, fail
from softphone.store.paths import DataDirs

# Actions that take one word after them, and what the word is.
WITH_ARGUMENT = {"transfer": "TARGET", "dtmf": "DIGITS", "dial": "TARGET"}
ON_A_CALL = ("answer", "decline", "hangup", "hold", "resume", "mute", "unmute", "transfer",
             "dtmf")
HELP = {
    "status": "list the live calls (* marks the current one)",
    "answer": "answer the first call ringing in",
    "decline": "decline the first call ringing in (486)",
    "hangup": "hang up the current call (--all: every call)",
    "hold": "hold the current call",
    "resume": "resume the call on hold (holding the one we talk on)",
    "mute": "turn our microphone off for the current call",
    "unmute": "turn our microphone on again for the current call",
    "conference": "merge every answered call into one local conference",
    "transfer": "transfer the current call to TARGET (blind), or --to-call ID (attended)",
    "dtmf": "send DIGITS (0-9 * # A-D) on the current call",
    "dial": "call TARGET (a sip: URI or a number)",
}


def add_ctl_parser(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """``commands``: the top-level subparsers (typed by their parser class, hence Any)."""
    ctl = commands.add_parser("ctl", help="control the running softphone (window or listen)")
    actions = ctl.add_subparsers(dest="ctl_command", metavar="ACTION", required=True,
                                 parser_class=parser_class)
    for name, text in HELP.items():
        action = actions.add_parser(name, help=text)
        if name == "transfer":
            action.add_argument("arg", metavar="TARGET", nargs="?", default="")
            action.add_argument("--to-call", metavar="ID",
                                help="attended transfer: connect the call with this other "
                                "call of ours (REFER with Replaces) instead of a TARGET")
        elif name in WITH_ARGUMENT:
            action.add_argument("arg", metavar=WITH_ARGUMENT[name])
        if name in ON_A_CALL:
            action.add_argument("--call", metavar="ID",
                                help="the call's id (or its first characters; default: "
                                "the current call)")
        if name == "hangup":
            action.add_argument("--all", action="store_true", help="every live call")
        if name == "status":
            action.add_argument("--json", action="store_true",
                                help="print the calls as JSON (VoIPBIN Calls and their state)")


def run_ctl(args: argparse.Namespace, dirs: DataDirs) -> int:
    from softphone.cli.ctl_socket import NotRunning, request  # only when a command runs

    message = {"ctl": args.ctl_command, "arg": getattr(args, "arg", ""),
               "call": getattr(args, "call", None), "all": getattr(args, "all", False),
               "to_call": getattr(args, "to_call", None)}
    try:
        answer = request(dirs.root, message)
    except NotRunning as exc:
        return fail(str(exc))
    ok = bool(answer.get("ok"))
    code = answer.get("exit")
    text = str(answer.get("message", ""))
    if not ok:
        return fail(text, code if isinstance(code, int) and code else EXIT_FAILURE)
    if args.ctl_command == "status":
        calls = answer.get("calls")
        calls = calls if isinstance(calls, list) else []
        if getattr(args, "json", False):
            print(json.dumps(calls, indent=2))
        else:
            from softphone.engine.remote import status_lines  # the models: not for --help

            print("\n".join(status_lines(calls)) if calls else "no call is up")
        return EXIT_OK
    print(text)
    return EXIT_OK
