"""A conversation's thread: its pages, the messages still to send and their wait, its
header and the vault."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update

from ofcrm_tui.core import inbox
from ofcrm_tui.devdata.generate import generate
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account, Media, Message, OutboundMessage
from tests.core import inbox_world
from tests.core.inbox_world import NOW, T0, World

world = inbox_world.world


def test_thread_pages_newest_first(db: Database) -> None:
    report = generate(db, account="threads", fans=3, messages=130, seed=4, now=NOW)
    with db.read() as session:
        conversation_id = session.scalars(
            select(Message.conversation_id)
            .where(Message.account_id == report.account_id)
            .group_by(Message.conversation_id)
            .order_by(func.count().desc())
        ).first()
        expected = list(
            session.scalars(
                select(Message.platform_message_id)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.platform_message_id.desc())
            )
        )
    pages, before = [], None
    while True:
        page = inbox.thread_page(db, report.account_id, conversation_id, before_platform_id=before, limit=7)
        if not page:
            break
        assert [m.platform_message_id for m in page] == sorted(
            (m.platform_message_id for m in page), reverse=True
        )
        pages.append(page)
        before = page[-1].platform_message_id
    flat = [m.platform_message_id for page in pages for m in page]
    assert flat == expected
    assert all(len(page) == 7 for page in pages[:-1])
    message = pages[0][0]
    assert message.state == "sent" and message.outbound_id is None and message.message_id
    assert message.direction in ("in", "out") and message.created_at.tzinfo is not None
    assert inbox.thread_page(db, report.account_id, conversation_id, limit=0) == []


def test_pending_in_thread_lists_unsent_outbound_rows(world: World) -> None:
    fan_id = world.fans["alex99"]
    states = ["queued", "sending", "unknown", "failed", "paused", "sent", "cancelled"]
    with world.db.write() as session:
        session.execute(
            insert(OutboundMessage),
            [
                {
                    "account_id": world.account,
                    "fan_id": fan_id,
                    "kind": "reply",
                    "priority": 0,
                    "text": f"msg {state}",
                    "price_cents": 500 if state == "failed" else 0,
                    "media_ids": [1, 2] if state == "failed" else [],
                    "state": state,
                    "last_error": "HTTP 400: bad" if state == "failed" else None,
                    "created_by": "anna",
                    "created_at": T0 + timedelta(minutes=index),
                }
                for index, state in enumerate(states)
            ],
        )
        # Another fan's and another account's rows stay out.
        session.execute(
            insert(OutboundMessage),
            [
                {"account_id": world.account, "fan_id": world.fans["jo"], "kind": "reply",
                 "priority": 0, "text": "for jo", "state": "queued", "created_by": "anna"},
                {"account_id": world.other, "fan_id": world.fans["other:stranger"], "kind": "reply",
                 "priority": 0, "text": "other", "state": "queued", "created_by": "anna"},
            ],
        )
    pending = inbox.pending_in_thread(world.db, world.account, world.conversations["alex99"])
    assert [m.state for m in pending] == ["paused", "failed", "unknown", "sending", "queued"]
    failed = pending[1]
    assert failed.message_id is None and failed.platform_message_id is None
    assert failed.outbound_id is not None and failed.direction == "out"
    assert failed.price_cents == 500 and failed.media_count == 2
    assert failed.last_error == "HTTP 400: bad" and failed.sent_by == "anna"
    assert failed.created_at == T0 + timedelta(minutes=3)


def test_a_queued_message_waits_for_the_rows_the_queue_sends_before_it(world: World) -> None:
    """107 campaign rows queued ahead: a campaign message waits for them and for the
    replies (which jump ahead of campaign rows), at the rate campaigns get; a reply
    waits only for the replies queued before it, at the whole limit."""
    jo, alex = world.fans["jo"], world.fans["alex99"]

    def row(fan_id: int, kind: str, due: datetime, state: str = "queued") -> dict[str, object]:
        return {"account_id": world.account, "fan_id": fan_id, "kind": kind,
                "priority": {"reply": 10, "campaign": 30}[kind], "text": kind, "state": state,
                "created_by": "anna", "created_at": T0, "next_attempt_at": due}

    with world.db.write() as session:
        session.execute(update(Account).where(Account.id == world.account)
                        .values(send_limit_per_minute=12))
        session.execute(insert(OutboundMessage), [row(jo, "campaign", T0)] * 107)
        session.execute(insert(OutboundMessage), [
            row(jo, "reply", T0), row(jo, "reply", T0, state="failed"),
            row(alex, "campaign", T0), row(alex, "reply", T0 + timedelta(seconds=1)),
            row(jo, "campaign", T0, state="paused"),
        ])
        session.execute(insert(OutboundMessage), [
            {**row(world.fans["other:stranger"], "reply", T0), "account_id": world.other}])
    pending = inbox.pending_in_thread(world.db, world.account, world.conversations["alex99"],
                                      reply_reserve=3)
    waits = {m.text: m.queue_wait for m in pending}
    # 107 campaign rows and 2 replies ahead, 12 - 3 = 9 a minute: 13 minutes.
    assert waits == {"campaign": timedelta(minutes=13), "reply": timedelta(minutes=1)}


def test_header_tags_and_vault(world: World) -> None:
    header = inbox.conversation_header(world.db, world.account, world.conversations["tie_b"])
    assert header.tags == ("late-payer", "vip") and header.total_spent_cents == 100
    with world.db.write() as session:
        session.execute(
            insert(Media),
            [
                {"account_id": world.account, "platform_media_id": 77, "type": "photo", "created_at": T0},
                {"account_id": world.account, "platform_media_id": 78, "type": "video",
                 "created_at": T0 + timedelta(days=1)},
                {"account_id": world.other, "platform_media_id": 79, "type": "photo", "created_at": T0},
            ],
        )
    media = inbox.vault_media(world.db, world.account)
    assert [(m.id, m.type) for m in media] == [(78, "video"), (77, "photo")]
