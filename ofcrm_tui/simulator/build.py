"""Deterministic generation of a world: same seed, same anchor time -> same world.

History covers the 90 days before the anchor. Every fan's spending sums are exactly
the sums of that fan's transactions (streams count under ``postsSumm``), every PPV
purchase and tip in a chat has its transaction, and ids grow with time.
"""

from __future__ import annotations

import random
from operator import attrgetter

from ofcrm_tui.platform.text import text_to_html
from ofcrm_tui.simulator import texts
from ofcrm_tui.simulator.world import Chat, Creator, Fan, Media, Message, Transaction, World

DAY = 86_400
PERIOD = 30 * DAY
HISTORY = 90 * DAY

SUB_PRICES = (0, 499, 999, 999, 1499, 1999)
PPV_PRICES = (500, 999, 1499, 1999, 2500, 4999)
TIPS = (500, 1000, 2000, 2500, 5000, 10000)
POST_PRICES = (499, 999, 1500, 2000)
STREAM_PRICES = (500, 1000, 2500)

_FAN_HTML = tuple(text_to_html(t) for t in texts.FAN_TEXTS)
_CREATOR_HTML = tuple(text_to_html(t) for t in texts.CREATOR_TEXTS)
_PPV_HTML = tuple(text_to_html(t) for t in texts.PPV_TEXTS)
_TIP_HTML = tuple(text_to_html(t) for t in texts.TIP_NOTES)
_WELCOME_HTML = text_to_html(texts.WELCOME_TEXT)


def fan_html(rng: random.Random) -> str:
    return _FAN_HTML[rng.randrange(len(_FAN_HTML))]


def tip_html(rng: random.Random) -> str:
    return _TIP_HTML[rng.randrange(len(_TIP_HTML))]


def build_world(seed: int, fan_count: int, anchor: int) -> World:
    """A creator with ``fan_count`` fans whose history ends at ``anchor`` (POSIX seconds)."""
    rng = random.Random(seed)
    username, name = texts.CREATORS[seed % len(texts.CREATORS)]
    creator = Creator(1_000 + seed % 9_000, username, name)
    media = _vault(rng, fan_count, anchor)
    media_ids = [m.id for m in media]
    fans: dict[int, Fan] = {}
    chats: dict[int, Chat] = {}
    messages: list[Message] = []
    transactions: list[Transaction] = []
    unbought: list[Message] = []
    fan_id = 100_000
    for _ in range(fan_count):
        fan_id += 1 + int(rng.random() * 7)
        fan = _fan(rng, fan_id, anchor)
        fans[fan_id] = fan
        end = min(anchor, int(fan.expired_at))
        transactions += _spending(rng, fan, end)
        if rng.random() < 0.85:
            chat, purchases = _chat(rng, fan, end, media_ids)
            chats[fan_id] = chat
            messages += chat.messages
            transactions += purchases
            if fan.active:
                unbought += [m for m in chat.messages if m.price and not m.opened]
    _number(rng, messages, 1_000_000)
    _number(rng, transactions, 50_000_000)
    for chat in chats.values():
        chat.last_read = chat.messages[-chat.unread - 1].id
    for tx in transactions:
        fans[tx.fan_id].sums[tx.type] += tx.amount
    return World(creator, fans, chats, transactions, media, unbought)


def _number(rng: random.Random, items: list, first: int) -> None:
    """Sort by time (stable, so ties keep generation order) and give growing ids with gaps."""
    items.sort(key=attrgetter("created"))
    next_id = first
    for item in items:
        next_id += 1 + (rng.random() < 0.2)
        item.id = next_id


def _vault(rng: random.Random, fan_count: int, anchor: int) -> list[Media]:
    count = min(400, 30 + fan_count // 25)
    times = sorted(anchor - HISTORY - 30 * DAY + int(rng.random() * (HISTORY + 30 * DAY)) for _ in range(count))
    kinds = ("photo", "photo", "photo", "video", "video", "audio")
    return [Media(10_000 + i, kinds[rng.randrange(6)], t) for i, t in enumerate(times)]


def _fan(rng: random.Random, fan_id: int, anchor: int) -> Fan:
    r = rng.random
    active = r() < 0.75
    if active:
        subscribe_at = anchor - int((0.5 + r() * 89) * DAY)
        periods = (anchor - subscribe_at) // PERIOD + 1
    else:
        subscribe_at = anchor - int((31 + r() * 58.5) * DAY)
        periods = 1 + rng.randrange((anchor - subscribe_at) // PERIOD)
    expired_at = subscribe_at + periods * PERIOD
    end = min(anchor, expired_at)
    name = texts.FIRST_NAMES[rng.randrange(len(texts.FIRST_NAMES))]
    name += texts.LAST_INITIALS[rng.randrange(len(texts.LAST_INITIALS))]
    display = texts.DISPLAY_NAMES[rng.randrange(len(texts.DISPLAY_NAMES))] if r() < 0.2 else ""
    if r() < 0.15:
        last_seen = None
    elif active:
        last_seen = max(subscribe_at, anchor - int(r() * 7 * DAY))
    else:
        last_seen = subscribe_at + int(r() * (end - subscribe_at))
    return Fan(
        id=fan_id,
        username=f"u{fan_id}",
        name=name,
        display_name=display,
        last_seen=last_seen,
        active=active,
        subscribe_at=subscribe_at,
        expired_at=expired_at,
        renewed_at=subscribe_at + (periods - 1) * PERIOD if periods > 1 else None,
        price=SUB_PRICES[rng.randrange(len(SUB_PRICES))],
    )


def _spending(rng: random.Random, fan: Fan, end: int) -> list[Transaction]:
    """Subscription payments for each started period, and some posts and streams."""
    start = int(fan.subscribe_at)
    txs = []
    if fan.price:
        periods = int(fan.expired_at - start) // PERIOD
        txs += [Transaction(0, fan.id, "subscription", fan.price, start + i * PERIOD) for i in range(periods)]
    span = end - start
    if rng.random() < 0.3:
        for _ in range(1 + rng.randrange(3)):
            price = POST_PRICES[rng.randrange(len(POST_PRICES))]
            txs.append(Transaction(0, fan.id, "post", price, start + int(rng.random() * span)))
    if rng.random() < 0.1:
        price = STREAM_PRICES[rng.randrange(len(STREAM_PRICES))]
        txs.append(Transaction(0, fan.id, "stream", price, start + int(rng.random() * span)))
    return txs


def _message_count(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.5:
        return 1 + rng.randrange(4)
    if r < 0.85:
        return 5 + rng.randrange(16)
    if r < 0.98:
        return 21 + rng.randrange(60)
    return 81 + rng.randrange(170)


def _chat(rng: random.Random, fan: Fan, end: int, media_ids: list[int]) -> tuple[Chat, list[Transaction]]:
    """A welcome message, then a mix of fan texts, replies, PPV offers and tips."""
    r = rng.random
    start = int(fan.subscribe_at) + 60
    span = max(1, end - start - 60)
    times = sorted(start + 60 + int(r() * span) for _ in range(_message_count(rng)))
    messages = [Message(0, fan.id, True, _WELCOME_HTML, start)]
    purchases = []
    for t in times:
        if r() < 0.45:
            if r() < 0.12:
                media = tuple(rng.sample(media_ids, 1 + rng.randrange(3)))
                price = PPV_PRICES[rng.randrange(len(PPV_PRICES))]
                message = Message(0, fan.id, True, _PPV_HTML[rng.randrange(len(_PPV_HTML))], t, price, media)
                if r() < 0.45:
                    message.opened = True
                    paid_at = min(end, t + 60 + int(r() * 2 * DAY))
                    purchases.append(Transaction(0, fan.id, "message", price, paid_at))
            else:
                media = (media_ids[rng.randrange(len(media_ids))],) if r() < 0.1 else ()
                message = Message(0, fan.id, True, _CREATOR_HTML[rng.randrange(len(_CREATOR_HTML))], t, 0, media)
        elif r() < 0.06:
            tip = TIPS[rng.randrange(len(TIPS))]
            message = Message(0, fan.id, False, tip_html(rng), t, tip=tip)
            purchases.append(Transaction(0, fan.id, "tip", tip, t))
        else:
            message = Message(0, fan.id, False, fan_html(rng), t)
        messages.append(message)
    unread = 0
    if fan.active and r() < 0.5:
        while not messages[-1 - unread].outbound:
            unread += 1
    return Chat(messages, unread), purchases
