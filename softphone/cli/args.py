"""The command line's grammar. Errors are one line on stderr, never a usage dump or traceback."""

from __future__ import annotations

import argparse
import math
import re
import sys
from typing import NoReturn

from softphone import __version__
from softphone.cli.audio_choice import AUDIO_MODES, AudioChoice
from softphone.cli.exits import EXIT_USAGE
from softphone.cli.flow_options import add_flow_options
from softphone.engine.config import BindAddress

# Links the desktop hands us (xdg-open, browsers, the .desktop entry's %u): `softphone URL`.
LINK_SCHEMES = ("sip", "sips", "tel")
_LINK = re.compile(r"^(?:sips?|tel):", re.IGNORECASE)
# Global options that take a value as the next word (the rest are flags).
_GLOBAL_VALUE_OPTIONS = ("--data-dir", "--dial")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        sys.exit(EXIT_USAGE)


def pjsip_log_level(verbose: int) -> int:
    """-v shows the engine's detail, -vv every SIP message (credentials redacted)."""
    return 5 if verbose >= 2 else 4 if verbose else 3


def _shown(text: str) -> str:
    """A value as an error line quotes it: never thousands of characters."""
    return repr(text if len(text) <= 24 else text[:24] + "…")


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{_shown(text)} is not a number of seconds") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{_shown(text)} is not a finite number of seconds")
    if value < 0:
        raise argparse.ArgumentTypeError(f"{_shown(text)} must be zero or more seconds")
    return value


def expiry_seconds(text: str) -> int:
    """A registration expiry; the account model checks its range (30-86400)."""
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise argparse.ArgumentTypeError(f"{_shown(text)} is not a whole number of seconds "
                                         "(30 to 86400)")
    return int(text)


def positive_seconds(text: str) -> float:
    value = seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than zero seconds")
    return value


def event_command(text: str) -> str:
    """A command line for call-event hooks: it must split into at least a program."""
    try:
        from softphone.hooks import split_command  # lazy: it loads the models (issue 16)

        argv = split_command(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"cannot read the command: {exc}") from None
    if not argv or not argv[0].strip():
        raise argparse.ArgumentTypeError("the command is empty")
    return text


# SQLite's largest integer: a --limit past it cannot even be asked for.
MAX_COUNT = 2**63 - 1


def count(text: str) -> int:
    shown = _shown(text)
    try:
        # Past 64 characters it is no usable count; int() would refuse 4,300+ digits anyway.
        value = int(text) if len(text) <= 64 else (MAX_COUNT + 1 if text.isdigit() else None)
    except ValueError:
        value = None
    if value is None:
        raise argparse.ArgumentTypeError(f"{shown} is not a whole number")
    if not 1 <= value <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"{shown} must be from 1 to {MAX_COUNT}")
    return value


# SQLite's LIMIT is a signed 64-bit integer.
MAX_HISTORY_LIMIT = 2**63 - 1


def history_limit(text: str) -> int:
    value = count(text)
    if value > MAX_HISTORY_LIMIT:
        raise argparse.ArgumentTypeError(f"{text!r} must be at most {MAX_HISTORY_LIMIT}")
    return value


def bind_address(text: str) -> BindAddress:
    try:
        address = BindAddress.parse(_bind_port_checked(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    # pjsip asserts (and aborts the process) on a host of 254+ characters: check it here.
    from softphone.model.target import host_port_problem  # lazy: pydantic (issue 16)

    problem = host_port_problem(f"[{address.host}]" if address.is_ipv6 else address.host)
    if problem:
        raise argparse.ArgumentTypeError(f"bad bind address: {problem}")
    return address


def _bind_port_checked(text: str) -> str:
    """Refuse a port of more than five digits before anything converts it (int() refuses
    4,300+ digits with a message about Python internals)."""
    port = text.rpartition(":")[2] if text.count(":") == 1 or "]:" in text else ""
    if len(port) > 5 and port.isdigit():
        raise ValueError(f"bad bind address: {port[:12]}… is not a port (0-65535)")
    return text


def audio_choice(args: argparse.Namespace) -> AudioChoice:
    return AudioChoice(args.audio, args.mic or "", args.speaker or "")


def _audio_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--audio", choices=AUDIO_MODES, default="system",
        help="'system': the computer's microphone and speaker (the null device when there "
        "is none); 'null': no sound device at all (default: system)",
    )
    parser.add_argument("--mic", metavar="NAME", help="microphone by name (default: system's)")
    parser.add_argument("--speaker", metavar="NAME", help="speaker by name (default: system's)")


def _common_call_options(parser: argparse.ArgumentParser) -> None:
    _audio_options(parser)
    parser.add_argument(
        "--bind",
        type=bind_address,
        default=BindAddress(),
        metavar="HOST:PORT",
        help="where to listen for SIP (default: all interfaces, 5060 or the next free port)",
    )
    parser.add_argument(
        "--hangup-after",
        type=seconds,
        metavar="S",
        help="hang up S seconds after the call starts (before answer: cancel or decline)",
    )
    parser.add_argument(
        "--record", action="store_true", help="record the call to a WAV file while it is up"
    )
    parser.add_argument(
        "--json", action="store_true", help="print each finished Call as one JSON line"
    )
    parser.add_argument(
        "--domain",
        metavar="DOMAIN",
        help="domain to dial phone numbers through (default: the account's, or "
        "$SOFTPHONE_DOMAIN)",
    )
    parser.add_argument(
        "--account",
        metavar="NAME",
        help="SIP account to use (default: the default account, if one is set)",
    )
    parser.add_argument(
        "--on-event",
        type=event_command,
        metavar="COMMAND",
        help="run COMMAND as each call comes in, rings, is answered and ends: the Call JSON "
        "on its stdin, SOFTPHONE_EVENT, SOFTPHONE_DIRECTION, SOFTPHONE_REMOTE, "
        "SOFTPHONE_HANGUP_REASON, SOFTPHONE_SIP_CODE, SOFTPHONE_OUTCOME... in its environment "
        "(no shell; at most 10 s a run)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="softphone",
        description="A SIP softphone. With no command it opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"softphone {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder for history, recordings and settings (default: $SOFTPHONE_DATA_DIR, "
        "else the user data folder)",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0,
        help="log more on stderr (-v: engine, -vv: every SIP message, credentials redacted)",
    )
    parser.add_argument(
        "--dial",
        metavar="URL",
        help="open the window (or the one already open) and dial URL: a sip:, sips: or tel: "
        "link, as desktops pass it; 'softphone URL' is the same",
    )
    parser.add_argument(
        "--minimized", action="store_true",
        help="open the window hidden in the tray (minimized without a tray)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    call = commands.add_parser("call", help="place one call and wait for its end")
    call.add_argument("target", metavar="TARGET", help="sip:/sips: URI or phone number")
    call.add_argument(
        "--dial-timeout", type=positive_seconds, metavar="S",
        help="give up (CANCEL) if not answered within S seconds: hangup_reason dialout",
    )
    call.add_argument(
        "--max-duration", type=positive_seconds, metavar="S",
        help="hang up S seconds after answer: hangup_reason timeout",
    )
    _common_call_options(call)
    add_flow_options(call, listen=False)

    listen = commands.add_parser("listen", help="wait for incoming calls and handle them")
    policy = listen.add_mutually_exclusive_group()
    policy.add_argument(
        "--answer-after", type=seconds, metavar="S",
        help="answer S seconds after the call arrives (the default policy, S=0)",
    )
    policy.add_argument("--reject", action="store_true", help="decline every call (486 Busy)")
    policy.add_argument(
        "--no-answer", action="store_true", help="let calls ring (until --ring-timeout)"
    )
    listen.add_argument(
        "--ring-timeout", type=positive_seconds, metavar="S",
        help="stop ringing after S seconds (480): hangup_reason noanswer",
    )
    listen.add_argument(
        "--calls", type=count, metavar="N", help="exit after N calls have ended (default: never)"
    )
    listen.add_argument(
        "--max-duration", type=positive_seconds, metavar="S",
        help="hang up S seconds after answer: hangup_reason timeout",
    )
    listen.add_argument(
        "--refuse-transfer", action="store_true",
        help="answer the far end's REFER (its user pressed transfer) with 603 Decline "
        "instead of following it",
    )
    _common_call_options(listen)
    add_flow_options(listen, listen=True)

    _account_commands(commands)
    from softphone.cli.ctl_cmd import add_ctl_parser

    add_ctl_parser(commands, _Parser)
    from softphone.cli.test_args import add_test_parser

    add_test_parser(commands, _Parser)

    history = commands.add_parser("history", help="list stored calls, newest first")
    output = history.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print a JSON array of Calls")
    output.add_argument(
        "--csv", action="store_true",
        help="print CSV, as the window exports it (cells a spreadsheet would run as "
        "formulas start with ')",
    )
    output.add_argument(
        "--sip", metavar="CALL",
        help="print the SIP message ladder of one call (its id, or its SIP Call-ID: write "
        "--sip=ID when it starts with -), then "
        "every message in full (credentials redacted)",
    )
    history.add_argument(
        "--details", action="store_true",
        help="with --json: each call as {\"call\": Call, \"sip\": codes, User-Agent, quality, "
        "\"outcome\": a plain sentence}; the Call stays exactly VoIPBIN's",
    )
    history.add_argument(
        "--limit", type=history_limit, default=50, metavar="N",
        help="at most N calls (default 50)",
    )
    return parser


def _account_commands(commands: argparse._SubParsersAction[_Parser]) -> None:
    account = commands.add_parser("account", help="manage SIP accounts")
    actions = account.add_subparsers(dest="account_command", metavar="ACTION", required=True,
                                     parser_class=_Parser)
    add = actions.add_parser("add", help="add or replace an account (password to the keyring)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--user", required=True, help="SIP user name")
    add.add_argument("--domain", required=True, help="SIP domain (host[:port])")
    add.add_argument("--display-name", default="")
    add.add_argument("--auth-user", default="", help="authentication user, if not --user")
    add.add_argument("--registrar", default="",
                     help="registrar URI (default: sip:DOMAIN; 'none': do not register)")
    add.add_argument("--proxy", default="", help="outbound proxy URI")
    add.add_argument("--transport", choices=["udp", "tcp", "tls"], default="udp")
    add.add_argument("--ca-file", default="", help="CA certificates (PEM) to trust for TLS")
    add.add_argument("--no-tls-verify", action="store_true",
                     help="do not verify the TLS server certificate (unsafe)")
    add.add_argument("--srtp", choices=["off", "optional", "mandatory"], default="off")
    add.add_argument("--stun", default="", metavar="HOST[:PORT]", help="STUN server")
    add.add_argument("--ice", action="store_true", help="use ICE for media")
    add.add_argument("--expiry", type=expiry_seconds, default=300, metavar="S",
                     help="registration expiry in seconds (default 300)")
    add.add_argument("--dtmf", choices=["rfc2833", "info", "inband"], default="rfc2833")
    add.add_argument("--default", action="store_true", help="make it the default account")
    secret = add.add_mutually_exclusive_group()
    secret.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input")
    secret.add_argument("--no-password", action="store_true",
                        help="the account needs no password")

    listing = actions.add_parser("list", help="list accounts (never their passwords)")
    listing.add_argument("--json", action="store_true")

    remove = actions.add_parser("remove", help="remove an account and its stored password")
    remove.add_argument("name", metavar="NAME")

    test = actions.add_parser("test", help="register once and report the result")
    test.add_argument("name", metavar="NAME")
    test.add_argument("--timeout", type=positive_seconds, default=15.0, metavar="S",
                      help="give up after S seconds (default 15)")
    test.add_argument("--bind", type=bind_address, default=BindAddress(host="0.0.0.0", port=0),
                      metavar="HOST:PORT", help="local address (default: any free port)")


def link_as_dial(argv: list[str]) -> list[str]:
    """``softphone [OPTIONS] sip:...`` (a link as the only word) becomes ``--dial sip:...``.

    Only when the link is the first and last positional word: ``softphone call sip:...``
    is untouched, and a link followed by more words is left for the parser to refuse.
    """
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            return argv
        if word in _GLOBAL_VALUE_OPTIONS:
            i += 2
            continue
        if word.startswith("-"):
            i += 1
            continue
        if _LINK.match(word) and i == len(argv) - 1:
            return [*argv[:i], "--dial", word]
        return argv
    return argv


def normalize_link(text: str) -> str:
    """``sip://alice@host`` (as some web pages write it) is ``sip:alice@host``."""
    scheme, sep, rest = text.partition(":")
    if sep and scheme.lower() in LINK_SCHEMES:
        return f"{scheme.lower()}:{rest[2:] if rest.startswith('//') else rest}"
    return text
