"""A poll and a send writing one fan's thread at once, on PostgreSQL: both take the fan's
row before the conversation's (``threads.lock_fans``), so one waits for the other. They
took them in opposite orders (the poll's conversation upsert, whose fan-facts trigger
updates the fan; the send's message, whose trigger had locked the fan, then its
conversation summary) and PostgreSQL ended the poll as a deadlock's victim (a QA walk:
``poll of account mia failed | DeadlockDetected``). The same with a rollup row of the
hour, which a send's message took before the fan's row."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from ofcrm_tui.core import threads
from ofcrm_tui.core.sync_chats import ChatWrites
from ofcrm_tui.platform.wire import Chat
from ofcrm_tui.platform.wire import Message as WireMessage
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.diagnostics import captured_sql
from ofcrm_tui.store.models import Account, Conversation, Fan, Message
from tests.platform.fake_platform import message_json
from tests.support.databases import (
    NO_POSTGRES,
    postgres_schema,
    postgres_template,
    postgres_url,
)

CREATOR = 1
USER = 4101
T0 = datetime(2026, 11, 20, 10, tzinfo=UTC)
# How long a side waits for the other at most (a deadlock is found after 1 s).
PATIENCE = 20.0


@pytest.fixture
def postgres(run_directory: Path) -> Iterator[str]:
    """A PostgreSQL schema at the current revision (skipped without a server)."""
    base = postgres_url()
    if base is None:
        pytest.skip(NO_POSTGRES)
    with postgres_schema(base, template=postgres_template(base, run_directory)) as url:
        yield url


def _thread(db: Database) -> tuple[int, int]:
    """An account (``mia``) and a fan whose chat has one message: (account, fan)."""
    with db.write() as session:
        account = Account(name="mia", base_url="http://mia.invalid", creator_platform_id=CREATOR)
        session.add(account)
        session.flush()
        fan = Fan(account_id=account.id, platform_user_id=USER, username=f"u{USER}")
        session.add(fan)
        session.flush()
        session.add(Conversation(account_id=account.id, fan_id=fan.id, unread_count=0,
                                 last_platform_message_id=100, last_message_at=T0,
                                 last_message_preview="hi"))
        return account.id, fan.id


def _message(message_id: int, from_id: int, minutes: int, **changes: Any) -> dict[str, Any]:
    at = (T0 + timedelta(minutes=minutes)).isoformat()
    return message_json(message_id, from_id, f"<p>m{message_id}</p>", createdAt=at, **changes)


Work = Callable[[Session], None]


class Side:
    """One of the two transactions, on a connection of its own: it pauses before its
    first statement starting with ``pause`` until the other one is paused there too,
    waits for a lock, or is over."""

    def __init__(self, url: str, watcher: Database, pause: str | None) -> None:
        self.db = Database(url)
        self.watcher = watcher
        self.pid: int | None = None
        self.paused, self.done = threading.Event(), threading.Event()
        self.error: str | None = None
        self._pause = pause

    def run(self, work: Work, other: Side, *, after: threading.Event | None = None) -> None:
        def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if self._pause and statement.startswith(self._pause) and not self.paused.is_set():
                self.paused.set()
                _until(other.paused.is_set, other.waits_for_a_lock, other.done.is_set)

        event.listen(self.db.engine, "before_cursor_execute", before)
        try:
            if after is not None:
                after.wait(PATIENCE)
            with self.db.write() as session:
                self.pid = session.connection().connection.dbapi_connection.info.backend_pid
                work(session)
        except Exception as exc:  # noqa: BLE001 - the test reports it
            self.error = str(exc).splitlines()[0]
        finally:
            self.paused.set()
            self.done.set()

    def waits_for_a_lock(self) -> bool:
        if self.pid is None:
            return False
        with self.watcher.read() as session:
            return session.scalar(text(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": self.pid}) == "Lock"


def _until(*conditions: Callable[[], bool]) -> None:
    """Until one of ``conditions`` holds (or PATIENCE is over)."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline and not any(condition() for condition in conditions):
        time.sleep(0.01)


def _at_once(url: str, poll: Work, send: Work, *, poll_pause: str,
             send_pause: str | None = None) -> dict[str, str]:
    """The poll's work goes as far as ``poll_pause``, then the send's (to ``send_pause``),
    then each goes on as the other waits or pauses; returns the errors, by side."""
    watcher = Database(url)
    polling = Side(url, watcher, poll_pause)
    sending = Side(url, watcher, send_pause)
    try:
        workers = [
            threading.Thread(target=polling.run, args=(poll, sending)),
            threading.Thread(target=sending.run, args=(send, polling),
                             kwargs={"after": polling.paused}),
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(3 * PATIENCE)
        assert not any(worker.is_alive() for worker in workers)
        return {side: error for side, error in (("poll", polling.error), ("send", sending.error))
                if error is not None}
    finally:
        for db in (polling.db, sending.db, watcher):
            db.dispose()


def _chat(last: dict[str, Any]) -> Chat:
    return Chat.model_validate({"withUser": {"id": USER, "username": f"u{USER}", "name": "Fan"},
                                "lastMessage": last, "unreadMessagesCount": 1})


def _thread_of(db: Database, fan_id: int) -> tuple[list[int], int | None]:
    """The fan's messages (platform ids) and their conversation's last one."""
    with db.read() as session:
        messages = session.scalars(select(Message.platform_message_id).where(
            Message.fan_id == fan_id).order_by(Message.platform_message_id)).all()
        last = session.scalar(select(Conversation.last_platform_message_id).where(
            Conversation.fan_id == fan_id))
    return list(messages), last


def _sent(account_id: int, fan_id: int, message: dict[str, Any]) -> Work:
    def send(session: Session) -> None:
        threads.store_sent_message(session, account_id, fan_id, WireMessage.model_validate(message),
                                   sent_by="ana", is_campaign=True)
    return send


def _polled(account_id: int, last: dict[str, Any], *messages: dict[str, Any]) -> Work:
    def poll(session: Session) -> None:
        ChatWrites(account_id, CREATOR).page(
            session, [(_chat(last), [WireMessage.model_validate(m) for m in messages])],
            back=(), live=True)
    return poll


@pytest.mark.postgres
def test_a_poll_and_a_send_to_one_fan_at_once_wait_for_each_other(postgres: str) -> None:
    """The poll has written the fans of its page and is about to write their
    conversations when the send writes its message to one of them, then the
    conversation's summary: one waits for the other, and both messages are there."""
    db = Database(postgres)
    try:
        account_id, fan_id = _thread(db)
        written = _message(200, USER, 1)
        errors = _at_once(postgres, _polled(account_id, written, written),
                          _sent(account_id, fan_id, _message(201, CREATOR, 2)),
                          poll_pause="INSERT INTO conversations", send_pause="UPDATE conversations")
        assert errors == {}
        assert _thread_of(db, fan_id) == ([200, 201], 201)
    finally:
        db.dispose()


@pytest.mark.postgres
def test_a_send_waits_for_a_poll_that_holds_its_fan_before_its_rollups(postgres: str) -> None:
    """The poll holds the fan's row and conversation and brings the fan's new message
    with one ana sent this hour (read before it was stored): it updates ana's sent
    rollup of the hour. A send of ana's to the fan meanwhile takes the fan's row before
    that rollup row (its message's triggers write both), so it waits for the poll."""
    db = Database(postgres)
    try:
        account_id, fan_id = _thread(db)
        earlier = _message(201, CREATOR, 2)
        with db.write() as session:
            _sent(account_id, fan_id, earlier)(session)
        written = _message(203, USER, 3)
        errors = _at_once(postgres, _polled(account_id, written, written, earlier),
                          _sent(account_id, fan_id, _message(204, CREATOR, 4)),
                          poll_pause="INSERT INTO messages")
        assert errors == {}
        assert _thread_of(db, fan_id) == ([201, 203, 204], 204)
    finally:
        db.dispose()


@pytest.mark.postgres
def test_a_send_and_a_purchases_refresh_of_its_fan_wait_for_each_other(postgres: str) -> None:
    """A poll re-reads the chat of a fan who bought ana's PPV of this hour (its
    messages: that one opened, and the fan's since): it updates ana's sent rollup of
    the hour, then the conversation and the fan's row. A send of ana's to the fan takes
    the fan's row first, then that rollup row: the refresh took the fan's row first
    too, so one waits for the other."""
    db = Database(postgres)
    try:
        account_id, fan_id = _thread(db)
        ppv = _message(201, CREATOR, 2, price=10.0)
        with db.write() as session:
            _sent(account_id, fan_id, ppv)(session)
            conversation_id = session.scalar(select(Conversation.id).where(
                Conversation.fan_id == fan_id))
        bought = [_message(203, USER, 3), ppv | {"isOpened": True}]

        def refresh(session: Session) -> None:
            ChatWrites(account_id, CREATOR).messages(
                session, [((conversation_id, fan_id), [WireMessage.model_validate(m) for m in bought])])

        errors = _at_once(postgres, refresh, _sent(account_id, fan_id, _message(204, CREATOR, 4)),
                          poll_pause="UPDATE conversations")
        assert errors == {}
        with db.read() as session:
            opened = session.scalar(select(Message.is_opened).where(
                Message.platform_message_id == 201))
        assert (_thread_of(db, fan_id), opened) == (([201, 203, 204], 204), True)
    finally:
        db.dispose()


@pytest.mark.postgres
def test_a_page_of_chats_reads_and_takes_its_fans_rows_in_one_statement(postgres: str) -> None:
    """The page read its fans (``sync_writes.local_fans``), then read them again to lock
    them (``threads.lock_fans``): one read takes them, in the order every writer does."""
    db = Database(postgres)
    try:
        account_id, _fan_id = _thread(db)
        written = _message(200, USER, 1)
        with captured_sql(db) as statements, db.write() as session:
            _polled(account_id, written, written)(session)
        taken = [sql for sql, _ in statements if "FOR NO KEY UPDATE" in sql]
        assert len(taken) == 1, taken
        assert "fans.nickname" in taken[0] and "ORDER BY fans.platform_user_id, fans.id" in taken[0]
    finally:
        db.dispose()
