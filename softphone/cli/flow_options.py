"""`--flow FILE` and `--sip-services` for `call` and `listen`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Lazy at run time: the grammar (args.py) imports this module for every command, and
    # these pull in the engine, pjsua2 and numpy (~250 ms for `history --json`, issue 16).
    from softphone.engine import Engine
    from softphone.flow_host import FlowHost
    from softphone.flows import Flow


def add_flow_options(parser: argparse.ArgumentParser, *, listen: bool) -> None:
    parser.add_argument(
        "--flow", type=Path, metavar="FILE",
        help="run this VoIPBIN flow (JSON) on " + (
            "every incoming call (its answer action answers)" if listen
            else "the call from its answer"),
    )
    if listen:
        parser.add_argument(
            "--sip-services", action="store_true",
            help="answer each call by its destination's user part: answer, echo, "
            "stream_echo, play, confbridge_join; anything else is hung up (300 s limit)",
        )


def read_flow(args: argparse.Namespace) -> Flow | None:
    """The --flow file, checked (FlowError: one line naming the action and field)."""
    from softphone.flows import load_flow

    path: Path | None = getattr(args, "flow", None)
    return load_flow(path) if path is not None else None


def flow_driven(args: argparse.Namespace) -> bool:
    """Whether flows answer `listen`'s calls (then the policy only lets them ring)."""
    return getattr(args, "flow", None) is not None or getattr(args, "sip_services", False)


def host_for(engine: Engine, args: argparse.Namespace, flow: Flow | None) -> FlowHost:
    from softphone.flow_host import FlowHost

    host = FlowHost(engine)
    host.incoming_flow = flow
    host.sip_services = bool(getattr(args, "sip_services", False))
    return host
