"""The outbound queue's rules: what a message may be, whose it may be, and in what order it goes.

One ``outbound_messages`` row per message to send. States::

    queued -> sending -> sent
                  \\-> unknown (ambiguous answer, or the worker died) -> sent | queued
                  \\-> queued (clear failure, retried with backoff; or 429) -> ... -> failed
    queued | paused | failed -> cancelled (discard);  failed -> queued (manual retry)

Media ids are the platform's media ids (``Media.platform_media_id``, the ids the vault
and the platform show), checked against the local vault of the account. Fan ids are
local ``Fan.id`` values.

The platform does not deliver messages to fans whose subscription has expired (``403``),
so nothing is queued or retried for a fan whose local ``subscription_status`` is
``expired``. That status is the one last synced and may be stale, which is accepted: a
fan who resubscribed is refused until the next sync of fans refreshes the row (the poll
rereads them every ``sync.FANS_EVERY``; ``ofcrm sync`` does it at once), and one who
expired since is queued and fails with the platform's reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, case, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.platform.errors import one_line
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.store.enums import CampaignStatus, OutboundKind, OutboundState, SubscriptionStatus
from ofcrm_tui.store.models import (
    Account,
    Campaign,
    Conversation,
    Fan,
    Media,
    OutboundMessage,
    TeamPresence,
    fan_display_name,
)
from ofcrm_tui.store.types import utcnow

MAX_TEXT_CHARS = 10_000
MIN_PRICE_CENTS = 300
MAX_PRICE_CENTS = 20_000
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_REPLY_RESERVE_PER_MINUTE = 3
# An app's presence row not beaten for this long is of an app gone (``Settings``' default).
DEFAULT_PRESENCE_EXPIRY_SECONDS = 6.0
MANUAL_RETRIES_PER_MINUTE = 10
MAX_CREATED_BY = 128

DISCARDED = "discarded"  # a cancelled message a person discarded, as people read it


def shown_state(state: OutboundState, campaign_cancelled: bool = False) -> str:
    """A message's state in the words people read: a cancelled message is ``discarded``
    (a person discarded it: Failed messages' d, ``ofcrm failed discard``) unless it went
    with its cancelled campaign (``cancelled``). The one mapping: the queue's counts, a
    campaign's progress and its recipients say the same."""
    if state == OutboundState.CANCELLED and not campaign_cancelled:
        return DISCARDED
    return state.value


# Lower sends first: replies, then manual sends, then campaign rows.
PRIORITY = {OutboundKind.REPLY: 10, OutboundKind.MANUAL: 20, OutboundKind.CAMPAIGN: 30}

# Rows a thread shows under the sent messages: not sent yet, not given up on by a person.
PENDING_STATES = (
    OutboundState.QUEUED,
    OutboundState.SENDING,
    OutboundState.UNKNOWN,
    OutboundState.FAILED,
    OutboundState.PAUSED,
)
# Rows the queue still has to deal with.
ACTIVE_STATES = (OutboundState.QUEUED, OutboundState.SENDING, OutboundState.UNKNOWN)
# Rows still to go out: the queue's, and those a paused campaign holds (not failed ones,
# which go again only if a person retries them).
WAITING_STATES = (*ACTIVE_STATES, OutboundState.PAUSED)
DISCARDABLE_STATES = (OutboundState.QUEUED, OutboundState.PAUSED, OutboundState.FAILED)

CHUNK = 5_000

EXPIRED_REASON = "the platform does not deliver messages to expired fans"


class OutboxError(OfcrmError):
    """A message that cannot be queued, or a queue action refused; one line, for the user."""


class NoAccount(OutboxError):
    """The account is not there, or not to this role (a manager took it from the chatter)."""


def normalise_text(text: str) -> str:
    """A message's text as it is stored, shown and sent: line ends as the platform gives
    them back (\\n), without the blank lines before it or the whitespace after it (the
    Enter that ended a reply); inner blank lines and indents kept. Every way a message
    is queued goes through here (``NewMessage.checked``, a campaign's ``check_text``)."""
    if not isinstance(text, str):
        raise OutboxError("the message text must be a string")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").rstrip().split("\n")
    while lines and not lines[0].strip():
        del lines[0]
    return "\n".join(lines)


@dataclass(frozen=True)
class NewMessage:
    """One message to queue for one fan or many, checked against the rules that need no
    database; ``check_references`` does the rest inside the unit of work that queues it."""

    account_id: int
    kind: OutboundKind
    text: str
    price_cents: int
    media: list[int]
    previews: list[int]
    campaign_id: int | None
    created_by: str
    max_attempts: int
    now: datetime

    @classmethod
    def checked(
        cls,
        account_id: int,
        text: str,
        *,
        kind: OutboundKind | str,
        created_by: str,
        campaign_id: int | None,
        price_cents: int = 0,
        media_ids: Sequence[int] = (),
        preview_ids: Sequence[int] = (),
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        now: datetime | None = None,
    ) -> NewMessage:
        kind = _kind(kind)
        text = check_text(text)
        media, previews = check_offer(price_cents, media_ids, preview_ids)
        created_by = check_created_by(created_by)
        _check_max_attempts(max_attempts)
        return cls(
            account_id=account_id,
            kind=kind,
            text=text,
            price_cents=price_cents,
            media=media,
            previews=previews,
            campaign_id=campaign_id,
            created_by=created_by,
            max_attempts=max_attempts,
            now=now or utcnow(),
        )

    def check_references(self, session: Session, fan_ids: list[int]) -> None:
        """The account, fans, media and campaign named are the account's."""
        _check_account(session, self.account_id)
        _check_fans(session, self.account_id, fan_ids)
        _check_media(session, self.account_id, self.media)
        _check_campaign(session, self.account_id, self.campaign_id)

    def row(self, fan_id: int) -> dict[str, object]:
        return {
            "account_id": self.account_id,
            "fan_id": fan_id,
            "campaign_id": self.campaign_id,
            "kind": self.kind.value,
            "priority": PRIORITY[self.kind],
            "text": self.text,
            "price_cents": self.price_cents,
            "media_ids": self.media,
            "preview_ids": self.previews,
            "state": OutboundState.QUEUED.value,
            "attempts": 0,
            "max_attempts": self.max_attempts,
            "next_attempt_at": self.now,
            "created_by": self.created_by,
            "created_at": self.now,
            "updated_at": self.now,
        }


def _kind(kind: OutboundKind | str) -> OutboundKind:
    try:
        return OutboundKind(kind)
    except ValueError:
        names = ", ".join(k.value for k in OutboundKind)
        raise OutboxError(f"unknown message kind {kind!r} (one of {names})") from None


def check_price(price_cents: int) -> int:
    """A message's price in cents: free (0) or within the platform's range."""
    if isinstance(price_cents, bool) or not isinstance(price_cents, int):
        raise OutboxError("the price must be a whole number of cents")
    if price_cents != 0 and not MIN_PRICE_CENTS <= price_cents <= MAX_PRICE_CENTS:
        raise OutboxError(
            f"the price must be $0 (free) or between {format_cents(MIN_PRICE_CENTS)} "
            f"and {format_cents(MAX_PRICE_CENTS)}"
        )
    return price_cents


def check_text(text: str) -> str:
    """A message's text as the platform takes it (``normalise_text``): not empty, not
    too long."""
    text = normalise_text(text)
    if not text:
        raise OutboxError("the message is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise OutboxError(
            f"the message is {len(text):,} characters long; the platform takes at most "
            f"{MAX_TEXT_CHARS:,}"
        )
    return text


def check_offer(
    price_cents: int, media_ids: Sequence[int], preview_ids: Sequence[int]
) -> tuple[list[int], list[int]]:
    """The contract's rules for what a message sells: (media, previews), or OutboxError
    with the first rule broken. The PPV dialog checks with it as the chatter types."""
    check_price(price_cents)
    media = _ids("media", media_ids)
    previews = _ids("preview", preview_ids)
    if price_cents and not media:
        raise OutboxError("a priced message needs at least one media item")
    stray = [i for i in previews if i not in set(media)]
    if stray:
        raise OutboxError(f"previews must be among the message's media (not: {id_list(stray)})")
    return media, previews


def _ids(what: str, values: Sequence[int]) -> list[int]:
    ids = list(values)
    if any(isinstance(i, bool) or not isinstance(i, int) or not 0 < i < 2**63 for i in ids):
        raise OutboxError(f"{what} ids must be positive whole numbers")  # (a column's range)
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise OutboxError(f"{what} listed more than once: {id_list(twice)}")
    return ids


def check_created_by(created_by: str) -> str:
    name = (created_by or "").strip()
    if not name:
        raise OutboxError("a message needs the name of the chatter who sends it")
    if len(name) > MAX_CREATED_BY:
        raise OutboxError(f"the chatter name is longer than {MAX_CREATED_BY} characters")
    return name


def _check_max_attempts(max_attempts: int) -> None:
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise OutboxError("max_attempts must be at least 1")


def _check_account(session: Session, account_id: int) -> None:
    if session.get(Account, account_id) is None:
        raise OutboxError(f"no account #{account_id}")


def _check_fans(session: Session, account_id: int, fan_ids: list[int]) -> None:
    if any(isinstance(i, bool) or not isinstance(i, int) for i in fan_ids):
        raise OutboxError("fan ids must be whole numbers")
    found: dict[int, FanLabel] = {}
    for start in range(0, len(fan_ids), CHUNK):
        chunk = fan_ids[start : start + CHUNK]
        found.update(
            (row.id, FanLabel.of(row))
            for row in session.execute(
                select(*FAN_LABEL_COLUMNS).where(Fan.account_id == account_id, Fan.id.in_(chunk))
            )
        )
    missing = [i for i in fan_ids if i not in found]
    if missing:
        if len(fan_ids) == 1:
            raise OutboxError(f"fan #{missing[0]} is not a fan of this account")
        raise OutboxError(f"{len(missing)} recipients are not fans of this account ({id_list(missing)})")
    by_hand = [found[i] for i in fan_ids if not found[i].on_platform]
    if by_hand:
        raise OutboxError(by_hand_reason(by_hand, of=len(fan_ids)))
    expired = [found[i] for i in fan_ids if found[i].expired]
    if expired:
        raise OutboxError(expired_reason(expired, of=len(fan_ids)))


@dataclass(frozen=True)
class FanLabel:
    """What an error needs to name a fan, and whether the platform would take a message."""

    display_name: str
    username: str
    expired: bool
    on_platform: bool  # False: made by hand, not found on the platform by a sync yet

    @classmethod
    def of(cls, row: Row[Any]) -> FanLabel:
        return cls(
            display_name=fan_display_name(row.nickname, row.name, row.username),
            username=row.username,
            expired=row.subscription_status == SubscriptionStatus.EXPIRED,
            on_platform=row.platform_user_id is not None,
        )


FAN_LABEL_COLUMNS = (
    Fan.id, Fan.nickname, Fan.name, Fan.username, Fan.subscription_status, Fan.platform_user_id
)
BY_HAND_REASON = "nothing can be sent until a sync finds them on the platform"


def by_hand_reason(fans: Sequence[FanLabel], *, of: int) -> str:
    """One line saying that ``fans`` of the ``of`` recipients were made by hand and are
    not on the platform (as far as the last sync knows)."""
    if of == 1 and len(fans) == 1:
        return f"{one_line(fans[0].display_name)} was made by hand: {BY_HAND_REASON}"
    names = id_list(list(dict.fromkeys("@" + one_line(fan.username) for fan in fans)))
    which = "was" if len(fans) == 1 else "were"
    return f"{len(fans)} of the {of} recipients {which} made by hand ({names}): {BY_HAND_REASON}"


def expired_reason(fans: Sequence[FanLabel], *, of: int, what: str = "recipient") -> str:
    """One line saying that ``fans`` (one a recipient, or a message when ``what`` is
    "message") of the ``of`` asked about are expired; the same words everywhere."""
    if of == 1 and len(fans) == 1:
        return f"{one_line(fans[0].display_name)}'s subscription has expired: {EXPIRED_REASON}"
    names = id_list(list(dict.fromkeys("@" + one_line(fan.username) for fan in fans)))
    to = "to " if what == "message" else ""
    which = f"is {to}an expired fan" if len(fans) == 1 else f"are {to}expired fans"
    return f"{len(fans)} of the {of} {what}s {which} ({names}): {EXPIRED_REASON}"


def _check_media(session: Session, account_id: int, media: list[int]) -> None:
    if not media:
        return
    known = set(
        session.scalars(
            select(Media.platform_media_id).where(
                Media.account_id == account_id, Media.platform_media_id.in_(media)
            )
        )
    )
    missing = [i for i in media if i not in known]
    if missing:
        raise OutboxError(
            f"media not in this account's vault: {id_list(missing)} (sync the vault if it is new)"
        )


def _check_campaign(session: Session, account_id: int, campaign_id: int | None) -> None:
    if campaign_id is None:
        return
    owner = session.scalar(select(Campaign.account_id).where(Campaign.id == campaign_id))
    if owner != account_id:
        raise OutboxError(f"campaign #{campaign_id} is not a campaign of this account")


# A campaign in one of these sends nothing: its failed rows are not queued again.
HELD = {CampaignStatus.PAUSED: ("resume it first", "resume them first"),
        CampaignStatus.CANCELLED: ("it sends nothing more", "they send nothing more")}


def held_reason(campaigns: Sequence[int | None], status: dict[int, str]) -> str:
    """The line naming the held campaigns of failed rows (each row's campaign id, and the
    campaigns' statuses): ``2 belong to paused campaign #4: resume it first``."""
    ids = sorted({campaign for campaign in campaigns if campaign is not None})
    parts = []
    for state, (one, many) in HELD.items():
        named = [campaign for campaign in ids if status.get(campaign) == state]
        count = sum(1 for campaign in campaigns if campaign in named)
        if named:
            which = (f"campaign #{named[0]}: {one}" if len(named) == 1
                     else f"campaigns {id_list([f'#{c}' for c in named])}: {many}")
            parts.append(f"{count:,} {'belongs' if count == 1 else 'belong'} to {state} {which}")
    return ", and ".join(parts)


def id_list(ids: Sequence[object], most: int = 10) -> str:
    shown = ", ".join(str(i) for i in ids[:most])
    return shown + (f" and {len(ids) - most} more" if len(ids) > most else "")




def queue_order(row: Any = OutboundMessage) -> tuple[ColumnElement[Any], ...]:
    """The order the claim takes due queued rows in: by priority (replies, manual sends,
    then campaign rows), then due time, then id."""
    return (row.priority, row.next_attempt_at, row.id)


def queued_ahead(account_id: int) -> ColumnElement[int]:
    """For an outbound row of a statement: how many of the account's queued rows the claim
    takes before it (``queue_order``), a correlated count on the claim's index."""
    ahead = aliased(OutboundMessage)
    return (
        select(func.count())
        .select_from(ahead)
        .where(
            ahead.account_id == account_id,
            ahead.state == OutboundState.QUEUED,
            tuple_(*queue_order(ahead)) < tuple_(*queue_order()),
        )
        .scalar_subquery()
    )


@lru_cache(maxsize=256)
def fans_turn(account_id: int) -> ColumnElement[bool]:
    """A queued row whose turn it is within its fan's messages: the fan has nothing in
    flight or unsettled, and no older queued row of the same or a more urgent priority
    (so a fan's messages go one at a time and in order; an urgent reply does not wait
    for an older campaign row, though). The claim and ``next_send_at`` both use it.

    Made once per account (expressions are immutable, so threads share it): aliasing
    the outbound table costs more Python than the rest of a claim together."""
    busy = aliased(OutboundMessage)
    return ~exists().where(
        busy.account_id == account_id,
        busy.fan_id == OutboundMessage.fan_id,
        or_(
            busy.state.in_((OutboundState.SENDING, OutboundState.UNKNOWN)),
            and_(
                busy.state == OutboundState.QUEUED,
                busy.id < OutboundMessage.id,
                busy.priority <= OutboundMessage.priority,
            ),
        ),
    )


def nobody_typing(account_id: int, now: datetime, expiry_seconds: float) -> ColumnElement[bool]:
    """A row the team lets go now: any but a campaign row, or a campaign row whose fan no
    chatter is typing to (a live presence row typing in the fan's conversation: the
    team's collision guard, for the rows no chatter sends). The row keeps its place and
    goes once nobody types there, after the reply being written; the claim and
    ``next_send_at`` both use it, so a held row neither goes nor wakes the drain."""
    typing = exists().where(
        TeamPresence.account_id == account_id,
        TeamPresence.typing_since.is_not(None),
        TeamPresence.seen_at > now - timedelta(seconds=expiry_seconds),
        Conversation.id == TeamPresence.conversation_id,
        Conversation.fan_id == OutboundMessage.fan_id,
    )
    return or_(OutboundMessage.kind != OutboundKind.CAMPAIGN, ~typing)


def back_in_line() -> ColumnElement[str]:
    """The state of a row going back to the queue, in the statement that moves it:
    ``queued``, or held like the rest of its campaign (``paused`` while the campaign is,
    ``cancelled`` once it is). The campaign row is read under a share lock (PostgreSQL),
    so a pause committing meanwhile is waited for, not missed."""
    status = (
        select(Campaign.status)
        .where(Campaign.id == OutboundMessage.campaign_id)
        .with_for_update(read=True)
        .scalar_subquery()
    )
    return case(
        {
            CampaignStatus.PAUSED.value: OutboundState.PAUSED.value,
            CampaignStatus.CANCELLED.value: OutboundState.CANCELLED.value,
        },
        value=status,
        else_=OutboundState.QUEUED.value,
    )
