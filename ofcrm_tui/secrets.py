"""Account tokens: the OS keyring, or an ``OFCRM_TOKEN_<NAME>`` environment override.

A token is never written to the database, a log or an error message. ``keyring`` (and
its backend discovery) is imported only when a token is read or stored, so commands
that need none start without it.
"""

from __future__ import annotations

import os
import re

from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.logs import register_secret

SERVICE = "ofcrm"


class CredentialError(OfcrmError):
    """A token that cannot be read or stored, with the ways out."""


def env_var_name(account: str) -> str:
    """The variable whose value overrides ``account``'s keyring entry."""
    return "OFCRM_TOKEN_" + re.sub(r"[^A-Z0-9]", "_", account.upper())


def _no_keyring(account: str, exc: Exception) -> CredentialError:
    import keyring.errors

    if isinstance(exc, keyring.errors.NoKeyringError):
        reason = "no keyring backend is installed"
    else:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return CredentialError(
        f"no usable OS keyring ({reason}); set {env_var_name(account)} to the token, "
        "or install a keyring backend (e.g. gnome-keyring or `pip install keyrings.alt`)"
    )


def token_source(account: str) -> str:
    """Where the token would come from, for display: never the token itself."""
    return f"env {env_var_name(account)}" if os.environ.get(env_var_name(account)) else "keyring"


def token_status(account: str) -> str:
    """Where the token is found now, or why none is reachable, naming the variable."""
    variable = env_var_name(account)
    if os.environ.get(variable):
        return f"env {variable}"
    import keyring
    import keyring.errors

    try:
        found = keyring.get_password(SERVICE, account)
    except keyring.errors.KeyringError as exc:
        return f"NONE REACHABLE ({_no_keyring(account, exc)})"
    if found:
        return f"keyring ({variable} overrides)"
    return f"NONE REACHABLE (no keyring entry, {variable} not set)"


def has_token(account: str) -> bool:
    """Whether a token for ``account`` is reachable here (never raises)."""
    if os.environ.get(env_var_name(account)):
        return True
    import keyring
    import keyring.errors

    try:
        return bool(keyring.get_password(SERVICE, account))
    except keyring.errors.KeyringError:
        return False


def get_token(account: str) -> str:
    token = os.environ.get(env_var_name(account))
    if not token:
        import keyring
        import keyring.errors

        try:
            token = keyring.get_password(SERVICE, account)
        except keyring.errors.KeyringError as exc:
            raise _no_keyring(account, exc) from None
    if not token:
        raise CredentialError(
            f"no token for account {account!r}: run `ofcrm account add {account} --base-url URL` "
            f"or set {env_var_name(account)}"
        )
    register_secret(token)
    return token


def store_token(account: str, token: str) -> str:
    """Keep ``token`` for ``account``; returns where it lives."""
    register_secret(token)
    if os.environ.get(env_var_name(account)) == token:
        return token_source(account)
    import keyring
    import keyring.errors

    try:
        keyring.set_password(SERVICE, account, token)
        kept = keyring.get_password(SERVICE, account) == token
    except keyring.errors.KeyringError as exc:
        raise _no_keyring(account, exc) from None
    if not kept:  # a backend that drops what it is given (the null one) says nothing
        backend = type(keyring.get_keyring())
        raise CredentialError(
            f"the keyring ({backend.__module__}.{backend.__name__}) did not keep the token; "
            f"set {env_var_name(account)} to the token, or use a keyring backend that stores it"
        )
    return "keyring"


def delete_token(account: str) -> None:
    """Forget the stored token; an env override or an absent entry is left as it is."""
    import keyring
    import keyring.errors

    try:
        keyring.delete_password(SERVICE, account)
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as exc:
        if not os.environ.get(env_var_name(account)):
            raise _no_keyring(account, exc) from None
