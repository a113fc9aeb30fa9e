"""What a campaign is before it starts, and every check it must pass to start.

The message rules are the composer's (``outbox.rules``): the text is checked as the
shortest a recipient can get (every field empty: fallbacks only) and the longest; the
price and media by ``check_offer``; the media against the vault. Some fan must be able
to pass the segment (``Segment.checked``), its tags must exist and it must pick at least
one fan who can receive a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ofcrm_tui.core.campaigns import placeholders
from ofcrm_tui.core.campaigns.errors import CampaignError
from ofcrm_tui.core.campaigns.placeholders import Part
from ofcrm_tui.core.campaigns.segment import Segment, SegmentCount, check_tags, count
from ofcrm_tui.core.outbox.rules import MAX_TEXT_CHARS, NewMessage, OutboxError, normalise_text
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import OutboundKind
from ofcrm_tui.store.types import utcnow

MAX_NAME = 128


def offer_parts(price_cents: int, media_count: int) -> list[str]:
    """What the message carries besides its text: ``$9.99 PPV``, ``2 media``; none for
    a free text."""
    parts = [f"{format_cents(price_cents)} PPV"] if price_cents else []
    return parts + ([f"{media_count} media"] if media_count or price_cents else [])


@dataclass(frozen=True)
class CampaignSpec:
    name: str
    text: str
    segment: Segment = Segment()
    price_cents: int = 0
    media_ids: tuple[int, ...] = ()
    preview_ids: tuple[int, ...] = ()
    at: datetime | None = None  # when to start (aware); None: now

    def describe_offer(self) -> str:
        """``$9.99 PPV, 2 media``; ``free`` (``free, 1 media``) without a price."""
        free = [] if self.price_cents else ["free"]
        return ", ".join(free + offer_parts(self.price_cents, len(self.media_ids)))


@dataclass(frozen=True)
class Checked:
    """A spec that passed: its parsed text, its message and its recipients right now."""

    parts: tuple[Part, ...]
    message: NewMessage
    found: SegmentCount

    @property
    def recipients(self) -> int:
        return self.found.recipients


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise CampaignError("a campaign needs a name")
    if len(name) > MAX_NAME:
        raise CampaignError(f"the campaign name is longer than {MAX_NAME} characters")
    return name


def check_text(text: str) -> tuple[Part, ...]:
    """The parsed text; CampaignError when a recipient could get an empty or too long one."""
    parts = placeholders.parse(normalise_text(text))
    if not placeholders.shortest(parts).strip():
        if any(not isinstance(part, str) for part in parts):
            raise CampaignError(
                "the message is empty for a fan without that name: give the placeholder a "
                "fallback, e.g. {name|there}"
            )
        raise CampaignError("the message is empty")
    if placeholders.longest_length(parts) > MAX_TEXT_CHARS:
        raise CampaignError(
            f"the message can be longer than the {MAX_TEXT_CHARS:,} characters the platform "
            "takes once its placeholders are filled"
        )
    return parts


def message(
    account_id: int,
    spec: CampaignSpec,
    parts: tuple[Part, ...],
    *,
    created_by: str,
    campaign_id: int | None,
    now: datetime,
) -> NewMessage:
    """The queue's message for the campaign (its text is the unfilled template)."""
    try:
        return NewMessage.checked(
            account_id,
            placeholders.shortest(parts),
            kind=OutboundKind.CAMPAIGN,
            created_by=created_by,
            campaign_id=campaign_id,
            price_cents=spec.price_cents,
            media_ids=spec.media_ids,
            preview_ids=spec.preview_ids,
            now=now,
        )
    except OutboxError as exc:
        raise CampaignError(str(exc)) from None


def as_typed(at: datetime) -> str:
    """``2026-12-24 18:00 CET``: a start time in the zone it was given in (the one the
    person typed it in), named as the zone names itself, else by its offset."""
    return f"{at:%Y-%m-%d %H:%M} {at.tzname() or at.strftime('%z')}"


def check(
    db: Database,
    account_id: int,
    spec: CampaignSpec,
    *,
    created_by: str,
    now: datetime | None = None,
    campaign_id: int | None = None,
) -> Checked:
    """Every check a campaign passes before it is scheduled or started; CampaignError
    with the first one broken."""
    now = now or utcnow()
    check_name(spec.name)
    parts = check_text(spec.text)
    new = message(account_id, spec, parts, created_by=created_by, campaign_id=None, now=now)
    if spec.at is not None:
        if spec.at.tzinfo is None:
            raise CampaignError("the start time needs a time zone")
        if spec.at <= now:
            raise CampaignError(f"the start time {as_typed(spec.at)} is in the past")
    with db.read() as session:
        try:
            new.check_references(session, [])
        except OutboxError as exc:
            raise CampaignError(str(exc)) from None
    spec.segment.checked()  # (a stored one is read unchecked: a draft from before a rule)
    check_tags(db, account_id, spec.segment)
    found = count(db, account_id, spec.segment, now)
    if not found.recipients:
        if found.expired and not found.no_platform_id:
            raise CampaignError(
                f"no recipients: the {found.expired:,} fans of the segment have expired "
                "subscriptions and the platform does not deliver messages to them"
            )
        if found.no_platform_id:
            raise CampaignError(
                f"no recipients: {found.left_out()} (a fan without a platform id gets a "
                "message once a sync finds them on the platform by username)"
            )
        raise CampaignError("no recipients: no fan of this account is in the segment")
    return Checked(parts, new, found)
