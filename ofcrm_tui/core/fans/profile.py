"""The fan detail read model: who the fan is, their subscription, what they spent, and
paged histories (purchases and tips, notes). The last messages come from the inbox's
``thread_page`` on ``FanProfile.conversation_id``.

Every function filters by ``account_id``; a fan of another account reads as missing.
Text (names, notes, descriptions) is returned raw: the UI shows it literally.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select

from ofcrm_tui.core.fans.edits import NoteView, fan_tags
from ofcrm_tui.core.fans.fields import subscription
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation, Fan, Note, Transaction, fan_display_name


class FanNotFound(OfcrmError):
    pass


@dataclass(frozen=True)
class SpendSplit:
    subscriptions_cents: int
    tips_cents: int
    messages_cents: int
    posts_cents: int
    total_cents: int  # the platform's total (lifetime value): may hold what the split lacks


@dataclass(frozen=True)
class FanProfile:
    fan_id: int
    platform_user_id: int | None  # None: created by hand
    username: str
    name: str
    nickname: str
    display_name: str
    last_seen_at: datetime | None
    subscription_status: str | None  # None: no subscription data (``fields.subscription``)
    subscribed_at: datetime | None
    expires_at: datetime | None
    renewed_at: datetime | None
    subscribe_price_cents: int
    spend: SpendSplit
    tags: tuple[str, ...]
    conversation_id: int | None  # None: no chat yet
    last_message_at: datetime | None

    @property
    def lifetime_value_cents(self) -> int:
        return self.spend.total_cents

    @property
    def by_hand(self) -> bool:
        return self.platform_user_id is None


@dataclass(frozen=True)
class Purchase:
    """A transaction of the fan: subscription, tip, message (PPV), post or stream."""

    id: int
    created_at: datetime
    type: str
    amount_cents: int
    net_cents: int
    description: str
    status: str


def fan_profile(db: Database, account_id: int, fan_id: int) -> FanProfile:
    with db.read() as session:
        row = session.execute(
            select(Fan, Conversation.id, Conversation.last_message_at)
            .outerjoin(Conversation, Conversation.fan_id == Fan.id)
            .where(Fan.account_id == account_id, Fan.id == fan_id)
        ).first()
        if row is None:
            raise FanNotFound(f"no fan #{fan_id} in this account")
        fan, conversation_id, last_message_at = row
        return FanProfile(
            fan_id=fan.id,
            platform_user_id=fan.platform_user_id,
            username=fan.username,
            name=fan.name,
            nickname=fan.nickname,
            display_name=fan_display_name(fan.nickname, fan.name, fan.username),
            last_seen_at=fan.last_seen_at,
            subscription_status=subscription(fan.platform_user_id, fan.subscription_status),
            subscribed_at=fan.subscribed_at,
            expires_at=fan.expires_at,
            renewed_at=fan.renewed_at,
            subscribe_price_cents=fan.subscribe_price_cents,
            spend=SpendSplit(fan.subscriptions_cents, fan.tips_cents, fan.messages_cents,
                             fan.posts_cents, fan.total_spent_cents),
            tags=fan_tags(session, account_id, fan_id),
            conversation_id=conversation_id,
            last_message_at=last_message_at,
        )


def purchases_page(
    db: Database, account_id: int, fan_id: int, *, after: Purchase | None = None, limit: int = 50
) -> list[Purchase]:
    """The fan's purchases and tips, newest first; ``after``: the last row of the
    previous page (keyset on created_at, id)."""
    t = Transaction
    query = select(t).where(t.account_id == account_id, t.fan_id == fan_id)
    if after is not None:
        query = query.where(
            or_(t.created_at < after.created_at, and_(t.created_at == after.created_at, t.id < after.id))
        )
    with db.read() as session:
        rows = session.scalars(query.order_by(t.created_at.desc(), t.id.desc()).limit(limit))
        return [Purchase(r.id, r.created_at, r.type, r.amount_cents, r.net_cents, r.description,
                         r.status) for r in rows]


def notes_page(
    db: Database, account_id: int, fan_id: int, *, after: NoteView | None = None, limit: int = 50
) -> list[NoteView]:
    """The fan's notes, newest first, keyset-paged like ``purchases_page``."""
    query = select(Note).where(Note.account_id == account_id, Note.fan_id == fan_id)
    if after is not None:
        query = query.where(
            or_(Note.created_at < after.created_at,
                and_(Note.created_at == after.created_at, Note.id < after.id))
        )
    with db.read() as session:
        rows = session.scalars(query.order_by(Note.created_at.desc(), Note.id.desc()).limit(limit))
        return [NoteView.of(n) for n in rows]
