"""The three headless commands: call, listen, history."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING
from uuid import UUID

from softphone.cli.args import audio_choice
from softphone.cli.ctl_socket import ControlServer
from softphone.cli.exits import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, fail
from softphone.cli.flow_options import flow_driven, host_for, read_flow
from softphone.engine.errors import EngineError
from softphone.engine.remote import ControlCommands
from softphone.flows import FlowError
from softphone.hooks import HookRunner
from softphone.model import (
    CallChange,
    CallDirection,
    CallStatus,
    Target,
    TargetError,
    parse_target,
)
from softphone.model.account import AccountSettings, stun_servers
from softphone.model.ids import NIL_ID
from softphone.model.policy import IncomingMode, IncomingPolicy
from softphone.store import DataDirs

if TYPE_CHECKING:
    from softphone.cli.runner import HeadlessRun
    from softphone.engine import CallUpdate, Engine

REGISTER_TIMEOUT_S = 15.0


def _start_with_account(run: HeadlessRun, account: AccountSettings | None) -> str | None:
    """Start the engine and bring the account up; the problem, if any, as one line."""
    from softphone.cli.account_cmd import bring_up, registration_problem
    try:
        run.start()
        if account is not None:
            state = bring_up(run.engine, account, REGISTER_TIMEOUT_S, stop=run)
            return registration_problem(state, REGISTER_TIMEOUT_S)
    except EngineError as exc:
        return str(exc)
    return None


def run_call(args: argparse.Namespace, dirs: DataDirs) -> int:
    # Here, not at the top: `history` loads neither pjsua2 nor the engine (issue 16).
    from softphone.cli.account_cmd import chosen_account
    from softphone.cli.runner import HeadlessRun

    account = chosen_account(args.account, dirs)
    domain = (
        args.domain
        or (account.domain if account else None)
        or os.environ.get("SOFTPHONE_DOMAIN")
        or None
    )
    try:
        target = parse_target(args.target, domain)
    except TargetError as exc:
        return fail(str(exc), EXIT_USAGE)
    try:
        flow = read_flow(args)
    except FlowError as exc:
        return fail(str(exc), EXIT_USAGE)
    hooks = HookRunner(args.on_event) if args.on_event else None  # checked by args.py
    run = HeadlessRun(dirs, args.bind, as_json=args.json, verbose=args.verbose, hooks=hooks,
                      audio=audio_choice(args), stun_servers=stun_servers([account]))
    flows = host_for(run.engine, args, None)
    try:
        problem = _start_with_account(run, account)
        if problem:
            return fail(problem)
        try:
            call = run.engine.make_call(
                target,
                dial_timeout_s=args.dial_timeout,
                max_duration_s=args.max_duration,
                record=args.record,
                account=account.name if account else None,
            )
        except EngineError as exc:
            return fail(str(exc))
        if flow is not None:
            flows.run_when_answered(call.id, flow)
        # Ours: the dialled call and any the far end transferred us into (outgoing calls
        # created meanwhile). An incoming call while `call` runs is not waited for: it
        # is declined as the command ends (it still lands in history).
        ours = {call.id}
        ended: set[UUID] = set()

        def follow(update: CallUpdate) -> None:
            new = update.call
            if (CallChange.CREATED in update.changes
                    and new.direction is CallDirection.OUTGOING and new.id not in ours):
                ours.add(new.id)
                if args.hangup_after is not None:  # the same hang-up timer
                    engine.call_later(args.hangup_after, lambda: run.hangup_if_live(new.id))
            if new.id in ours and new.status is CallStatus.HANGUP:
                ended.add(new.id)

        engine = run.engine
        if args.hangup_after is not None:
            engine.call_later(args.hangup_after, lambda: run.hangup_if_live(call.id))
        run.on_update = follow
        if any(c.id == call.id for c, _ in run.finished):
            ended.add(call.id)  # it ended inside make_call (the INVITE could not be sent)

        def done() -> bool:
            return ours <= ended

        run.run_until(done)
        was_interrupted = not done()
        if was_interrupted:  # end the calls ourselves: they still land in history
            for call_id in ours - ended:
                run.hangup_if_live(call_id)
            run.interrupted = False
            run.run_until(done)
    finally:
        flows.close()
        run.close()
    if run.store_error is not None:
        return fail(str(run.store_error))
    return EXIT_INTERRUPTED if was_interrupted else EXIT_OK


def listen_policy(args: argparse.Namespace) -> IncomingPolicy:
    """`listen`'s options as the incoming-call policy the window uses too."""
    if args.reject:
        mode = IncomingMode.REJECT
    elif args.no_answer or flow_driven(args):  # the flow's answer action answers
        mode = IncomingMode.RING
    else:
        mode = IncomingMode.ANSWER
    return IncomingPolicy(
        mode=mode,
        answer_after_s=args.answer_after if args.answer_after is not None else 0.0,
        ring_timeout_s=args.ring_timeout,
        max_duration_s=args.max_duration,
        hangup_after_s=args.hangup_after,
        record=args.record,
    )


def run_listen(args: argparse.Namespace, dirs: DataDirs) -> int:
    # Here, not at the top: `history` loads neither pjsua2 nor the engine (issue 16).
    from softphone.cli.account_cmd import chosen_account
    from softphone.cli.runner import HeadlessRun

    account = chosen_account(args.account, dirs)
    try:
        flow = read_flow(args)
    except FlowError as exc:
        return fail(str(exc), EXIT_USAGE)
    if flow is not None and args.sip_services:
        return fail("--flow and --sip-services cannot go together", EXIT_USAGE)
    hooks = HookRunner(args.on_event) if args.on_event else None  # checked by args.py
    run = HeadlessRun(dirs, args.bind, as_json=args.json, verbose=args.verbose, hooks=hooks,
                      audio=audio_choice(args), stun_servers=stun_servers([account]))
    engine = run.engine
    engine.refuse_transfers = args.refuse_transfer
    # An answering endpoint: each call it answers stays up as it is (no call waiting).
    engine.call_waiting = False
    policy = engine.attach_policy(listen_policy(args))
    flows = host_for(engine, args, flow)
    control = ControlServer(dirs.root, ControlCommands(
        engine, lambda text: _dial(engine, text, account), lambda text: _target(text, account)
    ).handle)
    try:
        problem = _start_with_account(run, account)
        if problem:
            return fail(problem)
        if control.listen():
            run.on_tick = control.poll
        else:
            print(f"softphone: another softphone serves {dirs.root}: 'softphone ctl' goes "
                  "there", file=sys.stderr, flush=True)
        # On stderr even with --json: scripts wait for this line to know the port.
        print(f"listening on {engine.local_address.target} (Ctrl+C to stop)",
              file=sys.stderr, flush=True)
        run.run_until(lambda: args.calls is not None and _calls_done(run, args.calls))
        interrupted = run.interrupted
    finally:
        control.close()
        flows.close()
        policy.close()
        run.close()
    if run.store_error is not None:
        return fail(str(run.store_error))
    return EXIT_INTERRUPTED if interrupted else EXIT_OK


def _calls_done(run: HeadlessRun, wanted: int) -> bool:
    """`listen --calls N`: N calls came in and ended, and so did the calls a flow chained
    to them (connect); a chained call is not one of the N."""
    ended = {call.id for call, _ in run.finished}
    came_in = [call for call, _ in run.finished if call.master_call_id == NIL_ID]
    return len(came_in) >= wanted and all(
        chained in ended for call in came_in for chained in call.chained_call_ids)


def _target(text: str, account: AccountSettings | None) -> Target:
    domain = (account.domain if account else None) or os.environ.get("SOFTPHONE_DOMAIN")
    return parse_target(text, domain or None)


def _dial(engine: Engine, text: str, account: AccountSettings | None) -> str:
    """`ctl dial` in listen: call the target at once (the window resolves names first)."""
    target = _target(text, account)
    engine.make_call(target, account=account.name if account else None)
    return f"calling {target.uri}"
