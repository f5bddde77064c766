"""`softphone account add|list|remove|test`, and bringing an account up for call/listen."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import time

from pydantic import ValidationError

from softphone.cli.args import pjsip_log_level
from softphone.cli.exits import EXIT_OK, EXIT_USAGE, fail
from softphone.engine import Engine, EngineConfig, EngineError
from softphone.model.account import (
    AccountSettings,
    AccountState,
    DtmfMethod,
    RegistrationState,
    SrtpMode,
    Transport,
    stun_servers,
)
from softphone.model.validation import first_error
from softphone.store import DataDirs, SettingsStore, StoreError
from softphone.store.accounts import password_for, remove_account, save_account


def run_account(args: argparse.Namespace, dirs: DataDirs) -> int:
    action = args.account_command
    if action == "add":
        return _add(args, dirs)
    if action == "list":
        return _list(args, dirs)
    if action == "remove":
        return _remove(args, dirs)
    return _test(args, dirs)


def _read_password(args: argparse.Namespace) -> str | None:
    if args.no_password:
        return None
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if sys.stdin.isatty():
        return getpass.getpass(f"password for {args.user}@{args.domain}: ")
    raise ValueError("no password given: use --password-stdin, or --no-password")


def _add(args: argparse.Namespace, dirs: DataDirs) -> int:
    try:
        account = AccountSettings(
            name=args.name,
            display_name=args.display_name,
            user=args.user,
            domain=args.domain,
            auth_user=args.auth_user,
            registrar=args.registrar,
            outbound_proxy=args.proxy,
            transport=Transport(args.transport),
            tls_verify_server=not args.no_tls_verify,
            tls_ca_file=args.ca_file,
            srtp=SrtpMode(args.srtp),
            stun_server=args.stun,
            ice=args.ice,
            reg_expiry_s=args.expiry,
            dtmf=DtmfMethod(args.dtmf),
        )
    except ValidationError as exc:
        return fail(f"invalid account: {first_error(exc)}", EXIT_USAGE)
    try:
        password = _read_password(args)
    except ValueError as exc:
        return fail(str(exc), EXIT_USAGE)
    store = SettingsStore.open(dirs.settings_file)
    # "" tells the store the account needs no password (the keyring is not needed either).
    saved = save_account(store, account, password if password is not None else "",
                         make_default=args.default)
    print(f"account {saved.name!r} saved ({saved.user}@{saved.domain}, "
          f"{saved.transport.value}); password {'in the keyring' if password else 'none'}")
    return EXIT_OK


def _list(args: argparse.Namespace, dirs: DataDirs) -> int:
    settings = SettingsStore.open(dirs.settings_file).settings
    if args.json:
        rows = [
            {**a.model_dump(mode="json"), "default": a.name == settings.default_account}
            for a in settings.accounts
        ]
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    if not settings.accounts:
        print("no accounts (add one with: softphone account add NAME --user U --domain D)",
              file=sys.stderr)
        return EXIT_OK
    for a in settings.accounts:
        mark = "*" if a.name == settings.default_account else " "
        print(f"{mark} {a.name}  {a.user}@{a.domain}  {a.transport.value}  srtp={a.srtp.value}")
    return EXIT_OK


def _remove(args: argparse.Namespace, dirs: DataDirs) -> int:
    if not remove_account(SettingsStore.open(dirs.settings_file), args.name):
        return fail(f"no account named {args.name!r}")
    print(f"account {args.name!r} removed")
    return EXIT_OK


def chosen_account(name: str | None, dirs: DataDirs) -> AccountSettings | None:
    """The account named, else the default one, else None (direct calls, no registrar)."""
    store = SettingsStore.open(dirs.settings_file)
    settings = store.settings
    wanted = name or settings.default_account
    account = settings.account(wanted) if wanted else None
    if wanted and account is None and wanted in store.kept_account_names():
        # Skipped as unusable (the warning said why): calling without it would quietly use
        # another identity.
        raise StoreError(f"the account {wanted!r} in {dirs.settings_file} is not usable; "
                         "fix it there, add it again, or remove it")
    if name and account is None:
        known = ", ".join(a.name for a in settings.accounts) or "none"
        raise StoreError(f"no account named {name!r} (accounts: {known})")
    return account


def bring_up(engine: Engine, account: AccountSettings, timeout_s: float,
             stop: object = None) -> AccountState:
    """Add the account to a running engine and wait until it registers or fails."""
    state = engine.add_account(account, password_for(account))
    latest = {account.name: state}
    engine.add_account_listener(lambda s: latest.__setitem__(s.name, s))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        current = latest[account.name]
        if current.registration is not RegistrationState.REGISTERING:
            return current
        if stop is not None and getattr(stop, "interrupted", False):
            break
        engine.poll(50)
    return latest[account.name]


def registration_problem(state: AccountState, timeout_s: float) -> str | None:
    if state.registration is RegistrationState.FAILED:
        return f"account {state.name!r}: {state.describe()}"
    if state.registration is RegistrationState.REGISTERING:
        return (f"account {state.name!r}: no answer from the registrar within "
                f"{timeout_s:g} s")
    return None


def _test(args: argparse.Namespace, dirs: DataDirs) -> int:
    settings = SettingsStore.open(dirs.settings_file).settings
    account = settings.account(args.name)
    if account is None:
        return fail(f"no account named {args.name!r}")
    engine = Engine(EngineConfig(bind=args.bind, recordings_dir=dirs.recordings,
                                 log_level=pjsip_log_level(args.verbose),
                                 stun_servers=stun_servers([account])))
    try:
        engine.start()
        state = bring_up(engine, account, args.timeout)
    except (EngineError, StoreError) as exc:
        return fail(str(exc))
    finally:
        engine.shutdown()
    problem = registration_problem(state, args.timeout)
    if problem:
        return fail(problem)
    print(f"account {account.name!r}: {state.describe()}")
    return EXIT_OK
