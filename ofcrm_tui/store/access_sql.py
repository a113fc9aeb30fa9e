"""The access functions and triggers of a team database (PostgreSQL), as SQL: who is
asking (``ofcrm_whoami``, ``ofcrm_is_manager``), the accounts it may see or holds a right
on (``ofcrm_granted_accounts``, ``ofcrm_require``), the audit trail, the search's index
lookups, a sent message kept as sent. ``security`` installs them; every one is
``SECURITY DEFINER`` with its ``search_path`` pinned (see there)."""

from __future__ import annotations

AUDIT_TRIGGER = "ofcrm_audit_fan_deletes"
SENT_TRIGGER = "ofcrm_sent_stays"


def functions(schema: str, delete_right: bool) -> list[str]:
    """The access functions, their ``search_path`` pinned to ``schema`` (quoted);
    ``delete_right``: ``team_members`` has ``can_delete`` (migration 0025), else no
    chatter holds the delete right."""
    definer = _definer(schema)
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
        CREATE OR REPLACE FUNCTION {AUDIT_TRIGGER}() RETURNS trigger
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
        f"DROP TRIGGER IF EXISTS {AUDIT_TRIGGER} ON fans",
        f"""
        CREATE TRIGGER {AUDIT_TRIGGER} AFTER DELETE ON fans
        REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION {AUDIT_TRIGGER}()
        """,
        # A sent message stays sent, with what was sent (whoever asks: the history).
        f"""
        CREATE OR REPLACE FUNCTION {SENT_TRIGGER}() RETURNS trigger
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
        f"DROP TRIGGER IF EXISTS {SENT_TRIGGER} ON outbound_messages",
        f"""
        CREATE TRIGGER {SENT_TRIGGER} BEFORE UPDATE ON outbound_messages FOR EACH ROW
        WHEN (OLD.state = 'sent') EXECUTE FUNCTION {SENT_TRIGGER}()
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
        # ...and of the account's fans whose folded names are ``LIKE`` every pattern.
        named_fans(schema, NAMES_LIKE),
    ]


# A fan's folded names (``store/fold``, migration 0040) ``LIKE`` the ``%s``-th pattern
# folded: one test each, so the trigram index serves them all.
NAMES_LIKE = "search_names LIKE ofcrm_fold($2[%s])"


def named_fans(schema: str, names_like: str) -> str:
    """``ofcrm_named_fans``, testing each pattern with ``names_like`` (SQL, ``%s`` the
    pattern's index)."""
    test = names_like.replace("'", "''")
    return f"""
        CREATE OR REPLACE FUNCTION ofcrm_named_fans(account bigint, patterns text[])
        RETURNS TABLE (fan_id bigint)
        LANGUAGE plpgsql STABLE {_definer(schema)} ROWS 10 AS $$
        DECLARE
          tests text := '';
        BEGIN
          IF NOT account = ANY (ofcrm_granted_accounts()) THEN
            RETURN;
          END IF;
          FOR i IN 1 .. coalesce(array_length(patterns, 1), 0) LOOP
            tests := tests || format(' AND {test}', i);
          END LOOP;
          RETURN QUERY EXECUTE 'SELECT id FROM fans WHERE account_id = $1' || tests
            USING account, patterns;
        END $$"""


def _definer(schema: str) -> str:
    return f"SECURITY DEFINER SET search_path = {schema}, pg_temp"


FUNCTION_NAMES = (
    f"{SENT_TRIGGER}()",
    "ofcrm_named_fans(bigint, text[])",
    "ofcrm_message_fans(bigint, text, bigint)",
    f"{AUDIT_TRIGGER}()",
    "ofcrm_audit(text, bigint, bigint, text)",
    "ofcrm_whoami()",
    "ofcrm_account_chatters(bigint)",
    "ofcrm_require(text, bigint)",
    "ofcrm_granted_accounts(text)",
    "ofcrm_is_manager()",
)
