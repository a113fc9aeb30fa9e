"""Account tokens: the OS keyring, or an ``OFCRM_TOKEN_<NAME>`` environment override.

A token is never written to the database, a log or an error message. ``keyring`` (and
its backend discovery) is imported only when a token is read or stored, so commands
that need none start without it.

Storing or forgetting a token also replaces a small file in the user's state directory;
``tokens_stamp`` (one ``stat``) tells a process that keeps clients (the jobs, the app)
that a token changed, without reading the keyring at every run.
"""

from __future__ import annotations

import contextlib
import os
import re
from types import ModuleType

from ofcrm_tui import paths
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.logs import register_secret

SERVICE = "ofcrm"
STAMP_FILE = "tokens-changed"


class CredentialError(OfcrmError):
    """A token that cannot be read or stored, with the ways out."""


def env_var_name(account: str) -> str:
    """The variable whose value overrides ``account``'s keyring entry."""
    return "OFCRM_TOKEN_" + re.sub(r"[^A-Z0-9]", "_", account.upper())


def _keyring() -> ModuleType:
    """``keyring``, its backend loaded. A backend named by ``PYTHON_KEYRING_BACKEND`` (or
    keyring's own config file) that does not load raises whatever importing it raised
    (ImportError, AttributeError, ValueError...): here it is a ``KeyringError`` as any
    other keyring's failure, which each function below turns into its one line."""
    import keyring
    import keyring.errors

    try:
        keyring.get_keyring()
    except (ImportError, AttributeError, ValueError, TypeError, RuntimeError) as exc:
        named = os.environ.get("PYTHON_KEYRING_BACKEND")
        where = ("the backend in keyring's config file" if named is None
                 else f"PYTHON_KEYRING_BACKEND={named!r}")
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise keyring.errors.InitError(
            f"{where} does not load: {reason}; fix or unset it") from None
    return keyring


def _reason(exc: Exception) -> str:
    """Why the keyring could not be used, in a few words."""
    import keyring.errors

    if isinstance(exc, keyring.errors.NoKeyringError):
        return "no keyring backend is installed"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _no_keyring(account: str, exc: Exception) -> CredentialError:
    return CredentialError(
        f"no usable OS keyring ({_reason(exc)}); set {env_var_name(account)} to the token, "
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
    import keyring.errors

    try:
        found = _keyring().get_password(SERVICE, account)
    except keyring.errors.KeyringError as exc:
        return f"NONE REACHABLE ({_no_keyring(account, exc)})"
    if found:
        return f"keyring ({variable} overrides)"
    return f"NONE REACHABLE (no keyring entry, {variable} not set)"


def has_token(account: str) -> bool:
    """Whether a token for ``account`` is reachable here (never raises)."""
    return no_token_why(account) is None


def no_token_why(account: str) -> str | None:
    """Why no token for ``account`` is reachable here, in a few words (an empty keyring
    entry, or a keyring that could not be read); None when one is. Never raises."""
    variable = env_var_name(account)
    if os.environ.get(variable):
        return None
    import keyring.errors

    try:
        found = _keyring().get_password(SERVICE, account)
    except keyring.errors.KeyringError as exc:
        return f"the keyring could not be read: {_reason(exc)}; {variable} not set"
    return None if found else f"none in the keyring, {variable} not set"


def get_token(account: str) -> str:
    token = os.environ.get(env_var_name(account))
    if not token:
        import keyring.errors

        try:
            token = _keyring().get_password(SERVICE, account)
        except keyring.errors.KeyringError as exc:
            raise _no_keyring(account, exc) from None
    if not token:
        raise CredentialError(
            f"no token for account {account!r}: `ofcrm account token {account}` stores one, "
            f"or set {env_var_name(account)}"
        )
    register_secret(token)
    return token


def store_token(account: str, token: str) -> str:
    """Keep ``token`` for ``account``; returns where it lives."""
    register_secret(token)
    if os.environ.get(env_var_name(account)) == token:
        return token_source(account)
    import keyring.errors

    try:
        ring = _keyring()
        ring.set_password(SERVICE, account, token)
        kept = ring.get_password(SERVICE, account) == token
    except keyring.errors.KeyringError as exc:
        raise _no_keyring(account, exc) from None
    if not kept:  # a backend that drops what it is given (the null one) says nothing
        backend = type(ring.get_keyring())
        raise CredentialError(
            f"the keyring ({backend.__module__}.{backend.__name__}) did not keep the token; "
            f"set {env_var_name(account)} to the token, or use a keyring backend that stores it"
        )
    _tokens_changed()
    return "keyring"


def delete_token(account: str) -> None:
    """Forget the stored token; an env override or an absent entry is left as it is.
    CredentialError when the keyring cannot be used (none was reachable there either)."""
    import keyring.errors

    try:
        _keyring().delete_password(SERVICE, account)
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as exc:
        if not os.environ.get(env_var_name(account)):
            raise CredentialError(f"no usable OS keyring ({_reason(exc)}): a token kept "
                                  f"there for {account} is not forgotten") from None
    else:
        _tokens_changed()


def tokens_stamp() -> tuple[int, int] | None:
    """A mark that moves whenever a process of this user stores or forgets a token here:
    the stamp file's inode and time (``_tokens_changed`` replaces it), one ``stat``; None
    while no token was ever changed."""
    try:
        found = os.stat(paths.state_dir() / STAMP_FILE)
    except OSError:
        return None
    return found.st_ino, found.st_mtime_ns


def _tokens_changed() -> None:
    """Move ``tokens_stamp``: a new file put in place of the old one (a new inode, so two
    changes within the clock's tick differ). Where it cannot be written, processes keep
    their clients until the platform refuses the old token (then they read it again)."""
    stamp = paths.state_dir() / STAMP_FILE
    fresh = stamp.with_name(f"{STAMP_FILE}.{os.getpid()}")
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        fresh.write_bytes(b"")
        os.replace(fresh, stamp)
    except OSError:
        with contextlib.suppress(OSError):
            fresh.unlink(missing_ok=True)
