from __future__ import annotations

import threading
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import event, func, select, update

from ofcrm_tui.core.fans import listing, profile
from ofcrm_tui.core.sync import InboundSync
from ofcrm_tui.core.threads import message_preview
from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.simulator import Simulator, SimulatorConfig
from ofcrm_tui.simulator.limits import SlidingWindow
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation, Fan, Media, Message, Transaction
from tests.support.accounts import add_simulated_account
from tests.support.databases import sqlite_url


def _counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Fan, Conversation, Message, Transaction, Media)
        }


class CountingClient(PlatformClient):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.requests: list[str] = []
        self._http.event_hooks["request"].append(lambda request: self.requests.append(request.url.path))


@pytest.fixture
def synced(db: Database, simulator, monkeypatch):  # noqa: ANN001, ANN201
    sim, base_url = simulator
    account = add_simulated_account(db, sim, base_url, monkeypatch)
    client = CountingClient(base_url, sim.config.token)
    report = InboundSync(db, account.id, client).full()
    yield sim, account, client, report
    client.close()


def test_full_sync_brings_everything(db: Database, synced) -> None:  # noqa: ANN001
    sim, account, client, report = synced
    counts = _counts(db)
    assert counts["fans"] == len(sim.fan_ids()) == report.fans
    assert counts["transactions"] == report.transactions > 0
    assert counts["media"] == report.media > 0
    assert counts["conversations"] == report.chats > 0
    assert counts["messages"] == report.messages > 0
    with db.read() as session:
        fan = session.scalars(select(Fan).order_by(Fan.total_spent_cents.desc())).first()
        assert fan.total_spent_cents == (
            fan.tips_cents + fan.messages_cents + fan.subscriptions_cents + fan.posts_cents
        )
        directions = set(session.scalars(select(Message.direction)))
    assert directions == {"in", "out"}


def test_poll_with_nothing_new_is_one_request(db: Database, synced) -> None:  # noqa: ANN001
    sim, account, client, _ = synced
    client.requests.clear()
    report = InboundSync(db, account.id, client).poll()
    assert not report.changed()
    assert client.requests == ["/api2/v2/chats"]


def test_poll_brings_a_new_message_in_a_few_requests(db: Database, synced) -> None:  # noqa: ANN001
    sim, account, client, _ = synced
    fan_id = sim.active_fan_ids()[3]
    sim.add_inbound_message(fan_id, "[bold red]hey[/] <b>you</b> \x1b[31m😀")
    client.requests.clear()
    before = _counts(db)
    report = InboundSync(db, account.id, client).poll()
    assert len(client.requests) == 2
    assert [m.text for m in report.new_inbound] == ["[bold red]hey[/] <b>you</b> \x1b[31m😀"]
    assert _counts(db)["messages"] == before["messages"] + 1
    with db.read() as session:
        conversation = session.scalar(
            select(Conversation).join(Fan).where(Fan.platform_user_id == fan_id)
        )
        assert conversation.last_message_preview.startswith("[bold red]hey[/]")
        assert conversation.unread_count >= 1


def _conversation(db: Database, platform_user_id: int) -> Conversation:
    with db.read() as session:
        return session.scalar(
            select(Conversation).join(Fan).where(Fan.platform_user_id == platform_user_id)
        )


def _last_seen(db: Database, platform_user_id: int) -> datetime | None:
    with db.read() as session:
        return session.scalar(select(Fan.last_seen_at).where(Fan.platform_user_id == platform_user_id))


def test_a_fan_who_writes_was_seen_then(db: Database, synced) -> None:  # noqa: ANN001
    """The inbox's time and the fan's last seen agree at once, not at the next fans
    refresh; a last seen already later stays, and the platform says the same next time."""
    sim, account, client, _ = synced
    stale, later = sim.active_fan_ids()[4:6]
    future = datetime(2999, 1, 1, tzinfo=UTC)
    with db.write() as session:
        session.execute(update(Fan).where(Fan.platform_user_id == stale)
                        .values(last_seen_at=datetime(2001, 1, 1, tzinfo=UTC)))
        session.execute(update(Fan).where(Fan.platform_user_id == later).values(last_seen_at=future))
    wrote = sim.add_inbound_message(stale, "still up?")
    sim.add_inbound_message(later, "hi")
    InboundSync(db, account.id, client).poll()
    with db.read() as session:
        at = session.scalar(select(Message.created_at).where(Message.platform_message_id == wrote))
    assert _last_seen(db, stale) == at
    assert _last_seen(db, later) == future
    platform = {user.id: user.last_seen for user in client.iter_subscribers()}
    assert platform[stale] == at


def test_a_fan_who_pays_was_seen_then(db: Database, synced, monkeypatch) -> None:  # noqa: ANN001
    """A PPV bought or a tip moves the fan's last seen when the transaction is written,
    not at the next fans refresh (15 minutes on); the fan's detail and the fans list's
    Active column read it. A later last seen stays; a subscription renewing moves nothing
(its fan's row is not written: it was, to the same value, and its ``updated_at`` moved)."""
    import ofcrm_tui.core.sync as sync_module

    sim, account, client, _ = synced
    monkeypatch.setattr(sync_module, "TRANSACTIONS_EVERY", sync_module.timedelta(0))
    buyer, tipper, ahead, renewed = sim.active_fan_ids()[6:10]
    old, future = datetime(2001, 1, 1, tzinfo=UTC), datetime(2999, 1, 1, tzinfo=UTC)
    with db.write() as session:
        for user_id, seen in ((buyer, old), (tipper, old), (ahead, future), (renewed, old)):
            session.execute(update(Fan).where(Fan.platform_user_id == user_id).values(last_seen_at=seen))
    with sim.lock:  # money only: no message, and the platform's own last seen unchanged
        bought = sim.world.add_transaction(buyer, "message", 900)
        tipped = sim.world.add_transaction(tipper, "tip", 500)
        sim.world.add_transaction(tipper, "subscription", 999)  # newer, and no sign of the fan
        sim.world.add_transaction(ahead, "tip", 500)
        sim.world.add_transaction(renewed, "subscription", 999)
    written: list[object] = []  # the fan ids the last seen statement is given

    def _record(_conn, _cursor, statement: str, parameters, *_) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith("UPDATE FANS SET LAST_SEEN_AT"):
            written.extend(parameters if isinstance(parameters, list) else [parameters])

    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        InboundSync(db, account.id, client).poll()
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)
    assert len(written) == 3  # buyer, tipper, ahead: no row written for the renewal alone
    with db.read() as session:
        paid = dict(session.execute(select(Transaction.platform_transaction_id, Transaction.created_at)
                                    .where(Transaction.platform_transaction_id.in_([str(bought.id), str(tipped.id)]))).all())
    assert _last_seen(db, buyer) == paid[str(bought.id)]
    assert _last_seen(db, tipper) == paid[str(tipped.id)]
    assert _last_seen(db, ahead) == future
    assert _last_seen(db, renewed) == old
    one = select(Fan.id).where(Fan.account_id == account.id, Fan.platform_user_id == buyer)
    [row] = listing.fans_window(db, account.id, fan_ids=one)  # the Active column
    assert row.last_seen_at == profile.fan_profile(db, account.id, row.fan_id).last_seen_at == paid[str(bought.id)]


def test_new_inbound_names_the_fan_as_the_inbox_list_does(db: Database, synced) -> None:  # noqa: ANN001
    sim, account, client, _ = synced
    nicknamed, plain = sim.active_fan_ids()[:2]
    with db.write() as session:
        session.execute(update(Fan).where(Fan.platform_user_id == nicknamed).values(nickname="timewaster"))
        session.execute(update(Fan).where(Fan.platform_user_id == plain).values(nickname=""))
    sim.add_inbound_message(nicknamed, "are you there")
    sim.add_inbound_message(plain, "hello")
    report = InboundSync(db, account.id, client).poll()
    names = {item.conversation_id: item.fan_name for item in report.new_inbound}
    assert names[_conversation(db, nicknamed).id] == "timewaster"
    assert names[_conversation(db, plain).id] == sim.world.fans[plain].name


def test_a_tip_without_text_is_previewed_as_a_tip(db: Database, synced) -> None:  # noqa: ANN001
    sim, account, client, _ = synced
    fan_id = sim.active_fan_ids()[2]
    sim.add_inbound_message(fan_id, "", tip_cents=1234)
    report = InboundSync(db, account.id, client).poll()
    assert _conversation(db, fan_id).last_message_preview == "Tip $12.34"
    assert [(m.text, m.tip_cents, m.media_count) for m in report.new_inbound] == [("", 1234, 0)]


def test_media_without_text_is_previewed_as_media(db: Database, synced) -> None:  # noqa: ANN001
    sim, account, client, _ = synced
    fan_id = sim.active_fan_ids()[4]
    with sim.lock:
        media = tuple(item.id for item in sim.world.media[:2])
        sim.world.add_message(fan_id, outbound=False, html="", media=media)
    report = InboundSync(db, account.id, client).poll()
    assert _conversation(db, fan_id).last_message_preview == "Media (2)"
    assert [(m.text, m.tip_cents, m.media_count) for m in report.new_inbound] == [("", 0, 2)]


def test_message_preview_says_what_a_message_without_text_is() -> None:
    assert message_preview("") == ""
    assert message_preview(" \n ", tip_cents=1234) == "Tip $12.34"
    assert message_preview("", price_cents=2500, media_count=3) == "PPV $25.00"
    assert message_preview("", media_count=1) == "Media (1)"
    assert message_preview("", tip_cents=123456, media_count=1) == "Tip $1,234.56"
    # Text is previewed exactly as before, whatever else the message holds.
    assert message_preview(" thanks\n  babe ", tip_cents=500) == "thanks babe"
    assert message_preview("unlock me", price_cents=2500, media_count=2) == "unlock me"
    assert message_preview("x" * 300, media_count=1) == "x" * 200


def test_polls_at_once_and_repeated_syncs_leave_no_duplicates(db: Database, synced) -> None:  # noqa: ANN001
    sim, account, client, _ = synced
    for fan_id in sim.active_fan_ids()[:5]:
        sim.add_inbound_message(fan_id, "one more")
    sim.step(3)
    errors: list[BaseException] = []

    def run(full: bool) -> None:
        with PlatformClient(client.base_url, sim.config.token) as own:
            try:
                sync = InboundSync(db, account.id, own)
                sync.full() if full else sync.poll()
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(full,)) for full in (False, True, False, True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    once = _counts(db)
    InboundSync(db, account.id, client).full()
    assert _counts(db) == once


def test_new_transactions_add_to_spend_and_mark_purchases(db: Database, synced, monkeypatch) -> None:  # noqa: ANN001
    import ofcrm_tui.core.sync as sync_module

    sim, account, client, _ = synced
    monkeypatch.setattr(sync_module, "TRANSACTIONS_EVERY", sync_module.timedelta(0))
    before_total, before_bought = _total_spend(db), _bought(db)
    with db.read() as session:
        newest_known = session.scalar(select(func.max(Transaction.platform_transaction_id)))
    sim.step(40)
    report = InboundSync(db, account.id, client).poll()
    assert report.transactions > 0
    with db.read() as session:
        fresh = session.execute(
            select(Transaction.type, Transaction.amount_cents).where(
                Transaction.platform_transaction_id > newest_known
            )
        ).all()
    assert len(fresh) == report.transactions
    assert _total_spend(db) == before_total + sum(amount for _, amount in fresh)
    purchases = sum(1 for kind, _ in fresh if kind == "message")
    assert purchases > 0
    assert _bought(db) == before_bought + purchases


def _bought(db: Database) -> int:
    with db.read() as session:
        return session.scalar(
            select(func.count()).where(Message.price_cents > 0, Message.is_opened.is_(True))
        )


def _total_spend(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.sum(Fan.total_spent_cents)))


def test_rate_limits_are_waited_out_in_a_full_sync(db: Database, monkeypatch) -> None:  # noqa: ANN001
    sim = Simulator(SimulatorConfig(fans=15, seed=3, token="tok", other_limit_per_5min=12))
    waits: list[float] = []
    with sim.serve() as base_url:
        account = add_simulated_account(db, sim, base_url, monkeypatch)
        with PlatformClient(base_url, "tok") as client:

            def fake_sleep(seconds: float) -> None:
                waits.append(seconds)
                sim.other_window = SlidingWindow(12, 300.0)

            InboundSync(db, account.id, client, sleep=fake_sleep).full()
    assert waits
    assert _counts(db)["fans"] == 15


class SmallPagesClient(CountingClient):
    """Pages of at most 20 items: a thousand fans walk as many pages as 5000 in pages of 100."""

    PAGE = 20

    def subscribers_page(self, type="all", limit=100, offset=0):  # noqa: A002, ANN001, ANN201
        return super().subscribers_page(type, min(limit, self.PAGE), offset)

    def chats_page(self, limit=100, offset=0):  # noqa: ANN001, ANN201
        return super().chats_page(min(limit, self.PAGE), offset)

    def transactions_page(self, limit=100, marker=None):  # noqa: ANN001, ANN201
        return super().transactions_page(min(limit, self.PAGE), marker)

    def media_page(self, limit=100, offset=0):  # noqa: ANN001, ANN201
        return super().media_page(min(limit, self.PAGE), offset)


@pytest.mark.slow
@pytest.mark.timeout(120)  # ~6 s alone
def test_a_sync_as_many_pages_deep_as_5000_fans_completes(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """SQLite only: the size is what is tested here, not the backend.

    The walk of 5000 fans in pages of 100, made with 1000 fans in pages of 20: as many
    pages of fans, chats and transactions, fans written in more than one batch of 500,
    and chats long enough to page their messages."""
    db = Database(sqlite_url(tmp_path, migrated=True))
    sim = Simulator(SimulatorConfig(fans=1000, seed=11, token="tok", other_limit_per_5min=10**6))
    assert max(len(chat.messages) for chat in sim.world.chats.values()) > 100
    with sim.serve() as base_url:
        account = add_simulated_account(db, sim, base_url, monkeypatch)
        with SmallPagesClient(base_url, "tok") as client:
            InboundSync(db, account.id, client).full()
            assert _counts(db)["fans"] == 1000
            assert client.requests.count("/api2/v2/subscriptions/subscribers") == 50
            assert client.requests.count("/api2/v2/chats") >= 40
            client.requests.clear()
            InboundSync(db, account.id, client).poll()
    # A full sync slower than a minute (a loaded machine) makes the timed refreshes of
    # transactions and fans due; what is tested is that the chats walk stops at once.
    chats = [path for path in client.requests if "transactions" not in path and "subscribers" not in path]
    assert chats == ["/api2/v2/chats"]


def test_unreachable_server_is_a_clear_error(db: Database, monkeypatch) -> None:  # noqa: ANN001
    from ofcrm_tui.platform.errors import Unreachable

    with pytest.raises(Unreachable, match="unreachable"):
        with PlatformClient("http://127.0.0.1:9", "tok", timeout=httpx.Timeout(2.0)) as client:
            client.me()


def test_a_fan_made_by_hand_is_linked_by_username_and_keeps_notes(
    db: Database, simulator, monkeypatch  # noqa: ANN001
) -> None:
    from ofcrm_tui.core.fans.edits import add_note, create_fan

    sim, base_url = simulator
    account = add_simulated_account(db, sim, base_url, monkeypatch)
    platform_fan = sim.world.fans[next(i for i, chat in sim.world.chats.items() if chat.messages)]
    fan_id = create_fan(db, account.id, username=platform_fan.username.upper())
    add_note(db, account.id, fan_id, "met at the meetup", author="sam")
    with PlatformClient(base_url, sim.config.token) as client:
        InboundSync(db, account.id, client).full()
    with db.read() as session:
        twins = session.execute(
            select(Fan.id, Fan.platform_user_id).where(
                Fan.account_id == account.id,
                func.lower(Fan.username) == platform_fan.username.lower(),
            )
        ).all()
    assert twins == [(fan_id, platform_fan.id)]
    assert _conversation(db, platform_fan.id).fan_id == fan_id


def test_a_fans_refresh_never_moves_last_seen_back_nor_clears_it(db: Database, synced) -> None:  # noqa: ANN001
    """A fan who wrote was seen then: the platform's last seen, older or none, leaves it
    as it is; a later one moves it on."""
    sim, account, client, _ = synced
    older, none, later = sim.active_fan_ids()[6:9]
    for user in (older, none, later):
        sim.add_inbound_message(user, "hello")
    InboundSync(db, account.id, client).poll()
    wrote = {user: _last_seen(db, user) for user in (older, none, later)}
    ahead = datetime(2999, 1, 1, tzinfo=UTC)
    with sim.lock:
        sim.world.fans[older].last_seen = datetime(2001, 1, 1, tzinfo=UTC).timestamp()
        sim.world.fans[none].last_seen = None
        sim.world.fans[later].last_seen = ahead.timestamp()
    InboundSync(db, account.id, client).full()
    assert _last_seen(db, older) == wrote[older] is not None
    assert _last_seen(db, none) == wrote[none] is not None
    assert _last_seen(db, later) == ahead
