"""The generated rows themselves: a fan, a conversation's messages with its inbox
summary, a fan's transactions, each drawn from the generator's one ``random.Random``
(so the calls' order is part of what a seed gives). ``generate`` writes them."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from ofcrm_tui.core.threads import fan_time, summary
from ofcrm_tui.devdata import corpus
from ofcrm_tui.store.enums import Direction, SubscriptionStatus, TransactionType

USER_ID_BASE = 100_000_000
_TRANSACTION_ID_BASE = 900_000_000
# Platform message ids grow with time: seconds since the epoch, then a sequence number.
_MESSAGE_SEQ_SPAN = 10_000_000
MAX_MESSAGES = _MESSAGE_SEQ_SPAN - 1
HISTORY_DAYS = 365


class Rows:
    """Rows of one generated account; ``media_ids``: its vault, once written."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.media_ids: list[int] = []
        self._message_seq = 0
        self._transaction_seq = 0

    def fan(self, account_id: int, index: int) -> tuple[dict[str, Any], datetime]:
        rng = self.rng
        first = rng.choice(corpus.FIRST)
        last = rng.choice(corpus.LAST)
        style = rng.random()
        if style < 0.4:
            username = f"{rng.choice(corpus.WORD_A)}{rng.choice(corpus.WORD_B)}{rng.randrange(10, 9999)}"
        elif style < 0.7:
            username = f"{first.lower()}_{last.lower()}{rng.randrange(1, 99)}"
        else:
            username = f"u{USER_ID_BASE + index}"
        name = f"{first} {last}" if rng.random() < 0.85 else first
        nickname = rng.choice(corpus.NICKNAMES) if rng.random() < 0.12 else ""
        # Subscribed some time in the last year (more of them recently).
        subscribed = self.now - timedelta(
            days=HISTORY_DAYS * rng.random() ** 2, seconds=rng.randrange(86_400)
        )
        expired = rng.random() < 0.22
        price = rng.choices((0, 499, 999, 1499), (60, 20, 15, 5))[0]
        months = max(1, int((self.now - subscribed).days / 30))
        subscriptions = price * months
        tips = messages_cents = posts = 0
        if rng.random() < 0.3:
            # A long tail: most spend a little, a few spend a fortune.
            spend = int(min(rng.paretovariate(1.3) * 800, 2_000_000))
            tips, messages_cents, posts = corpus.split(rng, spend, 3) if spend >= 3 else (spend, 0, 0)
        total = subscriptions + tips + messages_cents + posts
        expires = subscribed + timedelta(days=30 * months)
        row = {
            "account_id": account_id,
            "platform_user_id": USER_ID_BASE + index,
            "username": username,
            "name": name,
            "nickname": nickname,
            "platform_nickname": nickname,  # as a sync of the platform's fans leaves it
            "last_seen_at": self.now - timedelta(minutes=int(60 * 24 * 30 * rng.random() ** 3)),
            "subscription_status": (
                SubscriptionStatus.EXPIRED if expired else SubscriptionStatus.ACTIVE
            ),
            "subscribed_at": subscribed,
            "expires_at": (
                min(expires, self.now - timedelta(days=1))
                if expired
                else expires + timedelta(days=30)
            ),
            "renewed_at": subscribed + timedelta(days=30 * (months - 1)) if months > 1 else None,
            "subscribe_price_cents": price,
            "total_spent_cents": total,
            "tips_cents": tips,
            "messages_cents": messages_cents,
            "subscriptions_cents": subscriptions,
            "posts_cents": posts,
            "created_at": subscribed,
            "updated_at": self.now,
        }
        return row, subscribed

    def _message_id(self, at: datetime) -> int:
        self._message_seq += 1
        return int(at.timestamp()) * _MESSAGE_SEQ_SPAN + self._message_seq

    def thread(
        self, account_id: int, conversation_id: int, fan_id: int, count: int, since: datetime
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The messages of one conversation, oldest first, and its inbox summary."""
        rng = self.rng
        # Last activity: skewed to recent (a cube of a uniform puts most in the last weeks).
        age = timedelta(seconds=60 + int(HISTORY_DAYS * 86_400 * rng.random() ** 3))
        last_at = min(self.now, max(self.now - age, since + timedelta(minutes=1)))
        # A chat spans a few minutes per message, at most back to the subscription.
        span = min((last_at - since).total_seconds(), count * rng.uniform(60, 6 * 3600))
        offsets = sorted(rng.random() * span for _ in range(count - 1))
        times = [last_at - timedelta(seconds=int(span - o)) for o in offsets] + [last_at]
        unread = 0
        if rng.random() < (0.25 if age < timedelta(days=3) else 0.04):
            unread = min(count, rng.choice((1, 1, 1, 2, 2, 3, 5)))
        rows = []
        direction = Direction.INBOUND
        for position, at in enumerate(times):
            if position >= count - unread:
                direction = Direction.INBOUND
            elif position:
                # Runs: whoever wrote last often writes again.
                if rng.random() < 0.45:
                    direction = (
                        Direction.OUTBOUND if direction == Direction.INBOUND else Direction.INBOUND
                    )
            price = tip = media = 0
            opened = is_tip = False
            media_ids: list[int] = []
            sent_by = None
            if direction == Direction.INBOUND:
                roll = rng.random()
                if roll < 0.02:
                    is_tip = True
                    tip = rng.choice((500, 1000, 2000, 2500, 5000, 10000))
                    body = rng.choice(corpus.TIP_LINES)
                else:
                    body = rng.choice(corpus.FAN_LINES)
                    if roll > 0.85:
                        body = f"{body} {rng.choice(corpus.FAN_LINES)}"
                    elif roll > 0.70:
                        body = f"{body} {rng.choice(corpus.TOPICS)}"
            else:
                sent_by = rng.choice(("anna", "ben", None, None))
                if rng.random() < 0.06:
                    price = rng.choice((499, 999, 1499, 1999, 2999, 4999))
                    opened = rng.random() < 0.35
                    media = rng.randint(1, 3)
                    media_ids = rng.sample(self.media_ids, media)
                    body = rng.choice(corpus.PPV_LINES)
                else:
                    body = rng.choice(corpus.CREATOR_LINES)
            rows.append(
                {
                    "account_id": account_id,
                    "conversation_id": conversation_id,
                    "fan_id": fan_id,
                    "platform_message_id": self._message_id(at),
                    "direction": direction,
                    "text": body,
                    "price_cents": price,
                    "is_opened": opened,
                    "is_tip": is_tip,
                    "tip_cents": tip,
                    "media_count": media,
                    "media_ids": media_ids,
                    "created_at": at,
                    "sent_by": sent_by,
                }
            )
        read_upto = rows[-1 - unread]["platform_message_id"] if unread < count else None
        return rows, {
            "unread_count": unread,
            "last_read_platform_message_id": read_upto,
            "last_fan_message_at": fan_time(rows)[0],
            **summary(rows[-1]),
        }

    def transactions(
        self, account_id: int, fan_id: int, fan: dict[str, Any]
    ) -> list[dict[str, Any]]:
        rng = self.rng
        rows = []
        price = fan["subscribe_price_cents"]
        months = fan["subscriptions_cents"] // price if price else 1
        pieces = (
            (TransactionType.SUBSCRIPTION, fan["subscriptions_cents"], min(4, months)),
            (TransactionType.TIP, fan["tips_cents"], rng.randint(1, 3)),
            (TransactionType.MESSAGE, fan["messages_cents"], rng.randint(1, 3)),
            (TransactionType.POST, fan["posts_cents"], 1),
        )
        since = fan["subscribed_at"]
        window = max(60.0, (self.now - since).total_seconds())
        for kind, amount, parts in pieces:
            if amount <= 0:
                continue
            for piece in corpus.split(rng, amount, parts):
                self._transaction_seq += 1
                transaction_id = str(_TRANSACTION_ID_BASE + self._transaction_seq)  # ids are text
                fee = piece // 5
                rows.append(
                    {
                        "account_id": account_id,
                        "platform_transaction_id": transaction_id,
                        "fan_id": fan_id,
                        "platform_user_id": fan["platform_user_id"],
                        "type": kind,
                        "amount_cents": piece,
                        "net_cents": piece - fee,
                        "fee_cents": fee,
                        "currency": "USD",
                        "description": f"{kind} from {fan['username']}",
                        "status": "done",
                        "created_at": since + timedelta(seconds=int(rng.random() * window)),
                    }
                )
        return rows
