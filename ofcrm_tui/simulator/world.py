"""The simulated creator account: fans, chats, transactions, vault, and what changes them.

Money is integer cents and times are POSIX seconds (UTC) here; ``shapes`` turns them
into the contract's JSON. The world is not thread-safe by itself: callers hold
``World.lock`` around every read and write.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_left
from dataclasses import dataclass, field
from operator import attrgetter

TRANSACTION_TYPES = ("subscription", "tip", "message", "post", "stream")

_by_id = attrgetter("id")


@dataclass(frozen=True, slots=True)
class Creator:
    id: int
    username: str
    name: str


@dataclass(slots=True)
class Fan:
    id: int
    username: str
    name: str
    display_name: str
    last_seen: float | None
    active: bool
    subscribe_at: float
    expired_at: float
    renewed_at: float | None
    price: int
    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TRANSACTION_TYPES, 0))


@dataclass(slots=True)
class Message:
    id: int
    fan_id: int
    outbound: bool
    html: str
    created: float
    price: int = 0
    media: tuple[int, ...] = ()
    opened: bool = False
    tip: int = 0


@dataclass(slots=True)
class Chat:
    """Messages oldest first; ``last_read`` is None while the creator has read nothing."""

    messages: list[Message] = field(default_factory=list)
    unread: int = 0
    last_read: int | None = None


@dataclass(slots=True)
class Transaction:
    id: int
    fan_id: int
    type: str
    amount: int
    created: float


@dataclass(frozen=True, slots=True)
class Media:
    id: int
    type: str
    created: float


class World:
    """State of one account plus the operations the API and the simulated fans use."""

    def __init__(
        self,
        creator: Creator,
        fans: dict[int, Fan],
        chats: dict[int, Chat],
        transactions: list[Transaction],
        media: list[Media],
        unbought: list[Message],
    ) -> None:
        self.lock = threading.RLock()
        self.creator = creator
        self.fans = fans
        self.chats = chats
        self.transactions = transactions
        self.media = media
        self.media_types = {m.id: m.type for m in media}
        self.unbought = unbought  # outbound PPV messages to active fans, not bought yet
        self.fan_ids = list(fans)
        self.active_ids = [f.id for f in fans.values() if f.active]
        self.expired_ids = [f.id for f in fans.values() if not f.active]
        last_messages = [c.messages[-1] for c in chats.values() if c.messages]
        self._next_message_id = max((m.id for m in last_messages), default=1_000_000) + 1
        self._next_transaction_id = (transactions[-1].id if transactions else 50_000_000) + 1
        self._clock = max(
            [m.created for m in last_messages] + [t.created for t in transactions[-1:]], default=0.0
        )
        self._recent: list[int] | None = None

    def now(self) -> float:
        """The real clock, never earlier than anything already in the world."""
        self._clock = max(self._clock, round(time.time(), 6))
        return self._clock

    def add_message(
        self,
        fan_id: int,
        *,
        outbound: bool,
        html: str,
        price: int = 0,
        media: tuple[int, ...] = (),
        tip: int = 0,
    ) -> Message:
        """Store a new message with the next account-wide id; inbound ones are unread."""
        message = Message(self._next_message_id, fan_id, outbound, html, self.now(), price, media, tip=tip)
        self._next_message_id += 1
        chat = self.chats.setdefault(fan_id, Chat())
        chat.messages.append(message)
        if not outbound:
            chat.unread += 1
            self.fans[fan_id].last_seen = message.created  # a fan who writes is online
        elif price and self.fans[fan_id].active:
            self.unbought.append(message)
        self._recent = None
        return message

    def add_transaction(self, fan_id: int, kind: str, amount: int) -> Transaction:
        """Record money from a fan and add it to the fan's spending sums."""
        tx = Transaction(self._next_transaction_id, fan_id, kind, amount, self.now())
        self._next_transaction_id += 1
        self.transactions.append(tx)
        self.fans[fan_id].sums[kind] += amount
        return tx

    def buy(self, message: Message) -> Transaction:
        """The fan unlocks a PPV message."""
        message.opened = True
        transaction = self.add_transaction(message.fan_id, "message", message.price)
        self.fans[message.fan_id].last_seen = transaction.created
        return transaction

    def tip(self, fan_id: int, amount: int, html: str) -> Message:
        """A tip arrives as a chat message plus a ``tip`` transaction."""
        message = self.add_message(fan_id, outbound=False, html=html, tip=amount)
        self.add_transaction(fan_id, "tip", amount)
        return message

    def mark_read(self, fan_id: int) -> None:
        chat = self.chats.get(fan_id)
        if chat and chat.messages:
            chat.unread = 0
            chat.last_read = chat.messages[-1].id

    def recent_chats(self) -> list[int]:
        """Fan ids of chats with messages, newest last message first."""
        if self._recent is None:
            live = [(c.messages[-1].id, fid) for fid, c in self.chats.items() if c.messages]
            live.sort(reverse=True)
            self._recent = [fid for _, fid in live]
        return self._recent

    def messages_before(self, fan_id: int, before: int | None, limit: int) -> tuple[list[Message], bool]:
        """Up to ``limit`` messages older than id ``before``, newest first; and whether more remain."""
        messages = self.chats[fan_id].messages if fan_id in self.chats else []
        end = len(messages) if before is None else bisect_left(messages, before, key=_by_id)
        start = max(0, end - limit)
        return messages[start:end][::-1], start > 0

    def transactions_before(self, before: int | None, limit: int) -> tuple[list[Transaction], bool]:
        """Like ``messages_before`` for the whole account's transactions."""
        txs = self.transactions
        end = len(txs) if before is None else bisect_left(txs, before, key=_by_id)
        start = max(0, end - limit)
        return txs[start:end][::-1], start > 0
