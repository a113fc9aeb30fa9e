"""Generated demo and benchmark data, written straight into the database in bulk.

One account with ``fans`` fans, a conversation for each (as long as there are messages
to go round) and ``messages`` messages spread over them the way real inboxes are:
most fans wrote a handful, a few wrote thousands. Some fans spend (a long tail of
whales), some are tagged, some conversations are unread, a few messages are PPV or
tips; transactions matching the fans' spend are optional.

Everything comes from one ``random.Random(seed)`` and a fixed ``now``: the same seed and
``now`` give the same rows (drawn by ``rows``). Writes are plain Core ``executemany``
batches, one transaction per batch of fans; the database assigns the ids (read back per
batch), so sequences stay right on PostgreSQL and no id is guessed. Each batch fills the
analytics rollups, the fan facts and the reply times (and SQLite's full-text index) in
one statement each (``bulk.triggers_deferred``) instead of a trigger per row.

Run it on a database nothing else is writing to the same account: it is a tool for
benchmarks and demos, not for production data.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select

from ofcrm_tui.core.accounts import validate_name
from ofcrm_tui.core.threads import SUMMARY_COLUMNS
from ofcrm_tui.devdata import bulk, corpus
from ofcrm_tui.devdata.rows import HISTORY_DAYS, MAX_MESSAGES, USER_ID_BASE, Rows
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import (
    Account,
    Conversation,
    Fan,
    FanTag,
    Media,
    Message,
    Tag,
    Transaction,
)

# Fans (with their conversations and messages) written per transaction.
FANS_PER_BATCH = 5_000
GENERATED_BASE_URL = "http://generated.invalid"
DEFAULT_ACCOUNT = "generated"
MEDIA_IN_VAULT = 60
_MEDIA_ID_BASE = 7_000_000

Progress = Callable[[str, int, int], None]


class GenerateError(OfcrmError):
    pass


@dataclass(frozen=True)
class GenerateReport:
    account_id: int
    account_name: str
    fans: int
    conversations: int
    messages: int
    unread_conversations: int
    spenders: int
    tagged_fans: int
    transactions: int
    media: int
    seconds: float


# name, share of fans carrying it
TAGS: tuple[tuple[str, float], ...] = (
    ("vip", 0.03),
    ("whale", 0.01),
    ("new", 0.10),
    ("birthday-soon", 0.02),
    ("follow-up", 0.05),
    ("timewaster", 0.04),
    ("custom-request", 0.02),
    ("spanish", 0.03),
)

class _Generator:
    def __init__(
        self,
        db: Database,
        *,
        account: str,
        fans: int,
        messages: int,
        seed: int,
        transactions: bool,
        now: datetime,
        progress: Progress,
    ) -> None:
        self.db = db
        self.account_name = account
        self.fans = fans
        self.messages = messages
        self.conversations = min(fans, messages)
        self.transactions = transactions
        self.now = now.replace(microsecond=0)
        self.progress = progress
        self.rng = random.Random(seed)
        self.rows = Rows(self.rng, self.now)
        self._tag_ids: dict[str, int] = {}
        self.report: dict[str, int] = dict.fromkeys(
            ("unread", "spenders", "tagged", "transactions", "messages"), 0
        )

    # -- set-up ------------------------------------------------------------------

    def create_account(self) -> int:
        with self.db.write() as session:
            exists = session.scalar(select(Account.id).where(Account.name == self.account_name))
            if exists is not None:
                raise GenerateError(
                    f"account {self.account_name!r} already exists: generate into a new name "
                    "(or remove it with `ofcrm account remove`)"
                )
            account = Account(
                name=self.account_name,
                base_url=GENERATED_BASE_URL,
                creator_platform_id=1,
                creator_username=f"{self.account_name}_creator",
                creator_name=f"{self.account_name.title()} (generated)",
                send_limit_per_minute=10,
                created_at=self.now,
            )
            session.add(account)
            session.flush()
            account_id = account.id
            connection = session.connection()
            connection.execute(
                insert(Tag.__table__),
                [{"account_id": account_id, "name": name, "color": ""} for name, _ in TAGS],
            )
            self._tag_ids = dict(
                connection.execute(
                    select(Tag.name, Tag.id).where(Tag.account_id == account_id)
                ).all()
            )
            media = []
            for index in range(MEDIA_IN_VAULT):
                created = self.now - timedelta(days=self.rng.uniform(0, HISTORY_DAYS))
                media.append(
                    {
                        "account_id": account_id,
                        "platform_media_id": _MEDIA_ID_BASE + index,
                        "type": self.rng.choices(("photo", "video", "audio"), (6, 3, 1))[0],
                        "created_at": created.replace(microsecond=0),
                    }
                )
            connection.execute(insert(Media.__table__), media)
            self.rows.media_ids = [row["platform_media_id"] for row in media]
        return account_id

    # -- the run -----------------------------------------------------------------

    def run(self) -> GenerateReport:
        started = time.perf_counter()
        account_id = self.create_account()
        counts = corpus.skewed_counts(self.rng, self.conversations, self.messages)
        for start in range(0, self.fans, FANS_PER_BATCH):
            stop = min(self.fans, start + FANS_PER_BATCH)
            self._batch(account_id, start, stop, counts)
            self.progress("fans", stop, self.fans)
        self._analyze()
        self.progress("done", self.fans, self.fans)
        return GenerateReport(
            account_id=account_id,
            account_name=self.account_name,
            fans=self.fans,
            conversations=self.conversations,
            messages=self.report["messages"],
            unread_conversations=self.report["unread"],
            spenders=self.report["spenders"],
            tagged_fans=self.report["tagged"],
            transactions=self.report["transactions"],
            media=len(self.rows.media_ids),
            seconds=time.perf_counter() - started,
        )

    def _batch(self, account_id: int, start: int, stop: int, counts: Sequence[int]) -> None:
        fans = []
        subscribed = []
        for index in range(start, stop):
            row, since = self.rows.fan(account_id, index)
            fans.append(row)
            subscribed.append(since)
        with self.db.write() as session:
            connection = session.connection()
            with bulk.triggers_deferred(connection):
                self._write_batch(connection, account_id, start, stop, counts, fans, subscribed)

    def _write_batch(
        self,
        connection: Connection,
        account_id: int,
        start: int,
        stop: int,
        counts: Sequence[int],
        fans: list[dict[str, Any]],
        subscribed: list[datetime],
    ) -> None:
        rng = self.rng
        bulk.insert_rows(connection, Fan, fans)
        fan_ids = dict(
            connection.execute(
                select(Fan.platform_user_id, Fan.id).where(
                    Fan.account_id == account_id,
                    Fan.platform_user_id.between(USER_ID_BASE + start, USER_ID_BASE + stop - 1),
                )
            ).all()
        )
        ids = [fan_ids[row["platform_user_id"]] for row in fans]
        tag_rows = []
        for fan_id in ids:
            tagged = False
            for name, share in TAGS:
                if rng.random() < share:
                    tag_rows.append(
                        {"fan_id": fan_id, "tag_id": self._tag_ids[name], "account_id": account_id}
                    )
                    tagged = True
            self.report["tagged"] += tagged
        bulk.insert_rows(connection, FanTag, tag_rows)
        self.report["spenders"] += sum(1 for row in fans if row["total_spent_cents"] > 0)
        if self.transactions:
            transactions = []
            for fan_id, row in zip(ids, fans, strict=True):
                transactions.extend(self.rows.transactions(account_id, fan_id, row))
            bulk.insert_rows(connection, Transaction, transactions)
            self.report["transactions"] += len(transactions)
        chatting = [i for i in range(start, stop) if i < self.conversations]
        if not chatting:
            return
        # Conversations first (with a placeholder summary), then their messages.
        bulk.insert_rows(
            connection,
            Conversation,
            [
                {
                    "account_id": account_id,
                    "fan_id": ids[i - start],
                    "unread_count": 0,
                    "last_read_platform_message_id": None,
                    "last_platform_message_id": None,
                    "last_message_at": None,
                    "last_message_preview": "",
                    "last_message_direction": None,
                }
                for i in chatting
            ],
        )
        conversation_ids = dict(
            connection.execute(
                select(Conversation.fan_id, Conversation.id).where(
                    Conversation.account_id == account_id,
                    Conversation.fan_id.between(min(ids), max(ids)),
                )
            ).all()
        )
        messages: list[dict[str, Any]] = []
        summaries = []
        for i in chatting:
            fan_id = ids[i - start]
            conversation_id = conversation_ids[fan_id]
            rows, conversation = self.rows.thread(
                account_id, conversation_id, fan_id, counts[i], subscribed[i - start]
            )
            messages.extend(rows)
            conversation["b_id"] = conversation_id
            summaries.append(conversation)
            self.report["unread"] += conversation["unread_count"] > 0
            if len(messages) >= bulk.ROWS_PER_CALL:
                bulk.insert_rows(connection, Message, messages)
                self.report["messages"] += len(messages)
                messages = []
        bulk.insert_rows(connection, Message, messages)
        self.report["messages"] += len(messages)
        table = Conversation.__table__
        connection.execute(
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values(
                unread_count=bindparam("unread_count"),
                last_read_platform_message_id=bindparam("last_read_platform_message_id"),
                last_fan_message_at=bindparam("last_fan_message_at"),
                **{column: bindparam(column) for column in SUMMARY_COLUMNS},
            ),
            summaries,
        )

    def _analyze(self) -> None:
        """On PostgreSQL, what autovacuum would soon do: statistics, and the visibility
        map that index-only scans need. SQLite databases are left unanalysed, like the
        ones the app writes (the inbox queries do not rely on statistics there)."""
        if self.db.is_sqlite:
            return
        self.progress("analyze", 0, 1)
        with self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ("fans", "conversations", "messages", "fan_tags", "transactions"):
                connection.exec_driver_sql(f"VACUUM (ANALYZE) {table}")


def default_now() -> datetime:
    """Midnight UTC today: runs on one day with one seed give the same rows."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today


def generate(
    db: Database,
    *,
    account: str = DEFAULT_ACCOUNT,
    fans: int = 1_000,
    messages: int = 10_000,
    seed: int = 1,
    transactions: bool = True,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> GenerateReport:
    """Create ``account`` and fill it; ``db`` must be at the current schema."""
    validate_name(account)
    if fans < 0 or messages < 0:
        raise GenerateError("--fans and --messages cannot be negative")
    if messages > MAX_MESSAGES:
        raise GenerateError(f"at most {MAX_MESSAGES:,} messages per account")
    if now is not None and now.tzinfo is None:
        raise GenerateError("now must be an aware datetime")
    generator = _Generator(
        db,
        account=account,
        fans=fans,
        messages=messages,
        seed=seed,
        transactions=transactions,
        now=(now or default_now()).astimezone(UTC),
        progress=progress or (lambda stage, done, total: None),
    )
    return generator.run()


__all__ = ["DEFAULT_ACCOUNT", "GenerateError", "GenerateReport", "TAGS", "default_now", "generate"]
