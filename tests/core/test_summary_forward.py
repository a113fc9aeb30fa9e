"""A conversation's summary (its last message, preview, direction, sender) never goes
back to an older message: a poll writes the chat's last message as it read it, and a
send stored after that read is newer. The poll's summary went back to the older
message until the next poll (found beside the poll/send deadlock)."""

from __future__ import annotations

from sqlalchemy import select

from ofcrm_tui.core.sync_chats import ChatWrites
from ofcrm_tui.platform.wire import Message as WireMessage
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation
from tests.core.test_thread_write_locks import (
    CREATOR,
    USER,
    _chat,
    _message,
    _sent,
    _thread,
)


def _summary(db: Database, fan_id: int) -> tuple[object, ...]:
    with db.read() as session:
        return tuple(session.execute(select(
            Conversation.last_platform_message_id, Conversation.last_message_preview,
            Conversation.last_message_direction, Conversation.last_message_sent_by,
            Conversation.unread_count,
        ).where(Conversation.fan_id == fan_id)).one())


def test_a_poll_read_before_a_send_keeps_the_send_s_summary(db: Database) -> None:
    account_id, fan_id = _thread(db)
    with db.write() as session:  # the send, stored after the poll read the chat
        _sent(account_id, fan_id, _message(201, CREATOR, 2))(session)
    after_send = _summary(db, fan_id)
    assert after_send[:2] == (201, "m201")
    fan_message = _message(200, USER, 1)
    with db.write() as session:  # the poll: the chat's last message was the fan's 200
        ChatWrites(account_id, CREATOR).page(
            session, [(_chat(fan_message), [WireMessage.model_validate(fan_message)])],
            back=(), live=True)
    # The summary stays the send's; the unread count is the poll's.
    assert _summary(db, fan_id) == (*after_send[:4], 1)
    newer = _message(202, USER, 3)
    with db.write() as session:  # a later poll with a newer message moves it on
        ChatWrites(account_id, CREATOR).page(
            session, [(_chat(newer), [WireMessage.model_validate(newer)])], back=(), live=True)
    assert _summary(db, fan_id)[:3] == (202, "m202", "in")
