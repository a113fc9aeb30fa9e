"""The list rows know a fan's failed message: the newest one, whether it came after the
conversation's last message, until it is retried or discarded; read without another
account's rows and through the outbound index on fans."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from ofcrm_tui.core import inbox, outbox
from ofcrm_tui.core.inbox import ConversationRow, InboxFilter
from ofcrm_tui.store import diagnostics
from ofcrm_tui.store.models import OutboundMessage
from tests.core import inbox_world
from tests.core.inbox_world import T0, World

world = inbox_world.world

LAST = T0 + timedelta(days=9)  # moonlight_rider's last message


def _failed(world: World, fan: str, text: str, at: timedelta, *, account: int | None = None) -> int:
    """A message to ``fan`` written at ``T0 + at`` that failed."""
    account_id = world.account if account is None else account
    outbound_id = outbox.enqueue(world.db, account_id, world.fans[fan], text,
                                 created_by="sam", now=T0 + at)
    with world.db.write() as session:
        session.execute(update(OutboundMessage).where(OutboundMessage.id == outbound_id)
                        .values(state="failed", last_error="500: try later"))
    return outbound_id


def _rows(world: World, account: int | None = None) -> dict[str, ConversationRow]:
    found = inbox.conversations_window(
        world.db, world.account if account is None else account, InboxFilter(), 0, 50)
    return {row.username: row for row in found}


def test_a_failed_message_after_the_last_one_stands_in_its_place(world: World) -> None:
    _failed(world, "moonlight_rider", "first try", timedelta(days=9, hours=1))
    _failed(world, "moonlight_rider", "second  try\nagain", timedelta(days=9, hours=2))
    moon = _rows(world)["moonlight_rider"]
    assert moon.failed is not None and moon.failed_last
    # The newest, previewed as a sent one is (one line), with who wrote it.
    assert (moon.failed.preview, moon.failed.created_by) == ("second try again", "sam")
    assert moon.preview == "Do you like pineapple pizza?"  # the summary is untouched
    assert inbox.conversation_header(
        world.db, world.account, world.conversations["moonlight_rider"]) == moon
    assert all(row.failed is None for name, row in _rows(world).items() if name != "moonlight_rider")
    # The other account's look-alike fan is not marked (nor is this one by its messages).
    assert _rows(world, world.other)["moonlight_rider"].failed is None


def test_a_failed_message_before_the_last_one_marks_the_row_only(world: World) -> None:
    _failed(world, "moonlight_rider", "sent too early", timedelta(days=5))
    moon = _rows(world)["moonlight_rider"]
    assert moon.failed is not None and moon.failed.created_at < LAST
    assert not moon.failed_last


def test_the_mark_goes_when_the_message_is_retried_or_discarded(world: World) -> None:
    retried = _failed(world, "moonlight_rider", "again?", timedelta(days=10))
    assert _rows(world)["moonlight_rider"].failed is not None
    assert outbox.retry(world.db, world.account, [retried], by="sam", now=T0 + timedelta(days=10)) == 1
    assert _rows(world)["moonlight_rider"].failed is None  # queued again
    discarded = _failed(world, "tie_a", "bye", timedelta(days=10))
    assert _rows(world)["tie_a"].failed is not None
    assert outbox.discard(world.db, world.account, [discarded]) == 1
    assert _rows(world)["tie_a"].failed is None


def test_failed_messages_are_read_by_the_fans_of_the_rows(world: World) -> None:
    """The window's own query is unchanged; the failed messages are one more, through
    the index of the failed rows by fan (never the account's whole queue, nor every
    message the fans were ever sent)."""
    _failed(world, "moonlight_rider", "again?", timedelta(days=10))
    with diagnostics.captured_sql(world.db) as statements:
        inbox.conversations_window(world.db, world.account, InboxFilter(), 0, 50)
    reads = [s for s in statements if "FROM outbound_messages" in s[0]]
    assert len(reads) == 1 and "outbound_messages" not in statements[0][0], statements
    if world.db.is_sqlite:
        plan = diagnostics.query_plan(world.db, *reads[0])
        assert any("ix_outbound_failed_fan" in line for line in plan), plan
        assert not any(line.startswith("SCAN") for line in plan), plan
