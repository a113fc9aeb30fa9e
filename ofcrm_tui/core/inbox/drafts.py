"""What a chatter typed in a conversation and has not sent yet, kept across restarts.

One draft per conversation and chatter: in team mode another chatter's unsent text never
shows in your composer. A draft saved before team mode (chatter ``""``) is loaded by the
next chatter who opens the conversation, and becomes theirs when they save. Saving an
empty draft (no text, no price, no media) deletes it, so "clear the composer", "discard
the draft" and "forget the draft of a sent message" are the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select

from ofcrm_tui.core.outbox import OutboxError, check_offer
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation
from ofcrm_tui.store.models import Draft as DraftRow
from ofcrm_tui.store.types import utcnow


# The chatter of drafts saved before drafts were per chatter (migration 0019).
LEGACY = ""


class DraftError(OfcrmError):
    pass


@dataclass(frozen=True)
class Draft:
    text: str
    price_cents: int = 0
    media_ids: tuple[int, ...] = ()
    preview_ids: tuple[int, ...] = ()  # which of media_ids the fan sees for free


def load_draft(
    db: Database, account_id: int, conversation_id: int, chatter: str = ""
) -> Draft | None:
    """The chatter's draft (else one saved before team mode), or None."""
    with db.read() as session:
        row = session.execute(
            select(
                DraftRow.text, DraftRow.price_cents, DraftRow.media_ids, DraftRow.preview_ids
            )
            .where(
                DraftRow.account_id == account_id,
                DraftRow.conversation_id == conversation_id,
                DraftRow.chatter.in_(_whose(chatter)),
            )
            .order_by(DraftRow.chatter == LEGACY)
            .limit(1)
        ).first()
    if row is None:
        return None
    return Draft(
        text=row.text,
        price_cents=row.price_cents,
        media_ids=tuple(row.media_ids or ()),
        preview_ids=tuple(row.preview_ids or ()),
    )


def save_draft(
    db: Database,
    account_id: int,
    conversation_id: int,
    text: str,
    price_cents: int = 0,
    media_ids: Sequence[int] = (),
    preview_ids: Sequence[int] = (),
    chatter: str = "",
) -> bool:
    """Keep the chatter's draft (replacing any earlier one, and one saved before team
    mode); an empty one deletes it. Returns whether the chatter has a draft there now.

    Text that is only whitespace counts as empty. Raises ``DraftError`` (and keeps
    the earlier draft) for a negative price, media ids that are not positive or
    listed twice, previews that are not among the draft's media, or a conversation
    that is not this account's.
    """
    if price_cents < 0:
        raise DraftError("a draft's price cannot be negative")
    try:
        # The media rules of a send; its price range is checked when it is sent.
        media, previews = check_offer(0, media_ids, preview_ids)
    except OutboxError as exc:
        raise DraftError(f"draft not saved: {exc}") from None
    empty = not text.strip() and price_cents == 0 and not media
    with db.write() as session:
        owned = session.scalar(
            select(Conversation.id).where(
                Conversation.id == conversation_id, Conversation.account_id == account_id
            )
        )
        if owned is None:
            raise DraftError(f"no conversation #{conversation_id} in this account")
        session.execute(
            delete(DraftRow).where(
                DraftRow.account_id == account_id,
                DraftRow.conversation_id == conversation_id,
                DraftRow.chatter.in_(_whose(chatter)),
            )
        )
        if empty:
            return False
        session.add(DraftRow(
            account_id=account_id, conversation_id=conversation_id, chatter=chatter, text=text,
            price_cents=price_cents, media_ids=media, preview_ids=previews, updated_at=utcnow(),
        ))
        return True


def _whose(chatter: str) -> tuple[str, ...]:
    """The drafts that are the chatter's: theirs, and any saved before team mode."""
    return (chatter, LEGACY) if chatter != LEGACY else (LEGACY,)
