"""Who the database says this connection is, and the rights it checks.

On PostgreSQL the database answers (``store/security.py``): ``identity`` asks it once,
``require`` asks it before an export, a campaign launch or a fan deleted and turns a
refusal into one line. On SQLite (one person) there is no team: the one user may do
everything.
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import TeamKind

# PostgreSQL's insufficient_privilege: a permission, a policy or ofcrm_require said no.
REFUSED = "42501"
# undefined_table, undefined_function: what a role that may no longer use the schema
# holding the tables is told of them (the schema's USAGE went with its team group, when
# the tables are not in ``public``), as well as a database not upgraded yet.
UNFOUND = ("42P01", "42883")
# The schemas of the session's search path that it may not use (one query; ``$user``
# is the role's own; a name as ``SET search_path`` takes it, quoted or not).
_UNUSABLE_SCHEMAS = text(
    "SELECT n.nspname FROM unnest(string_to_array(current_setting('search_path'), ','))"
    " AS p(item) JOIN pg_namespace n ON n.nspname = CASE"
    " WHEN btrim(p.item) IN ('$user', '\"$user\"') THEN current_user::text"
    " ELSE (parse_ident(btrim(p.item), false))[1] END"
    " WHERE NOT has_schema_privilege(n.oid, 'USAGE')"
)


class Right(StrEnum):
    EXPORT = "export"  # write fans or analytics out to a file
    CAMPAIGN = "campaign"  # launch or schedule a campaign
    DELETE = "delete"  # delete fans, and all their history with them
    SETTINGS = "settings"  # change an account's own row (address, send limit): never a chatter


class Kind(StrEnum):
    """What the connection's role is to the team."""

    LOCAL = "local"  # SQLite: one person, no team
    MANAGER = "manager"  # the tables' owner (or a superuser): everything
    CHATTER = "chatter"  # the accounts granted to it, with its rights
    WORKER = "worker"  # every account: polls and sends with the keys it holds
    NONE = "none"  # on no team: sees nothing


class AccessDenied(OfcrmError):
    """The database refused this role an action or a table, in one line."""


@dataclass(frozen=True)
class Identity:
    role: str
    kind: Kind
    account_ids: tuple[int, ...]
    can_export: bool
    can_campaign: bool
    can_delete: bool

    @property
    def keyless(self) -> bool:
        """A chatter's app: it reads what workers sync and queues what it sends, and
        needs no platform key (team mode)."""
        return self.kind is Kind.CHATTER


def identity(db: Database) -> Identity:
    """The connection's role and what it may do (one query on PostgreSQL)."""
    if db.is_sqlite:
        return Identity(_os_user(), Kind.LOCAL, (), True, True, True)
    with db.read() as session:
        row = session.execute(text("SELECT * FROM ofcrm_whoami()")).one()
    return Identity(
        row.role_name, Kind(row.kind), tuple(row.accounts or ()), row.can_export,
        row.can_campaign, row.can_delete,
    )


_WORKER_ON_TEAM = text(
    "SELECT EXISTS (SELECT 1 FROM team_members m JOIN pg_roles r ON r.rolname = m.role_name"
    " WHERE m.kind = :worker AND r.rolcanlogin)"
).bindparams(worker=TeamKind.WORKER.value)


def worker_on_team(db: Database) -> bool:
    """A worker that may log in is on the team (it holds the platform keys): one query,
    for a manager's role on PostgreSQL."""
    with db.read() as session:
        return bool(session.scalar(_WORKER_ON_TEAM))


def require(session: Session, right: Right, account_id: int) -> None:
    """Go on only if the database grants ``right`` on the account (in ``session``'s
    transaction, so a revocation is seen); AccessDenied otherwise."""
    if session.get_bind().dialect.name != "postgresql":
        return
    try:
        session.execute(select(func.ofcrm_require(right.value, account_id)))
    except DBAPIError as exc:
        denied = refusal(exc)
        if denied is None:
            raise
        raise denied from None


def denial(session: Session, right: Right, account_id: int) -> AccessDenied | None:
    """The refusal ``require`` would raise, returned instead, ``session``'s transaction
    going on (the check runs in a savepoint): to leave out what the role may not touch
    and act on the rest. None: granted."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    try:
        with session.begin_nested():
            require(session, right, account_id)
    except AccessDenied as denied:
        return denied
    return None


def require_update(session: Session, table: str, columns: list[str], what: str) -> None:
    """Go on only if the login role may change these columns (PostgreSQL's column
    privileges: a team's chatter may not change some); AccessDenied naming ``what``."""
    if not columns or session.get_bind().dialect.name != "postgresql":
        return
    refused = [name for name in columns if not session.scalar(
        text("SELECT has_column_privilege(:t, :c, 'UPDATE')"), {"t": table, "c": name})]
    if refused:
        role = session.scalar(text("SELECT session_user"))
        raise AccessDenied(f"refused by the database: {role} may not change {what} "
                           f"({', '.join(refused)}): leave those columns out")


def require_delete(session: Session, table: str, what: str) -> None:
    """Go on only if the login role may delete rows of ``table`` (a team's worker may
    not delete campaigns, whatever its rights): AccessDenied naming ``what``, before a
    question whose yes the database would refuse."""
    if session.get_bind().dialect.name != "postgresql":
        return
    if not session.scalar(text("SELECT has_table_privilege(:t, 'DELETE')"), {"t": table}):
        role = session.scalar(text("SELECT session_user"))
        raise AccessDenied(f"refused by the database: {role} may not delete {what}: "
                           "a manager of the team can")


def check(db: Database, right: Right, account_id: int) -> None:
    """``require`` in a transaction of its own: to refuse before asking to confirm."""
    with db.read() as session:
        require(session, right, account_id)


def refusal(exc: BaseException) -> AccessDenied | None:
    """A database refusal (a missing privilege, a row-level security check, a right)
    as one line; None for any other error."""
    message = _refused_message(exc)
    return None if message is None else _denied(message)


def _denied(message: str) -> AccessDenied:
    if message.startswith(("permission denied", "new row violates")):
        message += " (is this role on the team, with this right? ask a manager: ofcrm team list)"
    return AccessDenied(f"refused by the database: {message}")


def unfound(exc: BaseException) -> bool:
    """Whether the database answered ``exc`` that a table or a function does not exist:
    perhaps a schema refused (``lost``), perhaps really missing."""
    return getattr(getattr(exc, "orig", exc), "sqlstate", None) in UNFOUND


def lost(db: Database, exc: BaseException) -> AccessDenied | None:
    """``exc`` (an error of ``db``'s work) as one line when the database refused this
    role: a privilege, a policy or a right (``refusal``), or the schema of the tables
    (``schema_refused``). None for any other error."""
    denied = refusal(exc)
    if denied is not None:
        return denied
    why = schema_refused(db, exc)
    return None if why is None else _denied(why)


def schema_refused(db: Database, exc: BaseException) -> str | None:
    """When ``exc`` says a table or a function does not exist because this role may no
    longer use a schema of its search path (taken off a team whose tables are not in
    ``public``: the schema's USAGE was its group's), the refusal in the database's
    words; None otherwise, a table really missing too (a database not upgraded yet).
    One query, asked on that answer only, on PostgreSQL only."""
    if db.is_sqlite or not unfound(exc):
        return None
    try:
        with db.read() as session:
            schema = session.scalars(_UNUSABLE_SCHEMAS).first()
    except DBAPIError:  # the database is away or refuses this too: nothing known
        return None
    return None if schema is None else f"permission denied for schema {schema}"


def _refused_message(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) != REFUSED:
        return None
    diag = getattr(orig, "diag", None)
    return getattr(diag, "message_primary", None) or str(orig).splitlines()[0]


# The server's answer to a login it no longer takes (a role made NOLOGIN or dropped):
# a connection error with no SQLSTATE, so known by its words.
_LOGIN_REFUSED = re.compile(r'role "[^"]*" (is not permitted to log in|does not exist)')


def login_refused(exc: BaseException) -> str | None:
    """The server refusing this role a connection (its login taken away by ``ofcrm team
    remove-worker``, or the role dropped), in its words; None for any other error."""
    found = _LOGIN_REFUSED.search(str(getattr(exc, "orig", exc)))
    return None if found is None else found.group(0)


def off_the_team(db: Database, exc: BaseException) -> AccessDenied | None:
    """``exc`` (an error of ``db``'s work) as one line when it says this role is no longer
    on the team: its login refused, the tables' schema refused (``schema_refused``), or
    a refusal after which the database no longer knows the role as a member
    (``identity``: none, or refused too). None otherwise: another error, or a refusal of
    something the role, still a member, may not do."""
    why = login_refused(exc) or schema_refused(db, exc)
    if why is None:
        why = _refused_message(exc)
        if why is None or _still_member(db):
            return None
    role = db.url.username or "this role"
    return AccessDenied(f"{role} is no longer on the team (refused by the database: {why}); "
                        "ask a manager: ofcrm team list")


def _still_member(db: Database) -> bool:
    """Whether the database still knows this role as a team's (or cannot say)."""
    try:
        return identity(db).kind is not Kind.NONE
    except DBAPIError as again:  # refused that too: off the team; else unknown
        return not (login_refused(again) or _refused_message(again))


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local"
