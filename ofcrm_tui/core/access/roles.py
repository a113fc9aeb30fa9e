"""Team roles on PostgreSQL: ``ofcrm team init`` and the chatters and workers it adds.

Two group roles hold the table privileges (``TeamGroups``: each reads every account
table; ``ofcrm_chatter`` writes what a chatter's app writes, ``ofcrm_worker`` what a
worker's poll and drain write); a member is a LOGIN role in one group, listed in
``team_members`` (a chatter with its accounts in ``team_grants``). What a member's rows are is the row-level
security of ``store/security.py``, read afresh at every statement: removing a member
takes its group and its grants away, and its open connections lose access at their
next query. Only a manager (the tables' owner, or a superuser) changes the team; the
changes are audited. SQLite is one person's database: every command here refuses it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, column, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ofcrm_tui.core.access import audit
from ofcrm_tui.core.access.rights import Kind
from ofcrm_tui.core.team.assignment import unassign_chatter
from ofcrm_tui.core.wording import counted
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store import security
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import AuditAction, TeamKind
from ofcrm_tui.store.models import Account, TeamGrant, TeamMember

SQLITE_REFUSED = (
    "teams need PostgreSQL: SQLite is a one-person database (README: 'A team on PostgreSQL')"
)
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
SCRAM_ITERATIONS = 4096
# A chatter's rights, as ``team_members`` columns.
_RIGHTS = ("can_export", "can_campaign", "can_delete")


class TeamError(OfcrmError):
    pass


@dataclass(frozen=True)
class TeamGroups:
    """The group roles that hold the privileges (roles are global to the PostgreSQL
    server: the ``team_group_prefix`` setting names them, tests give theirs names of
    their own)."""

    chatter: str = "ofcrm_chatter"
    worker: str = "ofcrm_worker"

    @classmethod
    def named(cls, prefix: str) -> TeamGroups:
        return cls(f"{prefix}_chatter", f"{prefix}_worker")

    def of(self, kind: TeamKind) -> str:
        return self.chatter if kind is TeamKind.CHATTER else self.worker


@dataclass(frozen=True)
class Member:
    role: str
    kind: TeamKind
    accounts: tuple[str, ...]  # a chatter's, by name
    can_export: bool
    can_campaign: bool
    can_delete: bool
    added_by: str
    added_at: datetime
    can_login: bool  # the role may log in (a removed one may not)

    def rights(self) -> str:
        if self.kind is TeamKind.WORKER:
            return "every account"
        held = [name for name, has in (("export", self.can_export),
                                       ("campaigns", self.can_campaign),
                                       ("deleting fans", self.can_delete)) if has]
        return ", ".join(held) or "no export, no campaigns, no deleting fans"


def validate_role(name: str) -> str:
    if not _ROLE.match(name) or name.startswith("pg_"):
        raise TeamError(
            f"bad role name {name!r}: use lowercase letters, digits and '_' (at most 63), "
            "starting with a letter or '_', not 'pg_'"
        )
    return name


def scram_verifier(password: str, *, salt: bytes | None = None) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password`` (RFC 5802/7677),
    made here so the password itself never reaches the server or its logs."""
    salt = salt if salt is not None else os.urandom(16)
    prepared = unicodedata.normalize("NFKC", password).encode()
    salted = hashlib.pbkdf2_hmac("sha256", prepared, salt, SCRAM_ITERATIONS)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${SCRAM_ITERATIONS}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


# -- checks ------------------------------------------------------------------------


def _postgres(db: Database) -> None:
    if db.is_sqlite:
        raise TeamError(SQLITE_REFUSED)


def not_a_manager(role: str, kind: str) -> TeamError:
    """The one line every managers-only action refuses another role with."""
    return TeamError(f"only a manager (the owner of the tables, or a superuser) may do this; "
                     f"this is role {role!r} ({kind})")


def _manager(session: Session) -> str:
    """The login role, if it is a manager; TeamError otherwise."""
    row = session.execute(text("SELECT role_name, kind FROM ofcrm_whoami()")).one()
    if row.kind != Kind.MANAGER:
        raise not_a_manager(row.role_name, row.kind)
    return str(row.role_name)


def unprotected_tables(session: Session) -> list[str]:
    """Tables of the current schema holding account rows (an ``account_id`` column, or
    ``accounts``) without row-level security and a policy: what a team role would see
    whole. Empty on a schema 0020 set up."""
    rows = session.execute(
        text(
            "SELECT c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
            "WHERE c.relkind IN ('r', 'p') AND (c.relname = 'accounts' OR EXISTS ("
            "  SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid"
            "  AND a.attname = 'account_id' AND NOT a.attisdropped)) "
            "AND (NOT c.relrowsecurity OR (c.relname <> ALL (:owners) AND NOT EXISTS ("
            "  SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))) "
            "ORDER BY c.relname"
        ),
        {"owners": list(security.OWNER_TABLES)},
    )
    return list(rows.scalars())


def _role(session: Session, name: str) -> tuple[bool, bool] | None:
    """(may log in, sees everything: superuser, BYPASSRLS or the tables' owner) of the
    role ``name``; None when there is none."""
    row = session.execute(
        text(
            "SELECT r.rolcanlogin, r.rolsuper OR r.rolbypassrls "
            "OR pg_has_role(r.rolname, c.relowner, 'USAGE') "
            "FROM pg_roles r, pg_class c WHERE r.rolname = :name AND c.oid = 'accounts'::regclass"
        ),
        {"name": name},
    ).first()
    return None if row is None else (bool(row[0]), bool(row[1]))


def _groups_exist(session: Session, groups: TeamGroups) -> None:
    found = set(session.scalars(
        text("SELECT rolname FROM pg_roles WHERE rolname = ANY (:names)"),
        {"names": [groups.chatter, groups.worker]},
    ))
    if found != {groups.chatter, groups.worker}:
        raise TeamError("the team is not set up in this database: run `ofcrm team init` first")


# -- DDL ---------------------------------------------------------------------------


def _quote(session: Session, name: str) -> str:
    return session.get_bind().dialect.identifier_preparer.quote(name)


def _ddl(session: Session, statement: str) -> None:
    session.connection().exec_driver_sql(statement.replace("%", "%%"))


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _grant_privileges(session: Session, groups: TeamGroups) -> None:
    """The groups' privileges, from scratch: what ``store/security`` lists, nothing else."""
    schema = _quote(session, session.scalar(text("SELECT current_schema()")))
    present = set(session.scalars(
        text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    ))

    def tables(names: tuple[str, ...]) -> str:
        return ", ".join(name for name in names if name in present)

    chatter, worker = _quote(session, groups.chatter), _quote(session, groups.worker)
    for group in (chatter, worker):
        _ddl(session, f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {group}")
        _ddl(session, f"GRANT USAGE ON SCHEMA {schema} TO {group}")
        _ddl(session, f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {group}")
        _ddl(session, f"GRANT SELECT ON {tables(security.SHARED_READS)} TO {group}")
    account_tables = tables(security.ACCOUNT_TABLES)
    for group, written in ((chatter, security.CHATTER_PRIVILEGES),
                           (worker, security.WORKER_PRIVILEGES)):
        _ddl(session, f"GRANT SELECT ON {account_tables} TO {group}")
        for table, privileges in written.items():
            if table in present:
                _ddl(session, f"GRANT {privileges} ON {table} TO {group}")


# -- commands ----------------------------------------------------------------------


def init_team(db: Database, groups: TeamGroups = TeamGroups()) -> None:
    """Create the group roles (if missing) and give them their privileges; again after
    an upgrade that adds tables (it starts from scratch each time)."""
    _postgres(db)
    with db.write() as session:
        _manager(session)
        missing = unprotected_tables(session)
        if missing:
            raise TeamError(
                f"tables without row-level security: {', '.join(missing)}; upgrade the "
                "schema first (`ofcrm db upgrade`)"
            )
        existing = set(session.scalars(
            text("SELECT rolname FROM pg_roles WHERE rolname = ANY (:names)"),
            {"names": [groups.chatter, groups.worker]},
        ))
        for group in (groups.chatter, groups.worker):
            if group not in existing:
                _ddl(session, f"CREATE ROLE {_quote(session, group)} NOLOGIN")
        _grant_privileges(session, groups)
        audit.record(session, AuditAction.TEAM_INITIALISED, None,
                     detail=f"groups {groups.chatter}, {groups.worker}")


def add_chatter(
    db: Database,
    name: str,
    account_names: list[str],
    *,
    can_export: bool = False,
    can_campaign: bool = False,
    can_delete: bool = False,
    password: str | None = None,
    groups: TeamGroups = TeamGroups(),
) -> tuple[Member, int]:
    """Create (or update) the chatter's LOGIN role with exactly these accounts and
    rights; returns the member as it now is and how many of its conversations on other
    accounts (taken away from it) went to nobody, in the same transaction."""
    if not account_names:
        raise TeamError("a chatter needs at least one account (--account NAME)")
    return _add(db, name, TeamKind.CHATTER, account_names,
                {"can_export": can_export, "can_campaign": can_campaign,
                 "can_delete": can_delete}, password, groups)


def add_worker(
    db: Database, name: str, *, password: str | None = None, groups: TeamGroups = TeamGroups()
) -> Member:
    """Create (or update) a worker's LOGIN role: every account, to poll and send."""
    member, _ = _add(db, name, TeamKind.WORKER, [], dict.fromkeys(_RIGHTS, False), password,
                     groups)
    return member


def _add(
    db: Database,
    name: str,
    kind: TeamKind,
    account_names: list[str],
    rights: dict[str, bool],
    password: str | None,
    groups: TeamGroups,
) -> tuple[Member, int]:
    _postgres(db)
    validate_role(name)
    with db.write() as session:
        by = _manager(session)
        _groups_exist(session, groups)
        account_ids = _account_ids(session, account_names)
        role = _role(session, name)
        if role is not None and role[1]:
            raise TeamError(f"{name!r} is a manager's role (it sees everything): pick another")
        was = session.scalar(select(TeamMember.kind).where(TeamMember.role_name == name))
        if was is not None and was != kind:
            raise TeamError(f"{name!r} is a {was} on the team: remove it first "
                            f"(`ofcrm team remove-{was} {name}`)")
        quoted = _quote(session, name)
        secret = f" PASSWORD {_literal(scram_verifier(password))}" if password else ""
        verb = "CREATE" if role is None else "ALTER"
        _ddl(session, f"{verb} ROLE {quoted} LOGIN{secret}")
        _ddl(session, f"GRANT {_quote(session, groups.of(kind))} TO {quoted}")
        session.execute(
            insert(TeamMember)
            .values(role_name=name, kind=kind.value, **rights, added_by=by,
                    added_at=func.now())
            .on_conflict_do_update(index_elements=[TeamMember.role_name], set_=rights)
        )
        session.execute(delete(TeamGrant).where(TeamGrant.role_name == name))
        if account_ids:
            session.execute(insert(TeamGrant).values(
                [{"role_name": name, "account_id": account_id} for account_id in account_ids]
            ))
        # A chatter sees the conversations of its accounts only: those assigned to it
        # on the others would stay "assigned to" someone who can no longer see them.
        released = (unassign_chatter(session, name, keep=account_ids)
                    if kind is TeamKind.CHATTER else 0)
        session.flush()
        member = _members(session, name)[0]
        action = AuditAction.MEMBER_ADDED if was is None else AuditAction.MEMBER_CHANGED
        detail = _describe(member)
        if released:
            detail += f"; {counted(released, 'conversation')} of other accounts to nobody"
        audit.record(session, action, None, detail=detail)
        return member, released


def remove_member(
    db: Database, name: str, kind: TeamKind, groups: TeamGroups = TeamGroups()
) -> tuple[Member, int]:
    """Take the ``kind`` member off the team: its grants, its group, its login, the
    conversations assigned to it (returns the member and how many). Open connections of
    the role lose access at their next query."""
    _postgres(db)
    validate_role(name)
    with db.write() as session:
        _manager(session)
        found = _members(session, name)
        if not found or found[0].kind is not kind:
            raise TeamError(f"no {kind} {name!r} on the team (see `ofcrm team list`)")
        session.execute(delete(TeamMember).where(TeamMember.role_name == name))
        unassigned = unassign_chatter(session, name)
        quoted = _quote(session, name)
        for group in (groups.chatter, groups.worker):
            if session.scalar(text("SELECT pg_has_role(:member, :group, 'MEMBER')"),
                              {"member": name, "group": group}):
                _ddl(session, f"REVOKE {_quote(session, group)} FROM {quoted}")
        if _role(session, name) is not None:
            _ddl(session, f"ALTER ROLE {quoted} NOLOGIN")
        audit.record(session, AuditAction.MEMBER_REMOVED, None, detail=_describe(found[0]))
        return found[0], unassigned


def members(db: Database) -> list[Member]:
    """Everyone on the team, by role name (a manager's view)."""
    _postgres(db)
    with db.read() as session:
        _manager(session)
        return _members(session)


def _members(session: Session, only: str | None = None) -> list[Member]:
    login = text("SELECT rolcanlogin FROM pg_roles WHERE rolname = team_members.role_name")
    query = (
        select(TeamMember, func.array_remove(func.array_agg(Account.name.distinct()), None),
               login.columns(column("rolcanlogin", Boolean)).scalar_subquery())
        .outerjoin(TeamGrant, TeamGrant.role_name == TeamMember.role_name)
        .outerjoin(Account, Account.id == TeamGrant.account_id)
        .group_by(TeamMember.role_name)
        .order_by(TeamMember.role_name)
    )
    if only is not None:
        query = query.where(TeamMember.role_name == only)
    return [
        Member(m.role_name, TeamKind(m.kind), tuple(sorted(names or ())), m.can_export,
               m.can_campaign, m.can_delete, m.added_by, m.added_at, bool(can_login))
        for m, names, can_login in session.execute(query)
    ]


def _account_ids(session: Session, names: list[str]) -> list[int]:
    found = {
        name: account_id for name, account_id in
        session.execute(select(Account.name, Account.id).where(Account.name.in_(names)))
    }
    unknown = [name for name in dict.fromkeys(names) if name not in found]
    if unknown:
        known = ", ".join(session.scalars(select(Account.name).order_by(Account.name))) or "none"
        raise TeamError(f"no account named {', '.join(map(repr, unknown))} (accounts: {known})")
    return sorted({found[name] for name in names})


def _describe(member: Member) -> str:
    if member.kind is TeamKind.WORKER:
        return f"worker {member.role}"
    return (f"chatter {member.role}: {', '.join(member.accounts) or 'no accounts'}; "
            f"{member.rights()}")
