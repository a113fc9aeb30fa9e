"""What the migration tests share: the revisions in order, every table's rows, an account
and fans written in plain SQL (any revision has their columns), a table's indexes."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _snapshot(
    db: Database, columns: dict[str, list[str]] | None = None
) -> dict[str, list[tuple]]:
    """Every table's rows; with ``columns``, just those columns (what an earlier
    snapshot held: later revisions may add columns)."""
    with db.engine.connect() as connection:
        names = [n for n in inspect(connection).get_table_names() if "_fts" not in n]
        snapshot = {}
        for name in names:
            if name == "alembic_version" or (columns is not None and name not in columns):
                continue
            picked = ", ".join(columns[name]) if columns is not None else "*"
            rows = connection.execute(text(f"SELECT {picked} FROM {name}")).all()
            snapshot[name] = sorted(tuple(row) for row in rows)
        return snapshot


def _columns(db: Database) -> dict[str, list[str]]:
    with db.engine.connect() as connection:
        inspector = inspect(connection)
        return {
            name: [column["name"] for column in inspector.get_columns(name)]
            for name in inspector.get_table_names()
            if "_fts" not in name and name != "alembic_version"
        }


def _account_and_fan(connection: Connection, *, spent: str) -> None:
    """Account 1 and its fan 1, in plain SQL (the schema of any revision has them);
    ``spent``: the six money columns, from the subscription price on."""
    now = {"now": datetime(2026, 11, 20, 10, 0, tzinfo=UTC).replace(tzinfo=None)}
    connection.execute(
        text(
            "INSERT INTO accounts (id, name, base_url, send_limit_per_minute, created_at) "
            "VALUES (1, 'mia', 'http://x', 10, :now)"
        ),
        now,
    )
    connection.execute(
        text(
            "INSERT INTO fans (id, account_id, platform_user_id, username, name, nickname,"
            " subscription_status, subscribe_price_cents, total_spent_cents, tips_cents,"
            " messages_cents, subscriptions_cents, posts_cents, created_at, updated_at)"
            f" VALUES (1, 1, 4101, 'u4101', 'Alex', '', 'active', {spent}, :now, :now)"
        ),
        now,
    )


def _account_with_fans(connection: Connection, *fans: tuple[int, int, str]) -> None:
    """Account 1 with ``fans`` as (id, platform id, username), in plain SQL (any revision)."""
    connection.execute(text("INSERT INTO accounts (id, name, base_url, send_limit_per_minute,"
                            " created_at) VALUES (1, 'a', 'http://x', 10, '2026-01-01')"))
    _fans(connection, *fans)


def _fans(connection: Connection, *fans: tuple[int, int, str]) -> None:
    """``fans`` of account 1 as (id, platform id, username), in plain SQL (any revision)."""
    for fan_id, user_id, username in fans:
        connection.execute(text(
            "INSERT INTO fans (id, account_id, platform_user_id, username, name, nickname,"
            " subscription_status, subscribe_price_cents, total_spent_cents, tips_cents,"
            " messages_cents, subscriptions_cents, posts_cents, created_at, updated_at)"
            " VALUES (:id, 1, :user_id, :username, '', '', 'active', 0,0,0,0,0,0,"
            " '2026-01-01', '2026-01-01')"), {"id": fan_id, "user_id": user_id, "username": username})


def _indexes(db: Database, table: str) -> set[str]:
    with db.engine.connect() as connection:
        return {ix["name"] for ix in inspect(connection).get_indexes(table)}
