"""0008: fans created by hand have no platform id; nothing else changes."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database

_FAN = (
    "INSERT INTO fans (id, account_id, platform_user_id, username, name, nickname,"
    " subscription_status, subscribe_price_cents, total_spent_cents, tips_cents,"
    " messages_cents, subscriptions_cents, posts_cents, created_at, updated_at)"
    " VALUES (:id, 1, :pid, :username, 'Sam', '', 'active', 0, 0, 0, 0, 0, 0,"
    " '2026-01-01', '2026-01-01')"
)


def _rows(db: Database) -> dict[str, list[tuple]]:
    with db.engine.connect() as connection:
        return {
            table: sorted(tuple(r) for r in connection.execute(text(f"SELECT * FROM {table}")))
            for table in ("fans", "conversations", "notes", "tags", "fan_tags", "messages")
        }


def test_upgrade_keeps_related_rows_and_allows_fans_without_platform_id(database_url: str) -> None:
    db = Database(database_url)
    migrate.upgrade(db, "0007_name_substrings")
    with db.engine.begin() as c:
        c.execute(text("INSERT INTO accounts (id, name, base_url, send_limit_per_minute,"
                       " created_at) VALUES (1, 'a', 'http://x', 10, '2026-01-01')"))
        c.execute(text(_FAN), {"id": 1, "pid": 41, "username": "moonlight_rider"})
        c.execute(text("INSERT INTO conversations (id, account_id, fan_id, unread_count,"
                       " last_message_preview) VALUES (1, 1, 1, 0, '')"))
        c.execute(text("INSERT INTO messages (id, account_id, conversation_id, fan_id,"
                       " platform_message_id, direction, text, price_cents, is_opened, is_tip,"
                       " tip_cents, media_count, media_ids, created_at)"
                       " VALUES (1, 1, 1, 1, 9, 'in', 'hello there', 0, false, false, 0, 0,"
                       " '[]', '2026-01-01')"))
        c.execute(text("INSERT INTO notes (id, account_id, fan_id, author, body, created_at,"
                       " updated_at) VALUES (1, 1, 1, 'ann', 'likes cats', '2026-01-01',"
                       " '2026-01-01')"))
        c.execute(text("INSERT INTO tags (id, account_id, name, color) VALUES (1, 1, 'vip', '')"))
        c.execute(text("INSERT INTO fan_tags (fan_id, tag_id, account_id) VALUES (1, 1, 1)"))
    before = _rows(db)
    # Through 0009: later revisions add columns (0011: conversations.last_fan_message_at).
    migrate.upgrade(db, "0009_gateways")
    assert _rows(db) == before
    migrate.upgrade(db)
    with db.engine.connect() as c:
        column = next(col for col in inspect(c).get_columns("fans")
                      if col["name"] == "platform_user_id")
    assert column["nullable"] is True
    with db.engine.begin() as c:
        c.execute(text(_FAN), {"id": 2, "pid": None, "username": "by_hand_one"})
        c.execute(text(_FAN), {"id": 3, "pid": None, "username": "by_hand_two"})
        if db.is_sqlite:  # the FTS5 triggers of 0002 still follow the table
            hits = c.execute(text("SELECT rowid FROM fans_fts WHERE fans_fts MATCH '\"hand_two\"'"))
            assert hits.all() == [(3,)]
    with pytest.raises(IntegrityError), db.engine.begin() as c:
        c.execute(text(_FAN), {"id": 4, "pid": 41, "username": "same_platform_id"})
    db.dispose()


def test_downgrade_refuses_while_fans_by_hand_exist(database_url: str) -> None:
    db = Database(database_url)
    migrate.upgrade(db)
    with db.engine.begin() as c:
        c.execute(text("INSERT INTO accounts (id, name, base_url, send_limit_per_minute,"
                       " created_at) VALUES (1, 'a', 'http://x', 10, '2026-01-01')"))
        c.execute(text(_FAN), {"id": 1, "pid": 41, "username": "platform_fan"})
        c.execute(text(_FAN), {"id": 2, "pid": None, "username": "by_hand"})
    with pytest.raises(OfcrmError, match="1 fans were created by hand"):
        migrate.downgrade(db, "0007_name_substrings")
    with db.engine.begin() as c:
        c.execute(text("DELETE FROM fans WHERE id = 2"))
    migrate.downgrade(db, "0007_name_substrings")
    with db.engine.connect() as c:
        column = next(col for col in inspect(c).get_columns("fans")
                      if col["name"] == "platform_user_id")
    assert column["nullable"] is False
    with pytest.raises(IntegrityError), db.engine.begin() as c:
        c.execute(text(_FAN), {"id": 3, "pid": None, "username": "by_hand"})
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.HEAD
    db.dispose()
