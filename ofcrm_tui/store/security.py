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
their ``search_path`` pinned, so a temporary table cannot stand in for the grants.

Full-text and trigram tests (``@@``, ``LIKE``) are not leakproof: under row-level
security PostgreSQL may not use an index for them. ``ofcrm_message_fans`` and
``ofcrm_named_fans`` are the search's index lookups, run as the owner for the
accounts the caller may see; search goes through them under row-level security
(``Database.row_security``).
"""

from __future__ import annotations

from sqlalchemy import Connection

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
_AUDIT_TRIGGER = "ofcrm_audit_fan_deletes"
_SENT_TRIGGER = "ofcrm_sent_stays"


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


def _functions(schema: str, delete_right: bool) -> list[str]:
    """The access functions, their ``search_path`` pinned to ``schema`` (quoted);
    ``delete_right``: ``team_members`` has ``can_delete`` (migration 0025), else no
    chatter holds the delete right."""
    definer = f"SECURITY DEFINER SET search_path = {schema}, pg_temp"
    can_delete = "member.can_delete" if delete_right else "false"
    return [
        # The login role bypasses row-level security here: a superuser, BYPASSRLS, or
        # the tables' owner (or a role that has its privileges).
        f"""
        CREATE OR REPLACE FUNCTION ofcrm_is_manager() RETURNS boolean
        LANGUAGE sql STABLE {definer} AS $$
          SELECT r.rolsuper OR r.rolbypassrls OR pg_has_role(SESSION_USER, c.relowner, 'USAGE')
          FROM pg_catalog.pg_roles r, pg_catalog.pg_class c
          WHERE r.rolname = SESSION_USER AND c.oid = 'accounts'::regclass
        $$""",
        # The accounts the login role may see (``wanted`` NULL) or holds a right on
        # ('export', 'campaign', 'delete' fans; 'settings', an account's own row: never
        # a chatter's): a chatter's grants, every account for a worker (but 'delete':
        # its privileges delete no fan) or a manager, none for anyone else.
        f"""
        CREATE OR REPLACE FUNCTION ofcrm_granted_accounts(wanted text DEFAULT NULL)
        RETURNS bigint[]
        LANGUAGE plpgsql STABLE {definer} AS $$
        DECLARE
          member team_members%ROWTYPE;
        BEGIN
          IF wanted IS NOT NULL
              AND wanted NOT IN ('export', 'campaign', 'delete', 'settings') THEN
            RAISE EXCEPTION 'unknown right %', wanted;
          END IF;
          SELECT * INTO member FROM team_members WHERE role_name = SESSION_USER;
          IF FOUND AND member.kind = 'chatter' THEN
            IF (wanted = 'export' AND NOT member.can_export)
                OR (wanted = 'campaign' AND NOT member.can_campaign)
                OR (wanted = 'delete' AND NOT {can_delete})
                OR wanted = 'settings' THEN
              RETURN '{{}}';
            END IF;
            RETURN ARRAY(SELECT account_id FROM team_grants
                         WHERE role_name = member.role_name ORDER BY account_id);
          END IF;
          IF FOUND AND wanted = 'delete' THEN
            RETURN '{{}}';
          END IF;
          IF FOUND OR ofcrm_is_manager() THEN
            RETURN ARRAY(SELECT id FROM accounts ORDER BY id);
          END IF;
          RETURN '{{}}';
        END $$""",
        # Refuses (insufficient_privilege) unless the login role holds ``wanted`` on
        # ``account``: what the export, campaign and fan delete paths call first.
        f"""
        CREATE OR REPLACE FUNCTION ofcrm_require(wanted text, account bigint) RETURNS void
        LANGUAGE plpgsql VOLATILE {definer} AS $$
        DECLARE
          label text;
          verb text;
        BEGIN
          IF account = ANY (ofcrm_granted_accounts(wanted)) THEN
            RETURN;
          END IF;
          verb := CASE wanted WHEN 'export' THEN 'export from'
                              WHEN 'campaign' THEN 'run campaigns on'
                              WHEN 'delete' THEN 'delete fans of'
                              ELSE 'work on' END;
          IF account = ANY (ofcrm_granted_accounts()) THEN
            SELECT format('account %L', name) INTO label FROM accounts WHERE id = account;
          END IF;
          RAISE EXCEPTION '% may not % %', SESSION_USER, verb,
              coalesce(label, format('account #%s', account))
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'a manager gives rights with ofcrm team add-chatter';
        END $$""",
        # The login role's place on the team, for the app and ``ofcrm team``: the
        # rights it holds as ``ofcrm_granted_accounts`` has them (a worker: export and
        # campaigns, not deleting fans).
        f"""
        CREATE OR REPLACE FUNCTION ofcrm_whoami(
          OUT role_name text, OUT kind text, OUT accounts bigint[],
          OUT can_export boolean, OUT can_campaign boolean, OUT can_delete boolean)
        LANGUAGE plpgsql STABLE {definer} AS $$
        DECLARE
          member team_members%ROWTYPE;
        BEGIN
          role_name := SESSION_USER;
          SELECT * INTO member FROM team_members WHERE team_members.role_name = SESSION_USER;
          IF FOUND THEN
            kind := member.kind;
            can_export := member.can_export OR member.kind = 'worker';
            can_campaign := member.can_campaign OR member.kind = 'worker';
            can_delete := {can_delete} AND member.kind = 'chatter';
          ELSE
            kind := CASE WHEN ofcrm_is_manager() THEN 'manager' ELSE 'none' END;
            can_export := kind = 'manager';
            can_campaign := kind = 'manager';
            can_delete := kind = 'manager';
          END IF;
          accounts := ofcrm_granted_accounts();
        END $$""",
        # The chatters of an account the login role sees (whom a conversation there
        # may be assigned to), by role name.
        f"""
        CREATE OR REPLACE FUNCTION ofcrm_account_chatters(account bigint) RETURNS SETOF text
        LANGUAGE sql STABLE {definer} AS $$
          SELECT g.role_name::text FROM team_grants g JOIN team_members m USING (role_name)
          WHERE g.account_id = account AND m.kind = 'chatter'
            AND account = ANY (ofcrm_granted_accounts())
          ORDER BY 1
        $$""",
        # One line of the audit trail, by the login role, at the database's time.
        f"""
        CREATE OR REPLACE FUNCTION ofcrm_audit(
          action text, account bigint, row_count bigint, detail text) RETURNS void
        LANGUAGE plpgsql VOLATILE {definer} AS $$
        BEGIN
          IF account IS NOT NULL AND NOT account = ANY (ofcrm_granted_accounts()) THEN
            RAISE EXCEPTION '% may not work on account #%', SESSION_USER, account
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          INSERT INTO audit_events (account_id, actor, action, rows, detail, at)
          VALUES (account, SESSION_USER, action, row_count, coalesce(detail, ''), now());
        END $$""",
        # Deleted fans, counted and named per account (``Nick (@user, user 12), ...``, the
        # first 500 characters), whoever deleted them and however (psql too).
        f"""
        CREATE OR REPLACE FUNCTION {_AUDIT_TRIGGER}() RETURNS trigger
        LANGUAGE plpgsql {definer} AS $$
        BEGIN
          INSERT INTO audit_events (account_id, actor, action, rows, detail, at)
          SELECT account_id, SESSION_USER, 'fans_deleted', count(*),
                 left(string_agg(label, ', ' ORDER BY id), 500), now()
          FROM (SELECT account_id, id,
                       coalesce(nullif(nickname, ''), nullif(name, ''), username) || ' (@'
                       || username || coalesce(', user ' || platform_user_id, '') || ')' AS label
                FROM gone) AS named
          GROUP BY account_id;
          RETURN NULL;
        END $$""",
        f"DROP TRIGGER IF EXISTS {_AUDIT_TRIGGER} ON fans",
        f"""
        CREATE TRIGGER {_AUDIT_TRIGGER} AFTER DELETE ON fans
        REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION {_AUDIT_TRIGGER}()
        """,
        # A sent message stays sent, with what was sent (whoever asks: the history).
        f"""
        CREATE OR REPLACE FUNCTION {_SENT_TRIGGER}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.state <> 'sent' OR NEW.text IS DISTINCT FROM OLD.text
              OR NEW.price_cents IS DISTINCT FROM OLD.price_cents
              OR NEW.media_ids::text IS DISTINCT FROM OLD.media_ids::text
              OR NEW.preview_ids::text IS DISTINCT FROM OLD.preview_ids::text THEN
            RAISE EXCEPTION 'message #% was sent: it stays sent, as it was sent', OLD.id
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN NEW;
        END $$""",
        f"DROP TRIGGER IF EXISTS {_SENT_TRIGGER} ON outbound_messages",
        f"""
        CREATE TRIGGER {_SENT_TRIGGER} BEFORE UPDATE ON outbound_messages FOR EACH ROW
        WHEN (OLD.state = 'sent') EXECUTE FUNCTION {_SENT_TRIGGER}()
        """,
        # Search's index lookups (see the module's docstring), planned for the values
        # given (EXECUTE: a generic plan would not know how rare a word is): the fan
        # id, repeated per match, of the account's messages matching a
        # ``to_tsquery('simple', ...)`` (the first ``most`` of them, if given)...
        f"""
        CREATE OR REPLACE FUNCTION ofcrm_message_fans(
          account bigint, query text, most bigint DEFAULT NULL)
        RETURNS TABLE (fan_id bigint)
        LANGUAGE plpgsql STABLE {definer} ROWS 10 AS $$
        BEGIN
          IF NOT account = ANY (ofcrm_granted_accounts()) THEN
            RETURN;
          END IF;
          RETURN QUERY EXECUTE 'SELECT fan_id FROM messages WHERE account_id = $1'
            ' AND to_tsvector(''simple'', messages.text) @@ to_tsquery(''simple'', $2)'
            ' LIMIT $3'
            USING account, query, most;
        END $$""",
        # ...and of the account's fans whose lower-cased names are ``LIKE`` every
        # pattern (one test each, so the trigram index serves them all).
        f"""
        CREATE OR REPLACE FUNCTION ofcrm_named_fans(account bigint, patterns text[])
        RETURNS TABLE (fan_id bigint)
        LANGUAGE plpgsql STABLE {definer} ROWS 10 AS $$
        DECLARE
          tests text := '';
        BEGIN
          IF NOT account = ANY (ofcrm_granted_accounts()) THEN
            RETURN;
          END IF;
          FOR i IN 1 .. coalesce(array_length(patterns, 1), 0) LOOP
            tests := tests || format(
              ' AND lower(username || '' '' || name || '' '' || nickname) LIKE lower($2[%s])', i);
          END LOOP;
          RETURN QUERY EXECUTE 'SELECT id FROM fans WHERE account_id = $1' || tests
            USING account, patterns;
        END $$""",
    ]


_FUNCTION_NAMES = (
    f"{_SENT_TRIGGER}()",
    "ofcrm_named_fans(bigint, text[])",
    "ofcrm_message_fans(bigint, text, bigint)",
    f"{_AUDIT_TRIGGER}()",
    "ofcrm_audit(text, bigint, bigint, text)",
    "ofcrm_whoami()",
    "ofcrm_account_chatters(bigint)",
    "ofcrm_require(text, bigint)",
    "ofcrm_granted_accounts(text)",
    "ofcrm_is_manager()",
)


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
    for statement in _functions(schema, delete_right):
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
    connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {_AUDIT_TRIGGER} ON fans")
    connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {_SENT_TRIGGER} ON outbound_messages")
    for function in _owner_triggers(connection):
        connection.exec_driver_sql(f"ALTER FUNCTION {function}() SECURITY INVOKER RESET ALL")
    for function in _FUNCTION_NAMES:
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}")
