"""Row-level security for a team database (PostgreSQL; SQLite is one person's).

Every table that belongs to a creator account is named once, in ``ACCOUNT_TABLES``,
and gets one policy (migration 0020, or ``protect`` in a later migration that adds a
table): a role other than the owner reads and writes only the rows of the accounts
``ofcrm_granted_accounts()`` returns for it. That function is evaluated once per
statement (the policy wraps it in a scalar subquery: an InitPlan), reading the grants
afresh every time, so a chatter removed from the team loses access at the next query
of a connection that is already open. The owner of the tables (and superusers)
bypass row-level security: managers see everything.

Who is asking is ``session_user``, the role that logged in: the access functions are
``SECURITY DEFINER`` (they read the team tables, which no team role may read) with
their ``search_path`` pinned, so a temporary table cannot stand in for the grants
(their SQL: ``access_sql``; here, the tables, the privileges, the policies, and putting
them in or taking them out).

Full-text and trigram tests (``@@``, ``LIKE``) are not leakproof: under row-level
security PostgreSQL may not use an index for them. ``ofcrm_message_fans`` and
``ofcrm_named_fans`` are the search's index lookups, run as the owner for the
accounts the caller may see; search goes through them under row-level security
(``Database.row_security``).
"""

from __future__ import annotations

from sqlalchemy import Connection

from ofcrm_tui.store import access_sql
from ofcrm_tui.store.fan_facts import FACT_TRIGGERS
from ofcrm_tui.store.rollups import TRIGGERS

# Every table with rows of one account. A new one: add it here and, in its migration,
# ``protect(connection, name)``; tests/security checks that none is forgotten.
ACCOUNT_TABLES: tuple[str, ...] = (
    "accounts",
    "fans",
    "deleted_fans",
    "tags",
    "fan_tags",
    "notes",
    "conversations",
    "media",
    "messages",
    "transactions",
    "saved_replies",
    "sync_cursors",
    "metric_events",
    "drafts",
    "campaigns",
    "outbound_messages",
    "send_attempts",
    "read_marks",
    "analytics_revenue_hours",
    "analytics_fan_spend",
    "analytics_fan_days",
    "analytics_sent_hours",
    "analytics_reply_days",
    "team_presence",
    "conversation_assignments",
    "team_versions",
)
# What a chatter's app writes, by table and command: UPDATE of the columns it changes
# only, DELETE only where the app deletes (fans: with the delete right, a policy). The
# rest a chatter only reads: what the workers sync and send, the history (messages,
# transactions, sends, campaigns that started: never deleted, spend never changed), the
# rollups.
# ``accounts``: a manual retry locks its account's row (SELECT ... FOR UPDATE takes the
# UPDATE privilege), a policy keeps it from changing.
CHATTER_PRIVILEGES: dict[str, str] = {
    "accounts": "UPDATE",
    "fans": "INSERT, DELETE, UPDATE (username, name, nickname, platform_user_id, "
            "subscription_status, subscribed_at, expires_at, last_seen_at, "
            "subscribe_price_cents, updated_at)",
    # A fan deleted is recorded (the sync leaves them out: with the delete right, a
    # policy), one added again forgotten.
    "deleted_fans": "INSERT, DELETE, UPDATE (username, deleted_at)",
    "tags": "INSERT",
    "fan_tags": "INSERT, DELETE",
    "notes": "INSERT, DELETE, UPDATE (body, updated_at)",
    "conversations": "UPDATE (unread_count, last_read_platform_message_id, marked_unread_at)",
    "saved_replies": "INSERT, DELETE",
    "metric_events": "INSERT",
    "drafts": "INSERT, DELETE",
    # DELETE: a draft, or one cancelled before it started, with the campaign right (a
    # policy, as the app's ``D``).
    "campaigns": "INSERT, DELETE, UPDATE (name, text, price_cents, media_ids, preview_ids, "
                 "segment, scheduled_at, status, started_at, launch_error, recipients)",
    "outbound_messages": "INSERT, UPDATE (state, attempts, next_attempt_at, first_attempt_at, "
                         "last_attempt_at, lease_owner, lease_expires_at, last_error, "
                         "updated_at)",
    "read_marks": "INSERT, UPDATE (requested_at)",
    "team_presence": "INSERT, DELETE, UPDATE (account_id, chatter, conversation_id, "
                     "typing_since, seen_at)",
    "conversation_assignments": "INSERT, DELETE, UPDATE (chatter, assigned_by, assigned_at)",
    "team_versions": "INSERT, UPDATE (assignments, fans)",
}
# What a worker's code writes (``ofcrm worker`` and ``ofcrm sync``: the poll, the drain
# with its reconciliation and the scheduled campaigns it starts, the read marks it
# carries, its observations; ``ofcrm account set`` / ``token``), by table and command as
# the chatter's; it reads every account table. It deletes only its own bookkeeping: a
# fan back from a deletion (``deleted_fans``), a chat marked read, a send attempt the
# platform never counted, old attempts and observations. Never an account, a fan, a
# note, a campaign or the history; nor what only the chatters' apps write (notes, tags,
# drafts, presence, assignments, saved replies).
WORKER_PRIVILEGES: dict[str, str] = {
    # Credentials refused, an outage, a 429 block; the address and limit it may change.
    "accounts": "UPDATE (auth_error, unreachable_since, unreachable_retry_at, "
                "send_blocked_until, base_url, send_limit_per_minute)",
    # The platform's figures win (spend included); a fan met in a chat is made.
    "fans": "INSERT, UPDATE (platform_user_id, username, name, nickname, platform_nickname, "
            "last_seen_at, subscription_status, subscribed_at, expires_at, renewed_at, "
            "subscribe_price_cents, total_spent_cents, tips_cents, messages_cents, "
            "subscriptions_cents, posts_cents, updated_at)",
    "deleted_fans": "DELETE",
    "media": "INSERT, UPDATE (type)",
    "messages": "INSERT, UPDATE (is_opened, sent_by, is_campaign)",
    "transactions": "INSERT",
    "conversations": "INSERT, UPDATE (unread_count, last_read_platform_message_id, "
                     "last_platform_message_id, last_message_at, last_message_preview, "
                     "last_message_direction, last_message_sent_by, last_fan_message_at)",
    "sync_cursors": "INSERT, UPDATE (value, updated_at)",
    "metric_events": "INSERT, DELETE",
    # A due campaign started (or back to draft with why), a finished one done.
    "campaigns": "UPDATE (status, started_at, launch_error, recipients)",
    "outbound_messages": "INSERT, UPDATE (state, attempts, tries, next_attempt_at, "
                         "first_attempt_at, last_attempt_at, lease_owner, lease_expires_at, "
                         "last_error, platform_message_id, sent_at, updated_at)",
    "send_attempts": "INSERT, UPDATE (attempted_at), DELETE",
    "read_marks": "DELETE",
}
# Row-level security on and no policy: no team role sees a row. The owner and the
# access functions (as the owner) read and write them.
OWNER_TABLES: tuple[str, ...] = ("team_members", "team_grants", "audit_events")
# Every team role reads these (the start-up schema check).
SHARED_READS: tuple[str, ...] = ("alembic_version",)

# Trigger functions that write what a chatter may only read (the analytics rollups,
# the reply times, the fan facts): they run as the owner, so a chatter's edit or
# deletion of a fan (or a worker's sync) keeps them while the chatter cannot write them
# itself. Those there are (the fan facts come with 0021, made so by 0025).
OWNER_TRIGGERS: tuple[str, ...] = ("messages_reply_seconds", *TRIGGERS, *FACT_TRIGGERS)

POLICY = "ofcrm_account_rows"


def _run(connection: Connection, statement: str) -> None:
    """A DDL statement as written (the driver's placeholders escaped)."""
    connection.exec_driver_sql(statement.replace("%", "%%"))


def account_column(table: str) -> str:
    return "id" if table == "accounts" else "account_id"


def _granted(right: str | None = None) -> str:
    argument = f"'{right}'" if right else ""
    # The cast makes it an array expression (``ANY (SELECT ...)`` would compare with
    # each row); the scalar subquery runs once per statement (an InitPlan).
    return f"(SELECT ofcrm_granted_accounts({argument}))::bigint[]"


def protect(connection: Connection, table: str) -> None:
    """Row-level security on ``table``: the rows of the granted accounts only."""
    column = account_column(table)
    connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    connection.exec_driver_sql(
        f"CREATE POLICY {POLICY} ON {table} "
        f"USING ({column} = ANY ({_granted()})) WITH CHECK ({column} = ANY ({_granted()}))"
    )


def unprotect(connection: Connection, table: str) -> None:
    connection.exec_driver_sql(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
    connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def _right_policies() -> list[tuple[str, str, str]]:
    """(name, table, what) of the restrictive policies: rights and ownership the database
    keeps whatever the client (psql included). Campaigns leave draft, change once out of
    draft, and their recipients' rows are queued or changed, only with the campaign
    right; fans are deleted only with the delete right; an account's own row (its
    gateway, base URL, credentials state) changes only for a worker or a manager (a
    chatter may lock it: a manual retry does). A chatter's notes, sends and campaigns
    are written in its own name, and its drafts are its own (those saved before team
    mode, ``''``, go to the next chatter who saves one). A chatter changes and deletes
    only its own notes (migration 0032; another's stay as their author wrote them), and
    gives a conversation in its own name (``assigned_by``; taking one back from anyone,
    a DELETE, stays open to all). With the campaign right a chatter deletes what the
    app's ``D`` deletes (``core/campaigns/drafts``): a draft, or a campaign cancelled
    before it started, with no message queued. A deleted fan is recorded only with the
    delete right (forgetting one, a DELETE, stays open: a fan added again, a sync);
    migration 0039."""
    campaign = f"account_id = ANY ({_granted('campaign')})"
    deletes = f"account_id = ANY ({_granted('delete')})"
    runs = f"account_id = ANY ({_granted('settings')})"  # a worker (or a manager)
    me = "(SESSION_USER)::text"
    note = f"author = {me} OR {runs}"
    assigns = f"assigned_by = {me} OR {runs}"
    return [
        ("ofcrm_campaign_right", "campaigns",
         f"FOR ALL USING (true) WITH CHECK (status = 'draft' OR {campaign})"),
        ("ofcrm_campaign_edits", "campaigns",
         f"FOR UPDATE USING (status = 'draft' OR {campaign})"),
        ("ofcrm_own_campaigns", "campaigns",
         f"FOR INSERT WITH CHECK (created_by = {me} OR {runs})"),
        ("ofcrm_campaign_deletes", "campaigns",
         f"FOR DELETE USING ({campaign} AND (status = 'draft'"
         " OR (status = 'cancelled' AND started_at IS NULL)) AND NOT EXISTS (SELECT 1"
         " FROM outbound_messages o WHERE o.account_id = campaigns.account_id"
         " AND o.campaign_id = campaigns.id))"),
        ("ofcrm_campaign_rows", "outbound_messages",
         f"FOR INSERT WITH CHECK (campaign_id IS NULL OR {campaign})"),
        ("ofcrm_campaign_sends", "outbound_messages",
         f"FOR UPDATE USING (campaign_id IS NULL OR {campaign})"),
        ("ofcrm_own_sends", "outbound_messages",
         f"FOR INSERT WITH CHECK (created_by = {me} OR campaign_id IS NOT NULL OR {runs})"),
        ("ofcrm_account_settings", "accounts",
         f"FOR UPDATE USING (true) WITH CHECK (id = ANY ({_granted('settings')}))"),
        ("ofcrm_fan_deletes", "fans", f"FOR DELETE USING ({deletes})"),
        ("ofcrm_deleted_fan_records", "deleted_fans", f"FOR INSERT WITH CHECK ({deletes})"),
        ("ofcrm_deleted_fan_edits", "deleted_fans", f"FOR UPDATE USING ({deletes})"),
        ("ofcrm_own_notes", "notes", f"FOR INSERT WITH CHECK ({note})"),
        ("ofcrm_own_note_edits", "notes", f"FOR UPDATE USING ({note})"),
        ("ofcrm_own_note_deletes", "notes", f"FOR DELETE USING ({note})"),
        ("ofcrm_own_assignments", "conversation_assignments",
         f"FOR INSERT WITH CHECK ({assigns})"),
        ("ofcrm_own_assignment_edits", "conversation_assignments",
         f"FOR UPDATE USING (true) WITH CHECK ({assigns})"),
        ("ofcrm_own_drafts", "drafts",
         f"FOR ALL USING (chatter IN ({me}, '') OR {runs}) WITH CHECK (chatter = {me} OR {runs})"),
    ]


def _schema(connection: Connection) -> str:
    return connection.dialect.identifier_preparer.quote(
        connection.exec_driver_sql("SELECT current_schema()").scalar_one()
    )


def install(connection: Connection, tables: list[str]) -> None:
    """The access functions, the triggers, and the policies of ``tables`` (the account
    tables there are now) and of the owner's tables (migration 0020: no delete right
    before 0025)."""
    install_rules(connection, delete_right=False)
    for table in tables:
        protect(connection, table)
    for table in OWNER_TABLES:
        connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")


def install_rules(connection: Connection, *, delete_right: bool) -> None:
    """The access functions, the triggers and the restrictive policies as this module
    has them, over any earlier ones (an upgrade: migration 0025), the policies of the
    tables there are (an earlier revision's lacks later tables)."""
    schema = _schema(connection)
    connection.exec_driver_sql("DROP FUNCTION IF EXISTS ofcrm_whoami()")  # its columns change
    for statement in access_sql.functions(schema, delete_right):
        _run(connection, statement)
    owner_runs_triggers(connection)
    for name, table, what in _right_policies():
        if connection.exec_driver_sql("SELECT to_regclass(%s)", (table,)).scalar() is None:
            continue
        connection.exec_driver_sql(f"DROP POLICY IF EXISTS {name} ON {table}")
        connection.exec_driver_sql(f"CREATE POLICY {name} ON {table} AS RESTRICTIVE {what}")


def owner_runs_triggers(connection: Connection) -> None:
    """The ``OWNER_TRIGGERS`` there are run as the owner (again, after a migration made
    one anew: a new function runs as the caller)."""
    schema = _schema(connection)
    for function in _owner_triggers(connection):
        connection.exec_driver_sql(
            f"ALTER FUNCTION {function}() SECURITY DEFINER SET search_path = {schema}, pg_temp"
        )


def _owner_triggers(connection: Connection) -> list[str]:
    """The ``OWNER_TRIGGERS`` the schema has."""
    return [name for name in OWNER_TRIGGERS
            if connection.exec_driver_sql("SELECT to_regproc(%s)", (name,)).scalar()]


def uninstall(connection: Connection, tables: list[str]) -> None:
    for name, table, _ in _right_policies():
        connection.exec_driver_sql(f"DROP POLICY IF EXISTS {name} ON {table}")
    for table in tables:
        unprotect(connection, table)
    connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {access_sql.AUDIT_TRIGGER} ON fans")
    connection.exec_driver_sql(
        f"DROP TRIGGER IF EXISTS {access_sql.SENT_TRIGGER} ON outbound_messages")
    for function in _owner_triggers(connection):
        connection.exec_driver_sql(f"ALTER FUNCTION {function}() SECURITY INVOKER RESET ALL")
    for function in access_sql.FUNCTION_NAMES:
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}")
