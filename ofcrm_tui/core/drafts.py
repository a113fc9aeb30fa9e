"""What a chatter typed in a conversation and has not sent yet, kept across restarts.

One draft per conversation. Saving an empty draft (no text, no price, no media)
deletes it, so "clear the composer" and "discard the draft" are the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select

from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation
from ofcrm_tui.store.models import Draft as DraftRow
from ofcrm_tui.store.types import utcnow
from ofcrm_tui.store.upsert import upsert


class DraftError(OfcrmError):
    pass


@dataclass(frozen=True)
class Draft:
    text: str
    price_cents: int = 0
    media_ids: tuple[int, ...] = ()


def load_draft(db: Database, account_id: int, conversation_id: int) -> Draft | None:
    with db.read() as session:
        row = session.execute(
            select(DraftRow.text, DraftRow.price_cents, DraftRow.media_ids).where(
                DraftRow.account_id == account_id, DraftRow.conversation_id == conversation_id
            )
        ).first()
    if row is None:
        return None
    return Draft(text=row.text, price_cents=row.price_cents, media_ids=tuple(row.media_ids or ()))


def save_draft(
    db: Database,
    account_id: int,
    conversation_id: int,
    text: str,
    price_cents: int = 0,
    media_ids: Sequence[int] = (),
) -> None:
    """Keep the draft (replacing any earlier one); an empty one deletes it.

    Text that is only whitespace counts as empty. Raises ``DraftError`` for a
    negative price or a conversation that is not this account's.
    """
    if price_cents < 0:
        raise DraftError("a draft's price cannot be negative")
    media = [int(media_id) for media_id in media_ids]
    empty = not text.strip() and price_cents == 0 and not media
    with db.write() as session:
        owned = session.scalar(
            select(Conversation.id).where(
                Conversation.id == conversation_id, Conversation.account_id == account_id
            )
        )
        if owned is None:
            raise DraftError(f"no conversation #{conversation_id} in this account")
        if empty:
            session.execute(
                delete(DraftRow).where(
                    DraftRow.account_id == account_id, DraftRow.conversation_id == conversation_id
                )
            )
            return
        upsert(
            session,
            DraftRow,
            [
                {
                    "account_id": account_id,
                    "conversation_id": conversation_id,
                    "text": text,
                    "price_cents": price_cents,
                    "media_ids": media,
                    "updated_at": utcnow(),
                }
            ],
            key=("conversation_id",),
            update=("text", "price_cents", "media_ids", "updated_at"),
        )


def delete_draft(db: Database, account_id: int, conversation_id: int) -> None:
    """Forget the draft (after it was sent); nothing happens when there is none.

    Added beyond docs/inbox-api.md (``save_draft`` with an empty text does the same).
    """
    with db.write() as session:
        session.execute(
            delete(DraftRow).where(
                DraftRow.account_id == account_id, DraftRow.conversation_id == conversation_id
            )
        )
