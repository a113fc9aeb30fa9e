"""Team access on PostgreSQL: the roles (``roles``), what the database says a role may
do (``rights``), and the audit trail (``audit``). SQLite is one person's database: every
check passes there, nothing is recorded, and the team commands refuse it.
"""

from ofcrm_tui.core.access.audit import (
    AuditRow,
    AuditSpan,
    audit_position,
    audit_window,
    count_audit,
    record,
)
from ofcrm_tui.core.access.rights import (
    AccessDenied,
    Identity,
    Kind,
    Right,
    identity,
    refusal,
    require,
)
from ofcrm_tui.core.access.roles import (
    SQLITE_REFUSED,
    Member,
    TeamError,
    TeamGroups,
    add_chatter,
    add_worker,
    init_team,
    members,
    remove_member,
    scram_verifier,
    unprotected_tables,
)

__all__ = [
    "SQLITE_REFUSED", "AccessDenied", "AuditRow", "AuditSpan", "Identity", "Kind", "Member",
    "Right", "TeamError", "TeamGroups", "add_chatter", "add_worker", "audit_position",
    "audit_window", "count_audit", "identity", "init_team", "members", "record", "refusal",
    "remove_member", "require", "scram_verifier", "unprotected_tables",
]
