"""The facts ``fans`` keeps by triggers (migration 0021), worked out again from the
transactions, messages and conversations themselves, to compare with what is stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

# fan id -> (PPVs bought, newest message sent to them, their chat's last message)
Facts = dict[int, tuple[Any, ...]]

_TRUTH = text("""
SELECT f.id,
  (SELECT count(*) FROM transactions t
   WHERE t.fan_id = f.id AND t.account_id = f.account_id AND t.type = 'message'),
  (SELECT max(m.created_at) FROM messages m
   WHERE m.fan_id = f.id AND m.account_id = f.account_id AND m.direction = 'out'),
  (SELECT max(c.last_message_at) FROM conversations c
   WHERE c.fan_id = f.id AND c.account_id = f.account_id)
FROM fans f ORDER BY f.id
""")
_STORED = text(
    "SELECT id, ppv_purchases, last_outbound_at, last_chat_at FROM fans ORDER BY id"
)


def truth(connection: Connection) -> Facts:
    return {row[0]: tuple(row[1:]) for row in connection.execute(_TRUTH)}


def stored(connection: Connection) -> Facts:
    return {row[0]: tuple(row[1:]) for row in connection.execute(_STORED)}


def assert_facts_right(connection: Connection) -> Facts:
    """The stored facts are the true ones; returns them."""
    found = stored(connection)
    assert found == truth(connection)
    return found
