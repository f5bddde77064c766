"""SIP passwords in the system keyring (Secret Service, macOS Keychain, Windows Credential
Locker) through `keyring`: one well-kept library for all three systems, so passwords never
touch our settings files or logs."""

from __future__ import annotations

from softphone.store.paths import StoreError

SERVICE = "softphone"

_NO_KEYRING = (
    "no system keyring is available to keep the password (start and unlock GNOME Keyring, "
    "KWallet or another Secret Service provider)"
)


class SecretError(StoreError):
    pass


class KeyringMissing(SecretError):
    """No system keyring at all (not a locked or failing one): the window then offers to
    keep a password for this session only, in memory."""


def _why(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"the system keyring failed ({type(exc).__name__}{': ' + text if text else ''})"


def _key(account: str) -> str:
    return f"sip-account:{account}"


def set_password(account: str, password: str) -> None:
    import keyring  # its backends cost 17 ms of start-up: loaded at first use
    import keyring.errors

    try:
        keyring.set_password(SERVICE, _key(account), password)
    except keyring.errors.NoKeyringError:
        raise KeyringMissing(f"cannot save the password of {account!r}: {_NO_KEYRING}") from None
    except Exception as exc:  # backends raise their own (D-Bus, import, locked) errors
        raise SecretError(f"cannot save the password of {account!r}: {_why(exc)}") from None


def get_password(account: str) -> str | None:
    import keyring  # its backends cost 17 ms of start-up: loaded at first use
    import keyring.errors

    try:
        return keyring.get_password(SERVICE, _key(account))
    except keyring.errors.NoKeyringError:
        raise KeyringMissing(f"cannot read the password of {account!r}: {_NO_KEYRING}") from None
    except Exception as exc:  # backends raise their own (D-Bus, import, locked) errors
        raise SecretError(f"cannot read the password of {account!r}: {_why(exc)}") from None


def delete_password(account: str) -> None:
    import keyring  # its backends cost 17 ms of start-up: loaded at first use
    import keyring.errors

    try:
        keyring.delete_password(SERVICE, _key(account))
    except keyring.errors.PasswordDeleteError:
        pass  # there was none
    except keyring.errors.NoKeyringError:
        raise KeyringMissing(f"cannot remove the password of {account!r}: {_NO_KEYRING}") from None
    except Exception as exc:  # backends raise their own (D-Bus, import, locked) errors
        raise SecretError(f"cannot remove the password of {account!r}: {_why(exc)}") from None
