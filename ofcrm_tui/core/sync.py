"""Inbound sync: bring fans, chats, messages, media and transactions into the database.

``full()`` reads everything once. ``poll()`` then follows what changed: it reads
``/chats`` newest first only until a chat whose last message is already known, so a
poll with nothing new costs one request whatever the number of fans. Transactions
(and PPV purchases they reveal) and the fans' own figures are re-read on a slower
cadence. Every write is an upsert on the platform ids (``sync_writes``; a page of chats:
``sync_chats``), so two polls at once, or a poll after a crash, leave no duplicates. A fan deleted here is left out until they
write again (``fans.deleted``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ofcrm_tui.core import metrics, sync_writes
from ofcrm_tui.core.accounts import creator_platform_id
from ofcrm_tui.core.fans import deleted
from ofcrm_tui.core.sync_chats import ChatWrites
from ofcrm_tui.platform.errors import RateLimited
from ofcrm_tui.platform.pacing import report_waits
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import Direction, TransactionType
from ofcrm_tui.store.models import (
    Conversation,
    Fan,
    Media,
    Message,
    SyncCursor,
    Transaction,
)
from ofcrm_tui.store.types import utcnow
from ofcrm_tui.store.upsert import upsert

if TYPE_CHECKING:  # the poll's client hands them over: the app's inbox loads neither
    from ofcrm_tui.platform.client import PlatformClient
    from ofcrm_tui.platform.wire import Chat, User
    from ofcrm_tui.platform.wire import Media as WireMedia
    from ofcrm_tui.platform.wire import Message as WireMessage
    from ofcrm_tui.platform.wire import Transaction as WireTransaction

log = logging.getLogger(__name__)

T = TypeVar("T")
_HasId = TypeVar("_HasId", "WireMedia", "WireMessage", "WireTransaction", "User")

POLL_PAGE_SIZE = 20
TRANSACTIONS_EVERY = timedelta(seconds=60)
FANS_EVERY = timedelta(minutes=15)
# The vault (what a priced message can sell): new uploads reach the app and the workers
# within this, without a full sync (a team's chatters have no other way to get them).
MEDIA_EVERY = timedelta(minutes=15)
# A full sync waits out 429s up to this long each time; a poll gives up instead.
MAX_RATE_LIMIT_WAIT = 300.0

_TXN_CURSOR = "transactions.newest_id"
_TXN_CHECKED = "transactions.checked_at"
_FANS_CHECKED = "fans.checked_at"
_MEDIA_CHECKED = "media.checked_at"


@dataclass(frozen=True)
class NewInbound:
    """A fan's message that arrived with this poll (for live updates and toasts)."""

    conversation_id: int
    fan_name: str  # as the inbox list shows the fan: nickname, else name, else username
    text: str
    tip_cents: int
    media_count: int = 0
    # Which message (an app hears of it from its jobs and from its look at the database).
    platform_message_id: int | None = None


@dataclass
class SyncReport:
    fans: int = 0
    chats: int = 0
    messages: int = 0
    transactions: int = 0
    media: int = 0
    new_inbound: list[NewInbound] = field(default_factory=list)

    def changed(self) -> bool:
        return bool(self.fans or self.chats or self.messages or self.transactions or self.media)


Progress = Callable[[str, int], None]


class InboundSync:
    """Sync of one account through one client; cheap to create per run."""

    def __init__(
        self,
        db: Database,
        account_id: int,
        client: PlatformClient,
        *,
        progress: Progress | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.db = db
        self.account_id = account_id
        self.client = client
        self._progress = progress or (lambda stage, count: None)
        self._sleep = sleep
        self._writes = ChatWrites(account_id, creator_platform_id(db, account_id))
        self._waiting = False

    # -- entry points --------------------------------------------------------------

    def full(self) -> SyncReport:
        """Everything once: media, transactions, fans (whose figures win), chats."""
        self._waiting = True
        report = SyncReport()
        pacing = "pacing to the gateway's budget"
        with report_waits(lambda seconds: self._progress(pacing, int(seconds))):
            report.media = self._sync_media()
            report.transactions = self._sync_transactions(add_to_spend=False)
            report.fans = self._sync_fans()
            self._walk_chats(report, page_size=100, stop_at_known=False)
        self._record_poll()
        return report

    def poll(self) -> SyncReport:
        """What changed since the last run, as cheaply as the contract allows."""
        self._waiting = False
        report = SyncReport()
        self._walk_chats(report, page_size=POLL_PAGE_SIZE, stop_at_known=True)
        if self._due(_TXN_CHECKED, TRANSACTIONS_EVERY):
            report.transactions = self._sync_transactions(add_to_spend=True)
        if self._due(_FANS_CHECKED, FANS_EVERY):
            report.fans = self._sync_fans()
        if self._due(_MEDIA_CHECKED, MEDIA_EVERY):
            report.media = self._sync_media()
        self._record_poll()
        return report

    # -- platform reads ------------------------------------------------------------

    def _patient(self, walk: Callable[[], Iterator[_HasId]]) -> Iterator[_HasId]:
        """Items of a walk; in a full sync a 429 is waited out and the walk restarted,
        skipping what it already gave."""
        done: set[int] = set()
        while True:
            try:
                for item in walk():
                    if item.id not in done:
                        done.add(item.id)
                        yield item
                return
            except RateLimited as exc:
                self._wait_out(exc)

    def _retrying(self, call: Callable[[], T]) -> T:
        while True:
            try:
                return call()
            except RateLimited as exc:
                self._wait_out(exc)

    def _wait_out(self, exc: RateLimited) -> None:
        if not self._waiting or exc.retry_after > MAX_RATE_LIMIT_WAIT:
            raise exc
        log.info("rate limited during full sync; waiting %.0f s", exc.retry_after)
        self._progress("waiting (rate limited)", int(exc.retry_after))
        self._sleep(exc.retry_after)

    # -- media ---------------------------------------------------------------------

    def _sync_media(self) -> int:
        rows = [
            sync_writes.media_row(self.account_id, item)
            for item in self._patient(self.client.iter_media)
        ]
        with self.db.write() as session:
            upsert(session, Media, rows, key=("account_id", "platform_media_id"), update=("type",))
            self._set_cursor(session, _MEDIA_CHECKED, utcnow().isoformat())
        self._progress("media", len(rows))
        return len(rows)

    # -- fans ----------------------------------------------------------------------

    def _sync_fans(self) -> int:
        count = 0
        batch: list[User] = []
        for user in self._patient(self.client.iter_subscribers):
            batch.append(user)
            if len(batch) == 500:
                count += self._write_fans(batch)
                batch = []
        count += self._write_fans(batch)
        with self.db.write() as session:
            self._set_cursor(session, _FANS_CHECKED, utcnow().isoformat())
        return count

    def _write_fans(self, users: list[User]) -> int:
        with self.db.write() as session:
            sync_writes.write_fans(session, self.account_id, users)
        self._progress("fans", len(users))
        return len(users)

    # -- transactions --------------------------------------------------------------

    def _sync_transactions(self, *, add_to_spend: bool) -> int:
        """Transactions newer than the newest known one, newest first."""
        # Ids are text (gateways use hex): stop at the newest known one, or at anything
        # older than the newest known time.
        with self.db.read() as session:
            newest_known = self._cursor(session, _TXN_CURSOR)
            newest_at = session.scalar(
                select(func.max(Transaction.created_at)).where(
                    Transaction.account_id == self.account_id
                )
            )
        fresh: list[WireTransaction] = []
        for transaction in self._patient(self.client.iter_transactions):
            if transaction.id == newest_known or (newest_at and transaction.created_at < newest_at):
                break
            fresh.append(transaction)
        with self.db.write() as session:
            if fresh:
                sync_writes.write_transactions(
                    session, self.account_id, fresh, add_to_spend=add_to_spend
                )
                self._set_cursor(session, _TXN_CURSOR, fresh[0].id)
            self._set_cursor(session, _TXN_CHECKED, utcnow().isoformat())
        if add_to_spend:
            self._refresh_purchases({t.user.id for t in fresh if t.type == TransactionType.MESSAGE})
        self._progress("transactions", len(fresh))
        return len(fresh)

    def _refresh_purchases(self, platform_user_ids: set[int]) -> None:
        """Re-read chats where a PPV message was bought, down to the oldest unbought one."""
        for user_id in platform_user_ids:
            with self.db.read() as session:
                oldest_unbought = session.execute(
                    select(func.min(Message.platform_message_id), Message.conversation_id, Fan.id)
                    .join(Fan, Fan.id == Message.fan_id)
                    .where(
                        Message.account_id == self.account_id,
                        Fan.platform_user_id == user_id,
                        Message.price_cents > 0,
                        Message.is_opened.is_(False),
                    )
                    .group_by(Message.conversation_id, Fan.id)
                ).first()
            if oldest_unbought is None:
                continue
            oldest, conversation_id, fan_id = oldest_unbought
            messages = self._messages_since(user_id, oldest - 1)
            with self.db.write() as session:
                self._writes.messages(session, [((conversation_id, fan_id), messages)])

    # -- chats and messages --------------------------------------------------------

    def _walk_chats(self, report: SyncReport, *, page_size: int, stop_at_known: bool) -> None:
        """Chats newest first, a page at a time, each page written in one unit of work."""
        offset = 0
        while True:
            page = self._retrying(lambda: self.client.chats_page(page_size, offset))
            known, gone = self._known_last_ids([chat.with_user.id for chat in page.items])
            seen: list[Chat] = []
            fetched: list[tuple[Chat, list[WireMessage]]] = []
            back: set[int] = set()  # deleted here, and wrote again since
            reached_known = False
            for chat in page.items:
                seen.append(chat)
                last, known_last = chat.last_message, known.get(chat.with_user.id)
                if chat.with_user.id in gone:  # neither known nor changed: the walk goes on
                    since = self._wrote_again(chat, gone[chat.with_user.id])
                    if since:
                        back.add(chat.with_user.id)
                        fetched.append((chat, since))
                elif last is None or (known_last is not None and last.id <= known_last):
                    reached_known = True
                    if stop_at_known:
                        break
                else:
                    fetched.append((chat, self._messages_since(chat.with_user.id, known_last)))
            with self.db.write() as session:
                written = self._writes.page(session, fetched, back=back, live=stop_at_known)
                changed_ids = {chat.with_user.id for chat, _ in fetched}
                self._writes.unread(
                    session, [chat for chat in seen if chat.with_user.id not in changed_ids]
                )
            report.chats += written.chats
            report.messages += written.messages
            report.new_inbound.extend(
                NewInbound(conversation_id, fan_name, m.text, m.tip_cents, m.media_count, m.id)
                for conversation_id, fan_name, m in written.arrived
            )
            offset += len(page.items)
            self._progress("chats", report.chats)
            if not page.has_more or not page.items or (stop_at_known and reached_known):
                return

    def _known_last_ids(
        self, platform_user_ids: list[int]
    ) -> tuple[dict[int, int | None], dict[int, datetime]]:
        """The last message id known of each user's chat; those deleted here, and when."""
        with self.db.read() as session:
            rows = session.execute(
                select(Fan.platform_user_id, Conversation.last_platform_message_id)
                .join(Conversation, Conversation.fan_id == Fan.id)
                .where(Fan.account_id == self.account_id, Fan.platform_user_id.in_(platform_user_ids))
            )
            known = {user_id: last_id for user_id, last_id in rows}
            return known, deleted.when_deleted(session, self.account_id, platform_user_ids)

    def _messages_since(self, platform_user_id: int, known_last: int | None) -> list[WireMessage]:
        """The chat's messages newer than ``known_last`` (all of them when None)."""
        return self._newest(platform_user_id,
                            lambda message: known_last is None or message.id > known_last)

    def _newest(
        self, platform_user_id: int, wanted: Callable[[WireMessage], bool]
    ) -> list[WireMessage]:
        """The chat's messages, newest first, down to the first one not ``wanted``."""
        messages = []
        for message in self._patient(lambda: self.client.iter_messages(platform_user_id)):
            if not wanted(message):
                break
            messages.append(message)
        return messages

    def _wrote_again(self, chat: Chat, deleted_at: datetime) -> list[WireMessage]:
        """The messages newer than the fan's deletion here, if one of them is the fan's
        (they come back with them); else none, and nothing read when the chat's last
        message is older."""
        last = chat.last_message
        if last is None or last.created_at <= deleted_at:
            return []
        since = self._newest(chat.with_user.id, lambda message: message.created_at > deleted_at)
        if all(self._writes.direction(m) == Direction.OUTBOUND for m in since):
            return []
        return since

    # -- cursors -------------------------------------------------------------------

    def _cursor(self, session: Session, stream: str) -> str | None:
        return session.scalar(
            select(SyncCursor.value).where(
                SyncCursor.account_id == self.account_id, SyncCursor.stream == stream
            )
        )

    def _set_cursor(self, session: Session, stream: str, value: str) -> None:
        upsert(
            session,
            SyncCursor,
            [{"account_id": self.account_id, "stream": stream, "value": value, "updated_at": utcnow()}],
            key=("account_id", "stream"),
            update=("value", "updated_at"),
        )

    def _due(self, stream: str, every: timedelta) -> bool:
        with self.db.read() as session:
            value = self._cursor(session, stream)
        return value is None or utcnow() - datetime.fromisoformat(value) >= every

    def _record_poll(self) -> None:
        with self.db.write() as session:
            metrics.record(session, self.account_id, metrics.POLL)

