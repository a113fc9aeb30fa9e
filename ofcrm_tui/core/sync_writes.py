"""The inbound sync's writes of media, fans and transactions (a thread's are in ``threads``).

Every write is an upsert on the platform ids, so two syncs at once leave no duplicates.
A fan deleted here (``fans.deleted``) is neither written nor made again by them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import ColumnElement, and_, bindparam, case, func, or_, select, update
from sqlalchemy.orm import Session

from ofcrm_tui.core import threads
from ofcrm_tui.core.fans import deleted
from ofcrm_tui.store.enums import SubscriptionStatus, TransactionType
from ofcrm_tui.store.models import Fan, Transaction, fan_display_name
from ofcrm_tui.store.types import utcnow
from ofcrm_tui.store.upsert import later, upsert

if TYPE_CHECKING:  # what the platform sent, handed over by the sync
    from ofcrm_tui.platform.wire import Media as WireMedia
    from ofcrm_tui.platform.wire import Transaction as WireTransaction
    from ofcrm_tui.platform.wire import User, UserSummary

# What each transaction type adds to on the fan's figures.
_SPEND_COLUMN = {
    TransactionType.TIP: "tips_cents",
    TransactionType.MESSAGE: "messages_cents",
    TransactionType.SUBSCRIPTION: "subscriptions_cents",
    TransactionType.POST: "posts_cents",
}


class LocalFan(NamedTuple):
    id: int
    display_name: str


def media_row(account_id: int, media: WireMedia) -> dict[str, object]:
    return {
        "account_id": account_id,
        "platform_media_id": media.id,
        "type": media.type,
        "created_at": media.created_at,
    }


def write_fans(session: Session, account_id: int, users: list[User]) -> None:
    """Subscribers as the platform lists them (but those deleted here): their figures
    win over local sums.

    Every unit of work that writes several fan rows (subscribers, chats, transactions)
    writes them in platform user id order: on PostgreSQL, concurrent syncs then wait
    for each other's row locks instead of deadlocking."""
    gone = deleted.when_deleted(session, account_id, [user.id for user in users])
    users = [user for user in users if user.id not in gone]
    link_made_by_hand(session, account_id, users)
    rows = [_fan_row(account_id, user) for user in sorted(users, key=_user_id)]
    upsert(
        session, Fan, rows, key=("account_id", "platform_user_id"), update=_FAN_UPDATE,
        merge=_merge,
    )


def _merge(excluded: Any) -> dict[str, ColumnElement[Any]]:
    """The latest change of the nickname wins, the platform's or ours: the platform's
    ``displayName`` replaces ours only when it differs from what the platform said last
    time. The first time it speaks (``platform_nickname`` NULL: the fan was made here,
    imported, or met in a chat), a nickname already set here stays.

    Last seen is the later of ours (a message from the fan moves it: ``threads``; a
    payment too: ``_seen_paying``) and the platform's, which may be older or none."""
    fans = Fan.__table__.c
    kept = or_(
        fans.platform_nickname == excluded.platform_nickname,
        and_(fans.platform_nickname.is_(None), fans.nickname != ""),
    )
    return {
        "nickname": case((kept, fans.nickname), else_=excluded.nickname),
        "platform_nickname": excluded.platform_nickname,
        "last_seen_at": later(fans.last_seen_at, excluded.last_seen_at),
    }


def link_made_by_hand(
    session: Session, account_id: int, users: Iterable[User | UserSummary]
) -> None:
    """A fan made by hand or imported without a platform id becomes the platform user of
    the same username (case aside) when a sync first meets them, keeping their notes,
    tags and history instead of gaining a twin. Several such fans of one username: the
    oldest is linked."""
    unknown = {user.username.lower(): user.id for user in users if user.username}
    if not unknown:
        return
    known = set(
        session.scalars(
            select(Fan.platform_user_id).where(
                Fan.account_id == account_id, Fan.platform_user_id.in_(unknown.values())
            )
        )
    )
    unknown = {name: user_id for name, user_id in unknown.items() if user_id not in known}
    if not unknown:
        return
    made_by_hand = session.execute(
        select(Fan.id, Fan.username)
        .where(
            Fan.account_id == account_id,
            Fan.platform_user_id.is_(None),
            func.lower(Fan.username).in_(unknown),
        )
        .order_by(Fan.id)
    )
    for fan_id, username in made_by_hand:
        user_id = unknown.pop(username.lower(), None)
        if user_id is not None:
            session.execute(update(Fan).where(Fan.id == fan_id).values(platform_user_id=user_id))


def _user_id(user: UserSummary) -> int:
    return user.id


def _fan_row(account_id: int, user: User) -> dict[str, object]:
    sub = user.subscription
    now = utcnow()
    return {
        "account_id": account_id,
        "platform_user_id": user.id,
        "username": user.username,
        "name": user.name,
        "nickname": user.display_name,
        "platform_nickname": user.display_name,
        "last_seen_at": user.last_seen,
        "subscription_status": sub.status,
        "subscribed_at": sub.subscribe_at,
        "expires_at": sub.expired_at,
        "renewed_at": sub.renewed_at,
        "subscribe_price_cents": sub.subscribe_price_cents,
        "total_spent_cents": sub.total_cents,
        "tips_cents": sub.tips_cents,
        "messages_cents": sub.messages_cents,
        "subscriptions_cents": sub.subscribes_cents,
        "posts_cents": sub.posts_cents,
        "created_at": now,
        "updated_at": now,
    }


def local_fans(
    session: Session, account_id: int, users: Iterable[UserSummary], *, lock: bool = False
) -> dict[int, LocalFan]:
    """Local fans (id, display name) for platform users, creating minimal fans for
    unknown ones; ``lock``: their rows taken in the same read, as ``threads.lock_fans``
    takes them (a page of chats, which writes their threads next).

    A chat or a transaction can name a user before the next subscribers refresh.
    """
    wanted = {user.id: user for user in users}
    if not wanted:
        return {}
    link_made_by_hand(session, account_id, wanted.values())
    now = utcnow()
    upsert(
        session,
        Fan,
        [
            {
                "account_id": account_id,
                "platform_user_id": user.id,
                "username": user.username,
                "name": user.name,
                "nickname": "",
                "subscription_status": SubscriptionStatus.ACTIVE,
                "subscribe_price_cents": 0,
                "total_spent_cents": 0,
                "tips_cents": 0,
                "messages_cents": 0,
                "subscriptions_cents": 0,
                "posts_cents": 0,
                "created_at": now,
                "updated_at": now,
            }
            for user in sorted(wanted.values(), key=_user_id)
        ],
        key=("account_id", "platform_user_id"),
    )
    read = select(Fan.platform_user_id, Fan.id, Fan.nickname, Fan.name, Fan.username).where(
        Fan.account_id == account_id, Fan.platform_user_id.in_(wanted)
    )
    rows = session.execute(threads.fans_locked(read) if lock else read)
    return {
        platform_id: LocalFan(fan_id, fan_display_name(nickname, name, username))
        for platform_id, fan_id, nickname, name, username in rows
    }


def write_transactions(
    session: Session, account_id: int, fresh: list[WireTransaction], *, add_to_spend: bool
) -> None:
    """New transactions, their fans created when unknown; ``add_to_spend`` adds their
    amounts to the fans' figures (between two refreshes of the platform's own). Those
    of fans deleted here are kept unlinked, as their older ones were."""
    gone = deleted.when_deleted(session, account_id, {t.user.id for t in fresh})
    local = local_fans(session, account_id, (t.user for t in fresh if t.user.id not in gone))
    fans = {user_id: fan.id for user_id, fan in local.items()}
    known = set(
        session.scalars(
            select(Transaction.platform_transaction_id).where(
                Transaction.account_id == account_id,
                Transaction.platform_transaction_id.in_([t.id for t in fresh]),
            )
        )
    )
    new = [t for t in fresh if t.id not in known]
    upsert(
        session,
        Transaction,
        [
            {
                "account_id": account_id,
                "platform_transaction_id": t.id,
                "fan_id": fans.get(t.user.id),
                "platform_user_id": t.user.id,
                "type": t.type,
                "amount_cents": t.amount_cents,
                "net_cents": t.net_cents,
                "fee_cents": t.fee_cents,
                "currency": t.currency,
                "description": t.description,
                "status": t.status,
                "created_at": t.created_at,
            }
            for t in new
        ],
        key=("account_id", "platform_transaction_id"),
    )
    _seen_paying(session, fans, new)
    if not add_to_spend:
        return
    # Between two refreshes of the platform's own figures, new money adds on.
    for t in sorted((t for t in new if t.user.id in fans), key=lambda t: t.user.id):
        column = _SPEND_COLUMN.get(TransactionType(t.type))
        values = {"total_spent_cents": Fan.total_spent_cents + t.amount_cents}
        if column:
            values[column] = getattr(Fan, column) + t.amount_cents
        session.execute(update(Fan).where(Fan.id == fans[t.user.id]).values(**values))


_FANS = Fan.__table__
_SEEN = _FANS.c.last_seen_at
# The fan's last seen, to the time given if later.
_SEEN_LATER = _FANS.update().where(_FANS.c.id == bindparam("b_fan")).values(
    last_seen_at=later(_SEEN, bindparam("b_at", type_=_SEEN.type)))


def _seen_paying(
    session: Session, fans: dict[int, int], new: list[WireTransaction]
) -> None:
    """A fan who paid was there then (a tip, a PPV bought, a post, a stream): their last
    seen moves to their newest such payment if later, now rather than at the next fans
    refresh (the same rule as a message: ``threads.advance_fan_times``). A subscription
    renews by itself: no sign of the fan, whose row is not written. The rows go in
    platform user id order (``write_fans``)."""
    newest: dict[int, datetime] = {}
    for t in new:
        if t.user.id in fans and t.type != TransactionType.SUBSCRIPTION:
            newest[t.user.id] = max(newest.get(t.user.id, t.created_at), t.created_at)
    if newest:
        session.execute(_SEEN_LATER, [{"b_fan": fans[user_id], "b_at": at}
                                      for user_id, at in sorted(newest.items())])


_FAN_UPDATE = (
    "username",
    "name",
    "subscription_status",
    "subscribed_at",
    "expires_at",
    "renewed_at",
    "subscribe_price_cents",
    "total_spent_cents",
    "tips_cents",
    "messages_cents",
    "subscriptions_cents",
    "posts_cents",
    "updated_at",
)
