"""Registration state in process: live states, backoff on failure, re-registering on IP change."""

from __future__ import annotations

import itertools
import time

import pytest

from softphone.engine import Engine
from softphone.model.account import AccountSettings, AccountState, RegistrationState
from tests.peers.kamailio import USERS

pytestmark = pytest.mark.sip


class States:
    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self.seen: list[tuple[float, AccountState]] = []
        engine.add_account_listener(self._on)

    def close(self) -> None:
        self.engine.remove_account_listener(self._on)

    def _on(self, state: AccountState) -> None:
        if state.name == self.name:
            self.seen.append((time.monotonic(), state))

    def wait(self, predicate, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while not predicate([s for _, s in self.seen]):
            assert time.monotonic() < deadline, [s.describe() for _, s in self.seen]
            self.engine.poll(20)


def test_registration_states_and_ip_change(engine: Engine, kamailio):
    settings = AccountSettings(name="live", user="bob", domain=kamailio.domain)
    states = States(engine, "live")
    engine.add_account(settings, USERS["bob"])
    try:
        states.wait(lambda s: any(x.registration is RegistrationState.REGISTERED for x in s))
        assert states.seen[0][1].registration is RegistrationState.REGISTERING
        live = next(s for s in engine.account_states() if s.name == "live")
        assert live.registration is RegistrationState.REGISTERED and live.expires_s == 300
        count = len(states.seen)
        engine.handle_ip_change()
        # pjsua re-registers on a network change: registering, then registered again.
        states.wait(lambda s: len(s) > count
                    and s[-1].registration is RegistrationState.REGISTERED)
        assert any(s.registration is RegistrationState.REGISTERING
                   for _, s in states.seen[count:])
    finally:
        engine.remove_account("live")
        states.close()


def test_failed_registration_retries_with_growing_delays(engine: Engine):
    settings = AccountSettings(name="flaky", user="bob", domain="no-such-host.invalid")
    states = States(engine, "flaky")
    engine.accounts.first_retry_s = 0.4
    try:
        engine.add_account(settings, "pw")
        states.wait(lambda s: sum(x.registration is RegistrationState.FAILED for x in s) >= 3)
    finally:
        engine.remove_account("flaky")
        states.close()
        engine.accounts.first_retry_s = 5.0
    failures = [t for t, s in states.seen if s.registration is RegistrationState.FAILED]
    gaps = [b - a for a, b in itertools.pairwise(failures)]
    assert gaps[0] >= 0.35 and gaps[1] >= 0.75, gaps  # 0.4 s, then 0.8 s
    assert gaps[1] > gaps[0]
    assert "cannot resolve the registrar's host name" in states.seen[-1][1].describe()


def test_wrong_password_is_not_retried(engine: Engine, kamailio):
    settings = AccountSettings(name="locked", user="alice", domain=kamailio.domain)
    states = States(engine, "locked")
    engine.accounts.first_retry_s = 0.2
    try:
        engine.add_account(settings, "wrong")
        states.wait(lambda s: any(x.registration is RegistrationState.FAILED for x in s))
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            engine.poll(20)
    finally:
        engine.remove_account("locked")
        states.close()
        engine.accounts.first_retry_s = 5.0
    failed = [s for _, s in states.seen if s.registration is RegistrationState.FAILED]
    assert len(failed) == 1  # retrying a wrong password only gets the account locked
    assert failed[0].describe() == "registration failed: 401 Unauthorized"
