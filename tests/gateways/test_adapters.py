"""The contract suite, run against every skin through its adapter: each gateway's shapes
come back as the contract's models, ids, cents, text and error kinds."""

from __future__ import annotations

import time

import pytest

from ofcrm_tui.platform.errors import (
    ErrorKind,
    Forbidden,
    RateLimited,
    Unauthorized,
)
from ofcrm_tui.platform.pacing import Budget
from ofcrm_tui.platform.text import html_to_text
from ofcrm_tui.simulator import Faults
from ofcrm_tui.simulator.skins import hex_id
from tests.gateways.conftest import make_client, make_sim


def test_who_am_i_is_the_creator(client, sim) -> None:  # noqa: ANN001
    me = client.me()
    assert (me.id, me.username) == (sim.creator.id, sim.creator.username)


def test_subscribers_chats_and_media_come_whole_at_any_page_size(client, sim) -> None:  # noqa: ANN001
    world = sim.world
    for size in (1, 7, 100):
        assert [u.id for u in client.iter_subscribers(page_size=size)] == list(world.fan_ids)
        assert [c.with_user.id for c in client.iter_chats(page_size=size)] == world.recent_chats()
    assert {u.id for u in client.iter_subscribers("expired")} == set(world.expired_ids)
    assert [m.id for m in client.iter_media(page_size=3)] == [m.id for m in world.media][::-1]


def test_a_chat_page_smaller_than_the_gateway_allows_is_trimmed_and_continues(client, sim) -> None:  # noqa: ANN001
    page = client.chats_page(limit=15)  # OnlyFansAPI.com takes 10, 20 or 30
    assert len(page.items) == 15 and page.has_more
    rest = client.chats_page(limit=100, offset=15)
    ids = [c.with_user.id for c in page.items + rest.items]
    assert ids[: len(sim.world.recent_chats())] == sim.world.recent_chats()


def test_messages_walk_back_by_id_without_gaps_or_repeats(client, sim) -> None:  # noqa: ANN001
    fan_id = max(sim.world.chats, key=lambda f: len(sim.world.chats[f].messages))
    expected = [m.id for m in sim.world.chats[fan_id].messages][::-1]
    assert len(expected) > 3
    assert [m.id for m in client.iter_messages(fan_id, page_size=3)] == expected
    cut = expected[2]
    assert [m.id for m in client.iter_messages(fan_id, before_id=cut, page_size=2)] == expected[3:]


def test_money_is_exact_to_the_cent(client, sim) -> None:  # noqa: ANN001
    world = sim.world
    fans = {u.id: u for u in client.iter_subscribers()}
    for fan in world.fans.values():
        sub = fans[fan.id].subscription
        assert sub.total_cents == sum(fan.sums.values())
        assert sub.tips_cents == fan.sums["tip"]
        assert sub.subscribe_price_cents == fan.price
    transactions = list(client.iter_transactions(page_size=9))
    assert len(transactions) == len(world.transactions)
    by_id = {t.id: t for t in transactions}
    for tx in world.transactions:
        key = str(tx.id) if sim.config.skin == "contract" else hex_id(tx.id)
        got = by_id[key]
        assert (got.amount_cents, got.type, got.user.id) == (tx.amount, tx.type, tx.fan_id)
        assert got.net_cents + got.fee_cents == got.amount_cents


def test_sent_text_and_price_come_back_exactly(client, sim) -> None:  # noqa: ANN001
    fan_id = sim.active_fan_ids()[0]
    media = [m.id for m in sim.world.media[:2]]
    text = "Hi <you> & *not markdown* ~x~ #1\nsecond line  "
    sent = client.send_message(fan_id, text, 999, media_ids=media, preview_ids=media[:1])
    (entry,) = sim.ledger()
    assert (entry.price_cents, entry.media_ids, entry.previews) == (999, tuple(media), tuple(media[:1]))
    assert html_to_text(entry.text) == text
    (read,) = client.messages_page(fan_id, limit=1).items
    assert read.id == sent.id and read.text == text and read.price_cents == 999
    client.mark_as_read(fan_id)
    assert sim.world.chats[fan_id].unread == 0


def test_a_send_to_an_expired_fan_is_refused_not_the_account(client, sim) -> None:  # noqa: ANN001
    expired = next(iter(sim.world.expired_ids))
    with pytest.raises(Forbidden) as caught:
        client.send_message(expired, "hello")
    assert caught.value.kind is ErrorKind.PERMANENT


def test_an_expired_session_stops_the_account(client, sim) -> None:  # noqa: ANN001
    sim.revoke()
    with pytest.raises(Unauthorized) as caught:
        client.chats_page()
    assert caught.value.kind is ErrorKind.UNAUTHORIZED


def test_a_wrong_key_stops_the_account(sim) -> None:  # noqa: ANN001
    with make_client(sim, token="wrong-key") as client, pytest.raises(Unauthorized):
        client.me()


def test_a_429_is_rate_limited_with_its_retry_after(client, sim) -> None:  # noqa: ANN001
    sim.set_faults(Faults(rate_429_rate=1.0, retry_after_s=7))
    with pytest.raises(RateLimited) as caught:
        client.me()
    assert caught.value.retry_after == 7


def test_the_contract_limit_is_a_429_too() -> None:
    sim = make_sim("contract", other_limit_per_5min=2)
    with make_client(sim) as client:
        client.me()
        client.me()
        with pytest.raises(RateLimited) as caught:
            client.me()
    assert caught.value.retry_after >= 1


def test_ofauth_pacing_follows_the_advertised_bucket_and_never_earns_a_429() -> None:
    sim = make_sim("ofauth", gateway_rate_per_minute=1200, gateway_burst=3)  # 20 a second
    budget = Budget(100_000, 100_000)  # starts far too generous: the headers correct it
    started = time.monotonic()
    with make_client(sim, budget=budget) as client:
        for _ in range(12):
            client.me()
    assert budget.rate_per_minute == 1200
    # 9 beyond the burst at 20 a second take 0.45 s at least: waited for, or spent on the
    # calls themselves on a loaded machine (which then waits less: it was 0.23 s once).
    assert time.monotonic() - started >= 0.4 and budget.waited_s < 1.0


def test_onlyfansapi_pacing_adopts_the_plan_limit_and_stops_at_zero_remaining() -> None:
    sim = make_sim("onlyfansapi", gateway_rate_per_minute=5)
    budget = Budget(100_000, 100_000)
    waits: list[float] = []
    budget._sleep = waits.append  # record instead of sleeping a minute
    with make_client(sim, budget=budget) as client:
        for _ in range(5):
            client.me()
    assert budget.rate_per_minute == 5 and waits == []
    budget.take()  # a 6th request would wait out the window instead of earning a 429
    assert len(waits) == 1 and waits[0] >= 59


def test_an_ambiguous_send_is_found_by_reading_the_chat(client, sim) -> None:  # noqa: ANN001
    fan_id = sim.active_fan_ids()[1]
    sim.set_faults(Faults(error_5xx_rate=1.0, seed=1))
    with pytest.raises(Exception) as caught:  # noqa: PT011
        while True:  # the roll may fail before storing; go on until one failed after it
            try:
                client.send_message(fan_id, "did it go?", idempotency_key="row-1")
            except Exception as exc:  # noqa: BLE001
                if sim.ledger():
                    raise exc
    assert getattr(caught.value, "kind", None) is ErrorKind.AMBIGUOUS
    sim.set_faults(Faults())
    newest = client.messages_page(fan_id, limit=1).items[0]
    assert newest.text == "did it go?" and len(sim.ledger()) == 1


def test_onlyfansapi_replays_a_repeated_idempotency_key_without_sending() -> None:
    sim = make_sim("onlyfansapi")
    fan_id = sim.active_fan_ids()[0]
    with make_client(sim) as client:
        first = client.send_message(fan_id, "once", idempotency_key="ofcrm-7-1")
        again = client.send_message(fan_id, "once", idempotency_key="ofcrm-7-1")
        other = client.send_message(fan_id, "once", idempotency_key="ofcrm-8-1")
    assert again.id == first.id != other.id
    assert len(sim.ledger()) == 2


def test_onlyfansapi_refuses_prices_it_cannot_take_before_sending() -> None:
    sim = make_sim("onlyfansapi")
    with make_client(sim) as client, pytest.raises(ValueError, match=r"\$3"):
        client.send_message(sim.active_fan_ids()[0], "cheap", 199, media_ids=[sim.world.media[0].id])
    assert sim.ledger() == []


def test_a_paced_full_sync_says_so_in_its_progress() -> None:
    from ofcrm_tui.platform.pacing import report_waits

    sim = make_sim("ofauth", gateway_rate_per_minute=1200, gateway_burst=2)
    heard: list[float] = []
    with make_client(sim, budget=Budget(1200, 2)) as client, report_waits(heard.append):
        for _ in range(5):
            client.me()
    assert len(heard) == 1 and 0 < heard[0] <= 0.1  # waited, said so once (not per request)


@pytest.mark.parametrize("skin", ["contract", "ofauth", "onlyfansapi"])
def test_a_client_opened_without_a_timeout_keeps_the_default_one(skin: str) -> None:
    """None meant "the default" for the contract but "never time out" for the adapters."""
    from ofcrm_tui.platform.client import DEFAULT_TIMEOUT
    from ofcrm_tui.platform.gateway import open_client
    from tests.gateways.conftest import ACCOUNT_ID

    with open_client(skin, "http://sim", "key", gateway_account=ACCOUNT_ID[skin]) as client:
        assert client._http.timeout == DEFAULT_TIMEOUT
