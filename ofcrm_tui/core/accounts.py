"""Creator accounts: adding one checks its token against the platform first."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
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
    name = validate_name(name)
    base_url = validate_base_url(base_url)
    try:
        kind = parse_gateway(gateway)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    if kind is Gateway.CONTRACT and gateway_account:
        raise AccountError("the contract gateway takes no connection or gateway account id")
    token = token.strip()
    if not token:
        raise AccountError("the token is empty")
    if send_limit_per_minute < 1:
        raise AccountError("the send limit must be at least 1 a minute")
    check_new_name(db, name)
    try:
        client = open_client(
            kind, base_url, token, gateway_account=gateway_account, timeout=timeout_seconds
        )
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    with client:
        creator = _who_am_i(client, kind, gateway_account)
    secrets.store_token(name, token)
    with db.write() as session:
        account = Account(
            name=name,
            base_url=base_url,
            gateway=kind.value,
            gateway_account=gateway_account,
            creator_platform_id=creator.id,
            creator_username=creator.username,
            creator_name=creator.name,
            send_limit_per_minute=send_limit_per_minute,
        )
        session.add(account)
        session.flush()
        return AccountInfo.of(account)


def replace_token(db: Database, name: str, token: str, *, timeout_seconds: float) -> AccountInfo:
    """A new token for an account: checked with the platform, kept, and sends resume."""
    account = get_account(db, name)
    token = token.strip()
    if not token:
        raise AccountError("the token is empty")
    try:
        from ofcrm_tui.platform.clients import client_for  # the HTTP clients: only here

        client = client_for(account, token, timeout=timeout_seconds)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    with client:
        creator = _who_am_i(client, parse_gateway(account.gateway), account.gateway_account)
    if account.creator_platform_id not in (None, creator.id):
        raise AccountError(
            f"that token belongs to @{creator.username}, not to this account's creator "
            f"@{account.creator_username}"
        )
    secrets.store_token(name, token)
    with db.write() as session:
        row = session.get(Account, account.id)
        row.auth_error = None
        session.flush()
        return AccountInfo.of(row)


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
