"""Creator accounts: adding one checks its token against the platform first."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ofcrm_tui import secrets
from ofcrm_tui.core import access
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.platform.errors import ErrorKind, PlatformError
from ofcrm_tui.platform.gateway import (
    ACCOUNT_ID_NAME,
    Gateway,
    open_client,
    parse_gateway,
)
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import AuditAction
from ofcrm_tui.store.models import Account

if TYPE_CHECKING:
    from ofcrm_tui.platform.client import PlatformClient
    from ofcrm_tui.platform.wire import Me

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class AccountError(OfcrmError):
    pass


NO_ACCOUNTS = "no accounts yet: add one with `ofcrm account add NAME --base-url URL`"


@dataclass(frozen=True)
class AccountInfo:
    """A creator account as commands and the app see it (a plain value, not the row)."""

    id: int
    name: str
    base_url: str
    creator_platform_id: int | None
    creator_username: str | None
    creator_name: str | None
    send_limit_per_minute: int
    auth_error: str | None
    gateway: str = Gateway.CONTRACT.value
    gateway_account: str | None = None

    @classmethod
    def of(cls, row: Account) -> AccountInfo:
        return cls(
            id=row.id,
            name=row.name,
            base_url=row.base_url,
            creator_platform_id=row.creator_platform_id,
            creator_username=row.creator_username,
            creator_name=row.creator_name,
            send_limit_per_minute=row.send_limit_per_minute,
            auth_error=row.auth_error,
            gateway=row.gateway,
            gateway_account=row.gateway_account,
        )


def validate_name(name: str) -> str:
    if not _NAME.match(name):
        raise AccountError(
            f"bad account name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)"
        )
    return name


def validate_base_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AccountError(f"bad base URL {url!r}: expected http(s)://host[:port]")
    return url.strip().rstrip("/")


def creator_platform_id(db: Database, account_id: int) -> int | None:
    """The creator's own platform id: messages from it are outbound."""
    with db.read() as session:
        return session.scalar(
            select(Account.creator_platform_id).where(Account.id == account_id)
        )


@dataclass(frozen=True)
class AccountRef:
    """What the background jobs need of an account to serve it."""

    id: int
    name: str
    base_url: str
    gateway: str = Gateway.CONTRACT.value
    gateway_account: str | None = None


_REF_COLUMNS = (Account.id, Account.name, Account.base_url, Account.gateway, Account.gateway_account)


def accounts_to_serve(db: Database, only: Collection[str] | None = None) -> list[AccountRef]:
    """Accounts whose credentials were not refused, by id; ``only``: these names only."""
    with db.read() as session:
        rows = session.execute(
            select(*_REF_COLUMNS).where(Account.auth_error.is_(None)).order_by(Account.id)
        ).all()
    return [AccountRef(*row) for row in rows if only is None or row.name in only]


def account_ref(db: Database, account_id: int) -> AccountRef:
    """The account's address as it is now (one query): an ``AccountInfo`` read earlier
    may name one changed since, in the database, by another process."""
    with db.read() as session:
        row = session.execute(select(*_REF_COLUMNS).where(Account.id == account_id)).one_or_none()
    if row is None:
        raise AccountError("the account was removed")
    return AccountRef(*row)


def set_auth_error(session: Session, account_id: int, error: str) -> None:
    """The platform refused the account's credentials: its sends and polls stop until
    ``replace_token`` clears this."""
    session.execute(update(Account).where(Account.id == account_id).values(auth_error=error))


def get_account(db: Database, name: str) -> AccountInfo:
    with db.read() as session:
        account = session.scalar(select(Account).where(Account.name == name))
        if account is None:
            raise unknown_account(session, name)
        return AccountInfo.of(account)


def unknown_account(session: Session, name: str) -> AccountError:
    """The error for a name no account has, naming those there are (in ``session``)."""
    known = session.scalars(select(Account.name).order_by(Account.name)).all()
    hint = f"; accounts: {', '.join(known)}" if known else "; add one with `ofcrm account add`"
    return AccountError(f"no account named {name!r}{hint}")


def resolve_account(db: Database, name: str | None) -> AccountInfo:
    """The named account, or the only one there is."""
    if name:
        return get_account(db, name)
    accounts = list_accounts(db)
    if len(accounts) == 1:
        return accounts[0]
    if not accounts:
        raise AccountError(NO_ACCOUNTS)
    names = ", ".join(account.name for account in accounts)
    raise AccountError(f"several accounts ({names}): pick one with --account")


def list_accounts(db: Database) -> list[AccountInfo]:
    with db.read() as session:
        rows = session.scalars(select(Account).order_by(Account.name)).all()
        return [AccountInfo.of(row) for row in rows]


# The most an account's row holds (a 32-bit integer on PostgreSQL): a larger limit
# overflowed the database's integer, a traceback. (The command line and the settings
# allow ``config.MOST_SEND_LIMIT``; tests run accounts without a limit to speak of.)
MOST_STORED_LIMIT = 2**31 - 1


def check_send_limit(limit: int) -> None:
    """1 to ``MOST_STORED_LIMIT`` sends a minute."""
    if not 1 <= limit <= MOST_STORED_LIMIT:
        raise AccountError(f"the send limit must be from 1 to {MOST_STORED_LIMIT:,} a minute")


def check_new_name(db: Database, name: str) -> None:
    """A name no account has, and whose token variable no account reads: two accounts
    reading one ``OFCRM_TOKEN_*`` could send as each other's creator."""
    validate_name(name)
    variable = secrets.env_var_name(name)
    with db.read() as session:
        existing = session.scalars(select(Account.name)).all()
    if name in existing:
        raise AccountError(f"account {name!r} already exists; remove it first to replace it")
    for other in existing:
        if secrets.env_var_name(other) == variable:
            raise AccountError(
                f"account {other!r} already reads its token from {variable}: "
                f"pick a name that differs from {other!r} in more than '.', '-', '_' or case"
            )


@dataclass(frozen=True)
class NewAccount:
    """An account to add, its values checked (none needs the database)."""

    name: str
    base_url: str
    gateway: Gateway
    gateway_account: str | None
    token: str
    send_limit_per_minute: int


def new_account(
    name: str,
    base_url: str,
    token: str,
    *,
    send_limit_per_minute: int,
    gateway: str = Gateway.CONTRACT.value,
    gateway_account: str | None = None,
) -> NewAccount:
    """The values of an account to add, checked; AccountError names the first bad one."""
    try:
        kind = parse_gateway(gateway)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    if kind is Gateway.CONTRACT and gateway_account:
        raise AccountError("the contract gateway takes no connection or gateway account id")
    token = token.strip()
    if not token:
        raise AccountError("the token is empty")
    check_send_limit(send_limit_per_minute)
    return NewAccount(validate_name(name), validate_base_url(base_url), kind, gateway_account,
                      token, send_limit_per_minute)


def creator_of(new: NewAccount, *, timeout_seconds: float) -> Me:
    """The creator the new account's key reaches: its gateway's who-am-I."""
    try:
        client = open_client(new.gateway, new.base_url, new.token,
                             gateway_account=new.gateway_account, timeout=timeout_seconds)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    with client:
        return _who_am_i(client, new.gateway, new.gateway_account)


def record_account(db: Database, new: NewAccount, creator: Me) -> AccountInfo:
    """Keep the checked key and record the account (its name checked again: one added
    meanwhile)."""
    check_new_name(db, new.name)
    secrets.store_token(new.name, new.token)
    with db.write() as session:
        account = Account(
            name=new.name,
            base_url=new.base_url,
            gateway=new.gateway.value,
            gateway_account=new.gateway_account,
            creator_platform_id=creator.id,
            creator_username=creator.username,
            creator_name=creator.name,
            send_limit_per_minute=new.send_limit_per_minute,
        )
        session.add(account)
        session.flush()
        return AccountInfo.of(account)


def add_account(
    db: Database,
    name: str,
    base_url: str,
    token: str,
    *,
    send_limit_per_minute: int,
    timeout_seconds: float,
    gateway: str = Gateway.CONTRACT.value,
    gateway_account: str | None = None,
) -> AccountInfo:
    """Check the key with the gateway's who-am-I, keep it, then record the account."""
    new = new_account(name, base_url, token, send_limit_per_minute=send_limit_per_minute,
                      gateway=gateway, gateway_account=gateway_account)
    check_new_name(db, new.name)
    return record_account(db, new, creator_of(new, timeout_seconds=timeout_seconds))


def replace_token(
    db: Database, name: str, token: str | Callable[[], str], *, timeout_seconds: float
) -> AccountInfo:
    """A new token for an account: checked with the platform, kept, and sends resume.
    A role the database refuses the account's row (the ``settings`` right: a worker's or
    a manager's, a team's chatter refused) is refused first: before ``token`` is read,
    when it is a function reading it (a prompt), and before the platform is asked; the
    token is stored only once the database has granted the change, which the audit trail
    keeps (that it changed, never the token)."""
    account = get_account(db, name)
    _check_settings(db, account, f"the token of account {account.name!r} (it is a manager's "
                                 "or a worker's)")
    token = (token() if callable(token) else token).strip()
    if not token:
        raise AccountError("the token is empty")
    creator = _creator_at(account, token, timeout_seconds)
    if account.creator_platform_id not in (None, creator.id):
        raise AccountError(
            f"that token belongs to @{creator.username}, not to this account's creator "
            f"@{account.creator_username}"
        )
    with db.write() as session:
        row = session.get(Account, account.id)
        if row is None:
            raise AccountError(f"account {name!r} was removed meanwhile: no token stored")
        access.require(session, access.Right.SETTINGS, row.id)  # a right revoked meanwhile
        # Kept before the row is written (not holding its lock while a keyring asks to be
        # unlocked), in its transaction: a keyring that fails leaves the auth error.
        secrets.store_token(name, token)
        refused = row.auth_error is not None
        row.auth_error = None
        session.flush()
        access.record(session, AuditAction.ACCOUNT_CHANGED, row.id, None,
                      f"{row.name}: token replaced, checked with the platform"
                      + ("; the old one was refused: sends resume" if refused else ""))
        return AccountInfo.of(row)


@dataclass(frozen=True)
class AccountChange:
    """An account before and after ``update_account``, and its one line: each value
    asked for, old -> new or unchanged (the command prints it, the audit trail keeps it)."""

    before: AccountInfo
    after: AccountInfo
    summary: str


def update_account(
    db: Database,
    name: str,
    *,
    base_url: str | None = None,
    send_limit_per_minute: int | None = None,
    timeout_seconds: float,
) -> AccountChange:
    """A new platform address and/or send limit for an account, its local data kept.

    A new address is asked who-am-I with the stored token first, and refused when it
    does not answer, refuses the token, or answers for another creator (that creator's
    fans would be mixed into this account's). The app, the jobs and the limiter read
    both from the row at their next call. A team's chatter may not (the database's
    ``settings`` right: a worker's or a manager's), refused before the platform is asked."""
    if base_url is None and send_limit_per_minute is None:
        raise AccountError("nothing to change: give a new base URL or send limit")
    if send_limit_per_minute is not None:
        check_send_limit(send_limit_per_minute)
    new_url = None if base_url is None else validate_base_url(base_url)
    account = get_account(db, name)
    _check_settings(db, account, f"account {account.name!r} (its address and send limit "
                                 "are a manager's or a worker's)")
    moved = new_url is not None and new_url != account.base_url
    if moved:
        _check_new_address(replace(account, base_url=new_url), timeout_seconds)
    with db.write() as session:
        row = session.get(Account, account.id, with_for_update=True)
        if row is None:
            raise AccountError(f"account {name!r} was removed meanwhile: nothing changed")
        access.require(session, access.Right.SETTINGS, row.id)
        before = AccountInfo.of(row)
        if send_limit_per_minute is not None:
            row.send_limit_per_minute = send_limit_per_minute
        if new_url is not None:
            row.base_url = new_url  # checked above, unless it was the address already
        resumed = False
        if moved:
            # It answered, with this token: what the old address refused is over.
            resumed = row.auth_error is not None or row.unreachable_since is not None
            row.auth_error = row.unreachable_since = row.unreachable_retry_at = None
        session.flush()
        after = AccountInfo.of(row)
        summary = _summary(before, after, address=new_url is not None,
                           limit=send_limit_per_minute is not None, resumed=resumed)
        access.record(session, AuditAction.ACCOUNT_CHANGED, row.id, None, summary)
    return AccountChange(before, after, summary)


def _check_settings(db: Database, account: AccountInfo, what: str) -> None:
    """The ``settings`` right on ``account`` (its own row), before the platform is asked:
    refused, said as ``what`` this role may not change (the database says "work on")."""
    try:
        access.check(db, access.Right.SETTINGS, account.id)
    except access.AccessDenied:
        raise access.AccessDenied(
            f"refused by the database: {access.identity(db).role} may not change {what}"
        ) from None


def _check_new_address(account: AccountInfo, timeout_seconds: float) -> None:
    """The account's stored token, asked who-am-I at ``account.base_url`` (the new one):
    an AccountError unless it answers for the account's own creator."""
    why = secrets.no_token_why(account.name)
    if why is not None:
        raise AccountError(
            f"no token for {account.name} here to check {account.base_url} with ({why}): "
            f"`ofcrm account token {account.name}` stores one"
        )
    creator = _creator_at(account, secrets.get_token(account.name), timeout_seconds)
    if account.creator_platform_id not in (None, creator.id):
        raise AccountError(
            f"{account.base_url} answers for @{creator.username}, not for this account's "
            f"creator @{account.creator_username}: not changed (their data would be mixed)"
        )


def _summary(
    before: AccountInfo, after: AccountInfo, *, address: bool, limit: bool, resumed: bool
) -> str:
    """``mia: address http://a -> http://b; send limit 10/min unchanged``."""
    parts = []
    if address:
        old, new = before.base_url, after.base_url
        parts.append(f"address {old} -> {new}" if old != new else f"address {old} unchanged")
    if limit:
        old, new = before.send_limit_per_minute, after.send_limit_per_minute
        parts.append(f"send limit {old} -> {new}/min" if old != new
                     else f"send limit {old}/min unchanged")
    if resumed:
        parts.append("the new address answered: sends and polls resume")
    return f"{after.name}: {'; '.join(parts)}"


def _creator_at(account: AccountInfo, token: str, timeout_seconds: float) -> Me:
    """The creator ``token`` reaches at the account's address, through its gateway."""
    try:
        from ofcrm_tui.platform.clients import client_for  # the HTTP clients: only here

        client = client_for(account, token, timeout=timeout_seconds)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    with client:
        return _who_am_i(client, parse_gateway(account.gateway), account.gateway_account)


def _who_am_i(client: PlatformClient, gateway: Gateway, gateway_account: str | None) -> Me:
    """The creator the key (and connection) reach; a failure says what was checked."""
    try:
        return client.me()
    except PlatformError as exc:
        where = f"{gateway.value} at {client.base_url}"
        if gateway is not Gateway.CONTRACT:
            where += f", {ACCOUNT_ID_NAME[gateway].split(' (')[0]} {gateway_account!r}"
        if exc.kind is ErrorKind.UNAUTHORIZED:
            what = "the key (or this connection) was refused"
        elif exc.kind is ErrorKind.PERMANENT:
            what = "the who-am-I request was refused (wrong base URL or account id?)"
        else:
            what = "the gateway could not be asked"
        raise AccountError(f"{what} ({where}): {exc}") from None


def remove_account(db: Database, name: str) -> str | None:
    """Delete the account with all its local data, and forget its token. Returns why
    the token could not be forgotten (a keyring that cannot be used: the account is
    gone all the same), None when it was or there was none."""
    account = get_account(db, name)
    with db.write() as session:
        access.record(session, AuditAction.ACCOUNT_REMOVED, account.id, None, name)
        session.delete(session.get(Account, account.id))
    try:
        secrets.delete_token(name)
    except secrets.CredentialError as exc:
        return str(exc)
    return None
