"""Team access on PostgreSQL: the roles (``roles``), what the database says a role may
do (``rights``), and the audit trail (``audit``). SQLite is one person's database: every
check passes there, nothing is recorded, and the team commands refuse it.

``rights`` is loaded with the package (every command asks who it is); ``audit`` (the
models) and ``roles`` (the PostgreSQL dialect) when one of their names is first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ofcrm_tui.core.access.rights import (
    AccessDenied,
    Identity,
    Kind,
    Right,
    check,
    denial,
    identity,
    login_refused,
    lost,
    off_the_team,
    refusal,
    require,
    require_delete,
    require_update,
    schema_refused,
    unfound,
    worker_on_team,
)

if TYPE_CHECKING:
    from ofcrm_tui.core.access.audit import (
        AuditRow,
        AuditSpan,
        audit_position,
        audit_window,
        count_audit,
        record,
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

_LAZY = {
    "audit": ("AuditRow", "AuditSpan", "audit_position", "audit_window", "count_audit", "record"),
    "roles": (
        "SQLITE_REFUSED", "Member", "TeamError", "TeamGroups", "add_chatter", "add_worker",
        "init_team", "members", "remove_member", "scram_verifier", "unprotected_tables",
    ),
}
_HOME = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "SQLITE_REFUSED", "AccessDenied", "AuditRow", "AuditSpan", "Identity", "Kind", "Member",
    "Right", "TeamError", "TeamGroups", "add_chatter", "add_worker", "audit_position",
    "audit_window", "check", "count_audit", "denial", "identity", "init_team", "login_refused",
    "lost", "members", "off_the_team", "record", "refusal", "remove_member", "require",
    "require_delete", "require_update", "schema_refused", "scram_verifier", "unfound",
    "unprotected_tables", "worker_on_team",
]
