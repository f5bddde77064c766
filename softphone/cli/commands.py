"""The three headless commands: call, listen, history."""

from __future__ import annotations

import argparse
import json
import os
import sys

from softphone.cli.account_cmd import bring_up, chosen_account, registration_problem
from softphone.cli.args import audio_choice
from softphone.cli.ctl_socket import ControlServer
from softphone.cli.exits import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, fail
from softphone.cli.output import history_table
from softphone.cli.runner import HeadlessRun
from softphone.engine import CallUpdate, Engine, EngineError
from softphone.engine.remote import ControlCommands
from softphone.model import CallChange, Target, TargetError, parse_target
from softphone.model.account import AccountSettings, stun_servers
from softphone.model.policy import IncomingMode, IncomingPolicy
from softphone.store import DataDirs, History

REGISTER_TIMEOUT_S = 15.0


def _start_with_account(run: HeadlessRun, account: AccountSettings | None) -> str | None:
    """Start the engine and bring the account up; the problem, if any, as one line."""
    try:
        run.start()
        if account is not None:
            state = bring_up(run.engine, account, REGISTER_TIMEOUT_S, stop=run)
            return registration_problem(state, REGISTER_TIMEOUT_S)
    except EngineError as exc:
        return str(exc)
    return None


def run_call(args: argparse.Namespace, dirs: DataDirs) -> int:
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
    run = HeadlessRun(dirs, args.bind, as_json=args.json, verbose=args.verbose,
                      audio=audio_choice(args), stun_servers=stun_servers([account]))
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
        def follow(update: CallUpdate) -> None:
            # A call the far end transferred us into is ours too: same hang-up timer.
            new = update.call
            if CallChange.CREATED in update.changes and args.hangup_after is not None:
                engine.call_later(args.hangup_after, lambda: run.hangup_if_live(new.id))

        engine = run.engine
        if args.hangup_after is not None:
            engine.call_later(args.hangup_after, lambda: run.hangup_if_live(call.id))
        run.on_update = follow

        def done() -> bool:
            return bool(run.finished) and engine.live_call_count == 0

        run.run_until(done)
        was_interrupted = not done()
        if was_interrupted:  # end the calls ourselves: they still land in history
            for live in engine.active_calls:
                run.hangup_if_live(live.id)
            run.interrupted = False
            run.run_until(done)
    finally:
        run.close()
    if run.store_error is not None:
        return fail(str(run.store_error))
    return EXIT_INTERRUPTED if was_interrupted else EXIT_OK


def listen_policy(args: argparse.Namespace) -> IncomingPolicy:
    """`listen`'s options as the incoming-call policy the window uses too."""
    if args.reject:
        mode = IncomingMode.REJECT
    elif args.no_answer:
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
    account = chosen_account(args.account, dirs)
    run = HeadlessRun(dirs, args.bind, as_json=args.json, verbose=args.verbose,
                      audio=audio_choice(args), stun_servers=stun_servers([account]))
    engine = run.engine
    engine.refuse_transfers = args.refuse_transfer
    # An answering endpoint: each call it answers stays up as it is (no call waiting).
    engine.call_waiting = False
    policy = engine.attach_policy(listen_policy(args))
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
        run.run_until(lambda: args.calls is not None and len(run.finished) >= args.calls)
        interrupted = run.interrupted
    finally:
        control.close()
        policy.close()
        run.close()
    if run.store_error is not None:
        return fail(str(run.store_error))
    return EXIT_INTERRUPTED if interrupted else EXIT_OK


def _target(text: str, account: AccountSettings | None) -> Target:
    domain = (account.domain if account else None) or os.environ.get("SOFTPHONE_DOMAIN")
    return parse_target(text, domain or None)


def _dial(engine: Engine, text: str, account: AccountSettings | None) -> str:
    """`ctl dial` in listen: call the target at once (the window resolves names first)."""
    target = _target(text, account)
    engine.make_call(target, account=account.name if account else None)
    return f"calling {target.uri}"


def run_history(args: argparse.Namespace, dirs: DataDirs) -> int:
    history = History.open(dirs.history_db)
    try:
        entries = history.list(limit=args.limit)
    finally:
        history.close()
    if args.json:
        print(json.dumps([json.loads(e.call.model_dump_json()) for e in entries], indent=2))
        return EXIT_OK
    if not entries:
        print(f"no calls in {dirs.history_db}", file=sys.stderr)
        return EXIT_OK
    print(history_table([(e.call, e.diagnostics) for e in entries]))
    return EXIT_OK
