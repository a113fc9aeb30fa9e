"""A message's tries: every attempt it had, manual retries included; tries given back
(a 429, a refused connection) are not counted, as for ``attempts``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from ofcrm_tui.core import outbox
from ofcrm_tui.platform.errors import Unreachable
from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database
from tests.outbox.conftest import TOKEN, World, drain_until_settled
from tests.outbox.scripted import ScriptedClient
from tests.outbox.test_cli import run
from tests.outbox.test_sender import Clock


class RefusingOnce(ScriptedClient):
    """Refuses the connection on the send after ``after`` sends, then goes on with the script."""

    def __init__(self, *args, after: int, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.refuse_at = after

    def send_message(self, user_id: int, text: str, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        if len(self.sends) == self.refuse_at:
            self.sends.append((user_id, "refused"))
            raise Unreachable("POST /chats/{userId}/messages", "127.0.0.1:9", "connection refused")
        return super().send_message(user_id, text, *args, **kwargs)


def _fail_twice_retry_fail_again(world: World) -> int:
    """Two clear failures (given up), a manual retry, a 429 and a refused connection
    (neither counts), then a permanent refusal: 3 tries, 1 attempt since the retry."""
    clock = Clock()
    client = RefusingOnce(world.base_url, TOKEN, ["clear", "clear", "429", "422"], after=3, timeout=2.0)
    sender = world.sender(clock=clock)
    sender.client = client
    outbound_id = outbox.enqueue(world.db, world.account.id, world.fans[0], "again?", created_by="ana", max_attempts=2)
    drain_until_settled(sender, world.db, timeout=10)
    row = world.row(outbound_id)
    assert (row.state, row.attempts, row.tries) == ("failed", 2, 2)

    assert outbox.retry(world.db, world.account.id, [outbound_id], by="bo") == 1
    row = world.row(outbound_id)
    assert (row.state, row.attempts, row.tries) == ("queued", 0, 2)
    sender.drain(max_sends=1)  # 429: the try is given back, the account blocked for 2 s
    assert (world.row(outbound_id).attempts, world.row(outbound_id).tries) == (0, 2)
    clock.offset = timedelta(seconds=3)
    sender.drain(max_sends=1)  # refused: an outage, no try either
    row = world.row(outbound_id)
    assert (row.state, row.attempts, row.tries) == ("queued", 0, 2)
    clock.offset = timedelta(seconds=10)
    drain_until_settled(sender, world.db, timeout=10)
    assert [step for _, step in client.sends] == ["clear", "clear", "429", "refused", "422"]
    return outbound_id


def test_tries_count_every_attempt_across_manual_retries(world: World) -> None:
    outbound_id = _fail_twice_retry_fail_again(world)
    row = world.row(outbound_id)
    assert (row.state, row.attempts, row.tries) == ("failed", 1, 3)
    [view] = outbox.failed(world.db, world.account.id)
    assert (view.id, view.attempts, view.tries) == (outbound_id, 1, 3)
    assert world.sim.ledger() == []


def test_failed_list_shows_the_tries(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    outbound_id = _fail_twice_retry_fail_again(world)
    code, out, _ = run(capsys, world, "failed", "list")
    assert code == 0
    [line] = out.splitlines()
    assert line.startswith(f"#{outbound_id}\t") and "\t3 attempts\t" in line


def test_the_upgrade_starts_tries_from_attempts(database_url: str) -> None:
    db = Database(database_url)
    migrate.upgrade(db, "0017_campaign_indexes")
    now = {"now": datetime(2026, 11, 20, 10, 0, tzinfo=UTC).replace(tzinfo=None)}
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO accounts (id, name, base_url, send_limit_per_minute, created_at)"
            " VALUES (1, 'mia', 'http://x', 10, :now)"), now)
        connection.execute(text(
            "INSERT INTO fans (id, account_id, platform_user_id, username, name, nickname,"
            " subscription_status, subscribe_price_cents, total_spent_cents, tips_cents,"
            " messages_cents, subscriptions_cents, posts_cents, created_at, updated_at)"
            " VALUES (1, 1, 4101, 'u', '', '', 'active', 0, 0, 0, 0, 0, 0, :now, :now)"), now)
        for outbound_id, state, attempts in ((1, "failed", 5), (2, "queued", 0), (3, "sent", 2)):
            connection.execute(text(
                "INSERT INTO outbound_messages (id, account_id, fan_id, kind, priority, text,"
                " price_cents, media_ids, preview_ids, state, attempts, max_attempts,"
                " next_attempt_at, created_by, created_at, updated_at) VALUES (:id, 1, 1,"
                " 'manual', 1, 'x', 0, '[]', '[]', :state, :attempts, 5, :now, 'ana', :now, :now)"),
                {"id": outbound_id, "state": state, "attempts": attempts, **now})
    migrate.upgrade(db, "0018_outbound_tries")
    with db.engine.connect() as connection:
        found = dict(connection.execute(text("SELECT id, tries FROM outbound_messages")).all())
    assert found == {1: 5, 2: 0, 3: 2}
    migrate.downgrade(db, "0017_campaign_indexes")
    with db.engine.connect() as connection:
        assert "tries" not in connection.execute(text("SELECT * FROM outbound_messages")).keys()
    db.dispose()
