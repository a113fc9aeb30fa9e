"""The inbound sync's writes of chats: a page of chats (conversations, messages, the
fans back from a deletion here) in one unit of work, and the unread counts of those
read elsewhere.

The fans' rows go in platform user id order, as every sync writes them
(``sync_writes.write_fans``), and are taken before anything of their threads
(``threads.lock_fans``, or as ``sync_writes.local_fans`` reads them); a fan deleted here
stays left out (``fans.deleted``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ofcrm_tui.core import sync_writes, threads
from ofcrm_tui.core.fans import deleted
from ofcrm_tui.core.inbox.thread import unread_kept
from ofcrm_tui.store.bounds import IN_CHUNK
from ofcrm_tui.store.enums import Direction
from ofcrm_tui.store.models import Conversation, Fan, Message
from ofcrm_tui.store.upsert import upsert

if TYPE_CHECKING:  # handed over by the sync
    from ofcrm_tui.platform.wire import Chat
    from ofcrm_tui.platform.wire import Message as WireMessage

_CONVERSATION_UPDATE = ("last_read_platform_message_id",)


@dataclass
class ChatsWritten:
    """What a page of chats added: chats and new messages written and, for a live poll,
    the fans' new messages (conversation id, the fan's name as the inbox shows it, the
    message), each chat's oldest first."""

    chats: int = 0
    messages: int = 0
    arrived: list[tuple[int, str, WireMessage]] = field(default_factory=list)


class ChatWrites:
    """The chat writes of one account, whose creator's messages are the outbound ones."""

    def __init__(self, account_id: int, creator_id: int | None) -> None:
        self.account_id = account_id
        self.creator_id = creator_id

    def direction(self, message: WireMessage) -> str:
        return Direction.OUTBOUND if message.from_user.id == self.creator_id else Direction.INBOUND

    def page(
        self,
        session: Session,
        fetched: list[tuple[Chat, list[WireMessage]]],
        *,
        back: Collection[int],
        live: bool,
    ) -> ChatsWritten:
        """Write the chats read (each with its messages newer than those known); ``back``:
        the users deleted here who wrote again since."""
        # Fans who wrote again since their deletion here are back; one deleted meanwhile
        # (since the page was read) stays deleted.
        deleted.forget(session, self.account_id, platform_user_ids=back)
        gone = deleted.when_deleted(session, self.account_id,
                                    [chat.with_user.id for chat, _ in fetched])
        fetched = [item for item in fetched if item[0].with_user.id not in gone]
        written = ChatsWritten()
        if not fetched:
            return written
        # Fan rows (last seen) in platform user id order, as every sync writes them,
        # taken as they are read.
        ordered = sorted(fetched, key=lambda item: item[0].with_user.id)
        users = (chat.with_user for chat, _ in ordered)
        local = sync_writes.local_fans(session, self.account_id, users, lock=True)
        fans = {user_id: fan.id for user_id, fan in local.items()}
        senders = self._senders(session, [chat.last_message.id for chat, _ in ordered
                                          if chat.last_message is not None])
        upsert(
            session,
            Conversation,
            [self._conversation_row(fans[chat.with_user.id], chat, senders)
             for chat, _ in ordered],
            key=("fan_id",),
            update=_CONVERSATION_UPDATE,
            merge=lambda offered: {"unread_count": unread_kept(offered.unread_count),
                                   **threads.summary_unless_older(offered)},
        )
        conversations = self._conversations(session, list(fans.values()))
        new_ids = self._messages(
            session,
            [(conversations[fans[chat.with_user.id]], messages) for chat, messages in ordered],
        )
        written.chats, written.messages = len(fetched), len(new_ids)
        if live:
            for chat, messages in fetched:
                fan = local[chat.with_user.id]
                conversation_id = conversations[fan.id][0]
                written.arrived.extend(
                    (conversation_id, fan.display_name, m) for m in reversed(messages)
                    if m.id in new_ids and m.from_user.id != self.creator_id
                )
        return written

    def _conversation_row(
        self, fan_id: int, chat: Chat, senders: dict[int, str]
    ) -> dict[str, object]:
        last = chat.last_message
        assert last is not None
        return {
            "account_id": self.account_id,
            "fan_id": fan_id,
            "unread_count": chat.unread_count,
            "last_read_platform_message_id": chat.last_read_message_id,
            **threads.summary(threads.message_values(
                last, direction=self.direction(last), sent_by=senders.get(last.id))),
        }

    def _senders(self, session: Session, ids: list[int]) -> dict[int, str]:
        """platform message id -> the chatter who sent it from ofcrm, for those of ``ids``
        the sender has stored (the platform does not say which chatter sent a message)."""
        found: dict[int, str] = {}
        for start in range(0, len(ids), IN_CHUNK):
            found.update(session.execute(
                select(Message.platform_message_id, Message.sent_by).where(
                    Message.account_id == self.account_id,
                    Message.platform_message_id.in_(ids[start : start + IN_CHUNK]),
                    Message.sent_by.is_not(None),
                )
            ).all())
        return found

    def _conversations(self, session: Session, fan_ids: list[int]) -> dict[int, tuple[int, int]]:
        """fan id -> (conversation id, fan id)."""
        rows = session.execute(
            select(Conversation.fan_id, Conversation.id).where(
                Conversation.account_id == self.account_id, Conversation.fan_id.in_(fan_ids)
            )
        )
        return {fan_id: (conversation_id, fan_id) for fan_id, conversation_id in rows}

    def unread(self, session: Session, chats: list[Chat]) -> None:
        """Read elsewhere (another device, another chatter): follow the platform's count."""
        for chat in chats:
            session.execute(
                update(Conversation)
                .where(
                    Conversation.account_id == self.account_id,
                    Conversation.fan_id.in_(
                        select(Fan.id).where(
                            Fan.account_id == self.account_id,
                            Fan.platform_user_id == chat.with_user.id,
                        )
                    ),
                    Conversation.unread_count != unread_kept(chat.unread_count),
                )
                .values(
                    unread_count=unread_kept(chat.unread_count),
                    last_read_platform_message_id=chat.last_read_message_id,
                )
            )

    def messages(
        self, session: Session, chats: list[tuple[tuple[int, int], list[WireMessage]]]
    ) -> set[int]:
        """Upsert messages of (conversation id, fan id) pairs, their fans' rows taken
        first (``threads.lock_fans``); returns the new platform ids."""
        threads.lock_fans(session, self.account_id, [fan_id for (_, fan_id), _ in chats])
        return self._messages(session, chats)

    def _messages(
        self, session: Session, chats: list[tuple[tuple[int, int], list[WireMessage]]]
    ) -> set[int]:
        """``messages``, their fans' rows taken already."""
        ids = [m.id for _, messages in chats for m in messages]
        if not ids:
            return set()
        known: set[int] = set()
        for start in range(0, len(ids), IN_CHUNK):
            known.update(
                session.scalars(
                    select(Message.platform_message_id).where(
                        Message.account_id == self.account_id,
                        Message.platform_message_id.in_(ids[start : start + IN_CHUNK]),
                    )
                )
            )
        by_conversation = {
            conversation_id: [
                {
                    "account_id": self.account_id,
                    "conversation_id": conversation_id,
                    "fan_id": fan_id,
                    **threads.message_values(m, direction=self.direction(m), sent_by=None),
                }
                for m in messages
            ]
            for (conversation_id, fan_id), messages in chats
        }
        threads.write_messages(
            session,
            [row for rows in by_conversation.values() for row in rows],
            update=("is_opened",),
        )
        threads.advance_fan_times(session, by_conversation)
        return set(ids) - known
