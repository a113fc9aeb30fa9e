from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from ofcrm_tui.cli.main import main
from ofcrm_tui.core import inbox
from ofcrm_tui.core.accounts import AccountError
from ofcrm_tui.devdata.generate import GenerateError, generate
from ofcrm_tui.core.threads import message_preview
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account, Conversation, Fan, FanTag, Message, Transaction

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


def _snapshot(db: Database, account_id: int) -> dict[str, list[tuple]]:
    """Everything generated for the account, without the database's own ids."""
    with db.read() as session:
        fans = session.execute(
            select(Fan.platform_user_id, Fan.username, Fan.name, Fan.nickname, Fan.subscription_status,
                   Fan.total_spent_cents, Fan.tips_cents, Fan.subscribed_at, Fan.expires_at)
            .where(Fan.account_id == account_id).order_by(Fan.platform_user_id)
        ).all()
        conversations = session.execute(
            select(Fan.platform_user_id, Conversation.unread_count, Conversation.last_message_at,
                   Conversation.last_platform_message_id, Conversation.last_message_preview)
            .join(Fan, Fan.id == Conversation.fan_id)
            .where(Conversation.account_id == account_id).order_by(Fan.platform_user_id)
        ).all()
        messages = session.execute(
            select(Message.platform_message_id, Message.direction, Message.text, Message.price_cents,
                   Message.is_opened, Message.tip_cents, Message.media_ids, Message.created_at)
            .where(Message.account_id == account_id).order_by(Message.platform_message_id)
        ).all()
        tags = session.execute(
            select(Fan.platform_user_id, FanTag.tag_id - select(func.min(FanTag.tag_id))
                   .where(FanTag.account_id == account_id).scalar_subquery())
            .join(Fan, Fan.id == FanTag.fan_id).where(FanTag.account_id == account_id)
            .order_by(Fan.platform_user_id, FanTag.tag_id)
        ).all()
        transactions = session.execute(
            select(Transaction.platform_transaction_id, Transaction.type, Transaction.amount_cents,
                   Transaction.created_at)
            .where(Transaction.account_id == account_id).order_by(Transaction.platform_transaction_id)
        ).all()
    return {
        "fans": [tuple(r) for r in fans],
        "conversations": [tuple(r) for r in conversations],
        "messages": [tuple(r) for r in messages],
        "tags": [tuple(r) for r in tags],
        "transactions": [tuple(r) for r in transactions],
    }


def test_counts_and_consistency(db: Database) -> None:
    report = generate(db, account="gen", fans=200, messages=2_000, seed=3, now=NOW)
    assert (report.fans, report.conversations, report.messages) == (200, 200, 2_000)
    account = report.account_id
    with db.read() as session:
        count = lambda model: session.scalar(  # noqa: E731
            select(func.count()).select_from(model).where(model.account_id == account)
        )
        assert count(Fan) == 200 and count(Conversation) == 200 and count(Message) == 2_000
        assert count(Transaction) == report.transactions > 0
        assert session.scalar(select(func.count(func.distinct(FanTag.fan_id)))) == report.tagged_fans
        fans = {fan.id: fan for fan in session.scalars(select(Fan).where(Fan.account_id == account))}
        conversations = list(session.scalars(select(Conversation).where(Conversation.account_id == account)))
        threads: dict[int, list[Message]] = defaultdict(list)
        for message in session.scalars(
            select(Message).where(Message.account_id == account).order_by(Message.platform_message_id)
        ):
            threads[message.conversation_id].append(message)
        spent = Counter()
        for fan_id, amount in session.execute(
            select(Transaction.fan_id, Transaction.amount_cents).where(Transaction.account_id == account)
        ):
            spent[fan_id] += amount
    sizes = sorted(len(thread) for thread in threads.values())
    assert len(sizes) == 200 and sizes[0] >= 1
    assert sizes[-1] > 10 * (2_000 / 200)  # skewed: a few fans wrote a lot
    assert sum(1 for size in sizes if size <= 5) > 100  # most wrote a little
    unread = 0
    for conversation in conversations:
        thread = threads[conversation.id]
        newest = thread[-1]
        assert [m.created_at for m in thread] == sorted(m.created_at for m in thread)
        assert conversation.last_platform_message_id == newest.platform_message_id
        assert conversation.last_message_at == newest.created_at <= NOW
        assert conversation.last_message_preview == message_preview(
            newest.text, tip_cents=newest.tip_cents, price_cents=newest.price_cents,
            media_count=newest.media_count,
        )
        assert conversation.last_message_direction == newest.direction
        if conversation.unread_count:
            unread += 1
            assert all(m.direction == "in" for m in thread[-conversation.unread_count :])
    assert unread == report.unread_conversations > 0
    assert 0 < report.spenders < 200
    for fan in fans.values():
        parts = fan.tips_cents + fan.messages_cents + fan.subscriptions_cents + fan.posts_cents
        assert fan.total_spent_cents == parts == spent[fan.id]


def test_same_seed_same_data(db: Database) -> None:
    a = generate(db, account="a", fans=60, messages=500, seed=7, now=NOW)
    b = generate(db, account="b", fans=60, messages=500, seed=7, now=NOW)
    c = generate(db, account="c", fans=60, messages=500, seed=8, now=NOW)
    first = _snapshot(db, a.account_id)
    assert first == _snapshot(db, b.account_id)
    other = _snapshot(db, c.account_id)
    assert all(first[key] != other[key] for key in ("fans", "messages", "conversations"))


def test_fewer_messages_than_fans_and_bad_requests(db: Database) -> None:
    few = generate(db, account="few", fans=10, messages=4, seed=1, now=NOW, transactions=False)
    assert (few.conversations, few.messages, few.transactions) == (4, 4, 0)
    none = generate(db, account="none", fans=5, messages=0, seed=1, now=NOW)
    assert (none.conversations, none.messages) == (0, 0)
    assert inbox.count_conversations(db, none.account_id, inbox.InboxFilter()) == 0
    with pytest.raises(GenerateError):
        generate(db, account="few", fans=1, messages=1)
    with pytest.raises(AccountError):
        generate(db, account="bad name!", fans=1, messages=1)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == 2


def test_search_index_is_complete_and_kept_up_afterwards(db: Database) -> None:
    report = generate(db, account="gen", fans=80, messages=800, seed=5, now=NOW, transactions=False)
    account = report.account_id
    with db.read() as session:
        pizza_fans = set(
            session.scalars(
                select(Message.fan_id).where(Message.account_id == account, Message.text.like("%pizza%"))
            )
        )
        sample = session.scalars(select(Fan).where(Fan.account_id == account).order_by(Fan.id)).first()
    found = inbox.conversations_window(db, account, inbox.InboxFilter(query="pizza"), 0, 500)
    assert pizza_fans and {row.fan_id for row in found} >= pizza_fans
    by_name = inbox.conversations_window(db, account, inbox.InboxFilter(query=sample.username), 0, 5)
    assert sample.id in {row.fan_id for row in by_name}
    if db.is_sqlite:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")
            connection.exec_driver_sql("INSERT INTO fans_fts(fans_fts) VALUES ('integrity-check')")
            triggers = set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
        assert {"messages_fts_insert", "fans_fts_insert"} <= triggers
    # Rows written after generation are found too (the triggers are back).
    second = generate(db, account="later", fans=2, messages=3, seed=9, now=NOW, transactions=False)
    with db.write() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.account_id == second.account_id)
        ).first()
        session.add(Message(account_id=second.account_id, conversation_id=conversation.id,
                            fan_id=conversation.fan_id, platform_message_id=1, direction="in",
                            text="xylophone quartet", created_at=NOW))
    hits = inbox.conversations_window(db, second.account_id, inbox.InboxFilter(query="xylophone"), 0, 5)
    assert [row.conversation_id for row in hits] == [conversation.id]


def test_cli_generate(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    url = db.url.render_as_string(hide_password=False)
    argv = ["--db", url, "generate", "--account", "cli", "--fans", "30", "--messages", "120", "--seed", "2"]
    assert main(argv) == 0
    out = capsys.readouterr()
    assert "generated account cli" in out.out and "30 fans" in out.out and "120 messages" in out.out
    assert "fans: 30/30" in out.err
    assert main(argv) == 1
    assert "already exists" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--db", url, "generate", "--fans", "-3"])
