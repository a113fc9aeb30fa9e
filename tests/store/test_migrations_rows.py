"""Migrations that change the rows they find, up and down: draft previews (0006),
transaction ids as text (0009), the inbox order (0011), fan tags without rowid (0022),
platform nicknames (0024), fan days (0029)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, inspect, select, text

from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation, Fan
from ofcrm_tui.store.models import Draft as DraftRow
from tests.store.migrating import _account_and_fan, _columns, _indexes, _revisions, _snapshot


def _drafts_table(db: Database) -> dict[str, object]:
    with db.engine.connect() as connection:
        found = inspect(connection)
        return {
            "columns": [(c["name"], c["nullable"]) for c in found.get_columns("drafts")],
            "indexes": sorted((ix["name"], tuple(ix["column_names"]))
                              for ix in found.get_indexes("drafts")),
            "unique": sorted((uq["name"], tuple(uq["column_names"]))
                             for uq in found.get_unique_constraints("drafts")),
            "foreign_keys": sorted((fk["name"], tuple(fk["constrained_columns"]))
                                   for fk in found.get_foreign_keys("drafts")),
        }


def test_draft_previews_upgrade_fills_in_none_and_downgrade_restores_the_table(
    database_url: str,
) -> None:
    db = Database(database_url)
    migrate.upgrade(db, "0005_inbox_indexes")
    now = datetime(2026, 11, 20, 10, 0, tzinfo=UTC).replace(tzinfo=None)
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 0, 0, 0, 0, 0")
        connection.execute(
            text(
                "INSERT INTO conversations (id, account_id, fan_id, unread_count,"
                " last_message_preview) VALUES (1, 1, 1, 0, '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO drafts (id, account_id, conversation_id, text, price_cents,"
                " media_ids, updated_at) VALUES (1, 1, 1, 'unlock', 1500,"
                " '[7000001, 7000002]', :now)"
            ),
            {"now": now},
        )
    before = _drafts_table(db)

    migrate.upgrade(db)
    assert ("preview_ids", False) in _drafts_table(db)["columns"]
    with db.engine.connect() as connection:
        row = connection.execute(
            select(DraftRow.text, DraftRow.media_ids, DraftRow.preview_ids)
        ).one()
    assert tuple(row) == ("unlock", [7000001, 7000002], [])

    migrate.downgrade(db, "0005_inbox_indexes")
    assert migrate.current_revision(db) == "0005_inbox_indexes"
    assert _drafts_table(db) == before
    with db.engine.connect() as connection:
        assert connection.execute(
            text("SELECT text, price_cents FROM drafts WHERE id = 1")
        ).one() == ("unlock", 1500)

    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.HEAD
    db.dispose()


def _transaction(connection: Connection, row_id: int, platform_id: object) -> None:
    connection.execute(
        text(
            "INSERT INTO transactions (id, account_id, platform_transaction_id, fan_id,"
            " platform_user_id, type, amount_cents, net_cents, fee_cents, currency,"
            " description, status, created_at)"
            " VALUES (:id, 1, :pid, 1, 4101, 'tip', 500, 400, 100, 'USD', '', 'done', :now)"
        ),
        {"id": row_id, "pid": platform_id, "now": datetime(2026, 11, 20, 10, 0)},
    )


def _transaction_ids(db: Database) -> list[object]:
    with db.engine.connect() as connection:
        return list(
            connection.execute(
                text("SELECT platform_transaction_id FROM transactions ORDER BY id")
            ).scalars()
        )


def test_gateways_follow_fans_by_hand_and_make_transaction_ids_text(database_url: str) -> None:
    """0009 (gateways) comes after 0008 (fans by hand): transaction ids become text, the
    contract's numbers keeping their digits; going back refuses while a text id exists."""
    revisions = _revisions()
    assert revisions[revisions.index("0008_fans_by_hand") + 1] == "0009_gateways"
    db = Database(database_url)
    migrate.upgrade(db, "0008_fans_by_hand")
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 0, 0, 0, 0, 0")
        _transaction(connection, 1, 900000001)
    migrate.upgrade(db)
    assert _transaction_ids(db) == ["900000001"]
    with db.engine.begin() as connection:
        _transaction(connection, 2, "a1b2c3")
        gateway = connection.execute(text("SELECT gateway FROM accounts")).scalar()
    assert gateway == "contract"
    with pytest.raises(OfcrmError, match="text ids"):
        migrate.downgrade(db, "0008_fans_by_hand")
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM transactions WHERE id = 2"))
    migrate.downgrade(db, "0008_fans_by_hand")
    assert _transaction_ids(db) == [900000001]
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.HEAD


def test_inbox_order_backfills_the_fans_last_message(database_url: str) -> None:
    """0011: the fan's newest message, else the conversation's first; none: NULL."""
    db = Database(database_url)
    migrate.upgrade(db, "0010_analytics_indexes")
    at = [datetime(2026, 11, 20, h, 0, tzinfo=UTC).replace(tzinfo=None) for h in range(8)]
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 0, 0, 0, 0, 0")
        for fan_id, user_id in ((2, 4102), (3, 4103)):
            connection.execute(text(
                "INSERT INTO fans (id, account_id, platform_user_id, username, name, nickname,"
                " subscription_status, subscribe_price_cents, total_spent_cents, tips_cents,"
                " messages_cents, subscriptions_cents, posts_cents, created_at, updated_at)"
                f" VALUES ({fan_id}, 1, {user_id}, 'u', '', '', 'active', 0, 0, 0, 0, 0, 0,"
                " :now, :now)"), {"now": at[0]})
        for conversation_id, last in ((1, at[7]), (2, at[5]), (3, None)):
            connection.execute(text(
                "INSERT INTO conversations (id, account_id, fan_id, unread_count,"
                " last_message_preview, last_message_at) VALUES (:id, 1, :id, 0, '', :last)"),
                {"id": conversation_id, "last": last})
        # 1: the fan at 2 and 4, the chatter last at 7; 2: the chatter only, at 3 and 5.
        for mid, conversation_id, direction, when in (
            (1, 1, "in", at[2]), (2, 1, "in", at[4]), (3, 1, "out", at[7]),
            (4, 2, "out", at[3]), (5, 2, "out", at[5]),
        ):
            connection.execute(text(
                "INSERT INTO messages (id, account_id, conversation_id, fan_id,"
                " platform_message_id, direction, text, price_cents, is_opened, is_tip,"
                " tip_cents, media_count, media_ids, created_at) VALUES (:mid, 1, :c, :c, :mid,"
                " :d, 'x', 0, false, false, 0, 0, '[]', :at)"),
                {"mid": mid, "c": conversation_id, "d": direction, "at": when})
    migrate.upgrade(db, "0011_inbox_order")
    with db.engine.connect() as connection:
        found = dict(connection.execute(
            select(Conversation.id, Conversation.last_fan_message_at)).all())
    expected = {1: at[4], 2: at[3], 3: None}
    assert {k: v and v.replace(tzinfo=None) for k, v in found.items()} == expected
    assert {"ix_conversations_fan_order", "ix_conversations_fan_unread"} <= _indexes(
        db, "conversations")
    migrate.downgrade(db, "0010_analytics_indexes")
    assert "last_fan_message_at" not in {
        c["name"] for c in inspect(db.engine).get_columns("conversations")}
    db.dispose()


def test_fan_tags_lose_their_rowid_on_sqlite_and_keep_their_rows(database_url: str) -> None:
    """0022: on SQLite ``fan_tags`` is made again WITHOUT ROWID (and back), rows and
    indexes kept; PostgreSQL's table is left as it is."""
    db = Database(database_url)
    migrate.upgrade(db, "0021_fan_facts")
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 0, 0, 0, 0, 0")
        connection.execute(text(
            "INSERT INTO tags (id, account_id, name, color) VALUES (1, 1, 'vip', ''), (2, 1, 'new', '')"))
        connection.execute(text(
            "INSERT INTO fan_tags (fan_id, tag_id, account_id) VALUES (1, 2, 1), (1, 1, 1)"))
    before, indexes = _snapshot(db), _indexes(db, "fan_tags")
    sqlite = db.is_sqlite

    def without_rowid() -> bool:
        with db.engine.connect() as connection:
            return bool(sqlite and connection.exec_driver_sql(
                "SELECT sql LIKE '%WITHOUT ROWID' FROM sqlite_master WHERE name = 'fan_tags'").scalar())

    assert not without_rowid()
    migrate.upgrade(db)
    assert without_rowid() == sqlite
    assert (_snapshot(db, _columns(db))["fan_tags"], _indexes(db, "fan_tags")) == (before["fan_tags"], indexes)
    migrate.downgrade(db, "0021_fan_facts")
    assert not without_rowid()
    assert (_snapshot(db), _indexes(db, "fan_tags")) == (before, indexes)
    migrate.upgrade(db)
    assert without_rowid() == sqlite
    with db.engine.begin() as connection:  # the fan's links go with it
        connection.execute(text("DELETE FROM fans WHERE id = 1"))
        assert connection.execute(text("SELECT count(*) FROM fan_tags")).scalar() == 0
    db.dispose()


def test_platform_nicknames_start_as_the_synced_fans_nicknames(database_url: str) -> None:
    """0024: a synced fan's nickname was the platform's as of the last refresh; an
    empty one and a fan made by hand stay NULL (the platform has not named them)."""
    db = Database(database_url)
    migrate.upgrade(db, "0023_message_prefixes")
    now = {"now": datetime(2026, 11, 20, 10, 0, tzinfo=UTC).replace(tzinfo=None)}
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 0, 0, 0, 0, 0")
        for fan_id, user_id, nickname in ((2, "4102", "Babe"), (3, "NULL", "Bob")):
            connection.execute(text(
                "INSERT INTO fans (id, account_id, platform_user_id, username, name, nickname,"
                " subscription_status, subscribe_price_cents, total_spent_cents, tips_cents,"
                " messages_cents, subscriptions_cents, posts_cents, created_at, updated_at)"
                f" VALUES ({fan_id}, 1, {user_id}, 'u{fan_id}', '', '{nickname}', 'active',"
                " 0, 0, 0, 0, 0, 0, :now, :now)"), now)
    before = _snapshot(db)
    migrate.upgrade(db, "0024_platform_nicknames")
    with db.engine.connect() as connection:
        found = dict(connection.execute(select(Fan.id, Fan.platform_nickname)).all())
    assert found == {1: None, 2: "Babe", 3: None}
    migrate.downgrade(db, "0023_message_prefixes")
    assert _snapshot(db) == before
    db.dispose()


def test_fan_days_leave_fans_with_no_subscription_data_out_and_back(database_url: str) -> None:
    """0029: ``analytics_fan_days`` keeps a fan with no platform id under status '' (filled
    in again from the fans), its trigger follows a sync finding the fan, and on
    PostgreSQL still runs as the owner; the downgrade gives 0016's rows back."""
    db = Database(database_url)
    migrate.upgrade(db)
    now = {"now": datetime(2026, 11, 20, 10, 0, tzinfo=UTC).replace(tzinfo=None)}
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 500, 0, 0, 0, 0")
        connection.execute(text(
            "INSERT INTO fans (id, account_id, platform_user_id, username, name, nickname,"
            " subscription_status, subscribe_price_cents, total_spent_cents, tips_cents,"
            " messages_cents, subscriptions_cents, posts_cents, created_at, updated_at)"
            " VALUES (2, 1, NULL, 'byhand', '', '', 'active', 0, 70, 0, 0, 0, 0, :now, :now)"), now)
    day = 20_777  # 2026-11-20
    apart = [(day, "", 1, 70), (day, "active", 1, 500)]

    def fan_days() -> list[tuple]:
        with db.engine.connect() as connection:
            return sorted(tuple(row) for row in connection.exec_driver_sql(
                "SELECT day, status, fans, spent_cents FROM analytics_fan_days WHERE fans != 0"))

    assert fan_days() == apart
    migrate.downgrade(db, "0026_campaign_messages")
    assert fan_days() == [(day, "active", 2, 570)]  # as 0016 counted them
    before = _snapshot(db)
    migrate.upgrade(db)
    assert fan_days() == apart
    with db.engine.begin() as connection:  # a sync finds the fan on the platform
        connection.execute(text("UPDATE fans SET platform_user_id = 4102 WHERE id = 2"))
    assert fan_days() == [(day, "active", 2, 570)]
    if not db.is_sqlite:
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql(
                "SELECT prosecdef FROM pg_proc WHERE oid = 'analytics_fans()'::regprocedure"
            ).scalar()
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE fans SET platform_user_id = NULL WHERE id = 2"))
    assert fan_days() == apart
    migrate.downgrade(db, "0026_campaign_messages")
    assert _snapshot(db) == before
    db.dispose()
