"""Starting a campaign: its recipients frozen and queued in one ``INSERT … SELECT``.

The start is one unit of work: the campaign moves to ``running`` with a conditional
UPDATE (only from the status the caller expects, so of several processes starting the
same scheduled campaign exactly one does), and its rows are inserted from the segment's
query with each text filled in SQL. The unique index on ``(campaign_id, fan_id)`` with
``ON CONFLICT DO NOTHING`` means a fan gets a campaign once whatever is launched again.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from sqlalchemy import literal, select, update
from sqlalchemy.orm import Session

from ofcrm_tui.core import access
from ofcrm_tui.core.access import Right
from ofcrm_tui.core.campaigns import placeholders, spec
from ofcrm_tui.core.campaigns.control import move
from ofcrm_tui.core.campaigns.errors import CampaignError
from ofcrm_tui.core.campaigns.segment import Segment, recipients
from ofcrm_tui.core.campaigns.spec import CampaignSpec
from ofcrm_tui.core.outbox.rules import NewMessage
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import AuditAction, CampaignStatus
from ofcrm_tui.store.models import Campaign, Fan, OutboundMessage
from ofcrm_tui.store.types import utcnow
from ofcrm_tui.store.upsert import dialect_insert

_OUTBOUND = OutboundMessage.__table__


class NotStartable(CampaignError):
    """The campaign is not in a status it can start from (e.g. another process started it)."""


def spec_of(campaign: Campaign) -> CampaignSpec:
    return CampaignSpec(
        name=campaign.name,
        text=campaign.text,
        segment=Segment.from_json(campaign.segment or {}),
        price_cents=campaign.price_cents,
        media_ids=tuple(campaign.media_ids or ()),
        preview_ids=tuple(campaign.preview_ids or ()),
        at=campaign.scheduled_at,
    )


def launch(
    db: Database,
    account_id: int,
    campaign_id: int,
    *,
    now: datetime | None = None,
    expect: Collection[CampaignStatus] = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED),
) -> int:
    """Start a draft or scheduled campaign now; returns how many recipients it froze.
    CampaignError (nothing queued) when it breaks a rule or picks nobody."""
    now = now or utcnow()
    with db.read() as session:
        campaign = campaign_of(session, account_id, campaign_id)
        created_by = campaign.created_by
        wanted = spec_of(campaign)
    checked = spec.check(
        db, account_id, _now_or_later(wanted), created_by=created_by, now=now
    )
    with db.write() as session:
        return start(session, db, account_id, campaign_id, checked.parts, checked.message,
                     wanted.segment, now=now, expect=expect)


def start(
    session: Session,
    db: Database,
    account_id: int,
    campaign_id: int,
    parts: tuple[placeholders.Part, ...],
    message: NewMessage,
    segment: Segment,
    *,
    now: datetime,
    expect: Collection[CampaignStatus],
) -> int:
    """In ``session``: move the campaign to running and queue its recipients (a team
    database checks the campaign right first and records the launch)."""
    access.require(session, Right.CAMPAIGN, account_id)
    move(session, account_id, campaign_id, expect, "started", error=NotStartable,
         status=CampaignStatus.RUNNING, started_at=now, launch_error=None)
    queued = enqueue_recipients(session, db, campaign_id, parts, message, segment, now=now)
    if not queued:
        raise CampaignError("no recipients: no fan of this account is in the segment")
    session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id)
        .values(recipients=Campaign.recipients + queued)
    )
    access.record(session, AuditAction.CAMPAIGN_LAUNCHED, account_id, queued,
                  f"campaign #{campaign_id}")
    return queued


def enqueue_recipients(
    session: Session,
    db: Database,
    campaign_id: int,
    parts: tuple[placeholders.Part, ...],
    message: NewMessage,
    segment: Segment,
    *,
    now: datetime,
) -> int:
    """``INSERT … SELECT`` one queued row per recipient who has none of this campaign yet;
    returns how many rows went in."""
    fans = Fan.__table__
    row = message.row(0) | {"campaign_id": campaign_id}
    values = [
        fans.c.id
        if name == "fan_id"
        else placeholders.sql(parts, fans.c)
        if name == "text"
        else literal(value, _OUTBOUND.c[name].type)
        for name, value in row.items()
    ]
    chosen = recipients(db, message.account_id, segment, now).with_only_columns(
        *values, maintain_column_froms=True
    )
    statement = (
        dialect_insert(session, _OUTBOUND)
        .from_select(list(row), chosen)
        .on_conflict_do_nothing()
        .execution_options(preserve_rowcount=True)  # an INSERT keeps it only when asked
    )
    return int(session.execute(statement).rowcount or 0)


def campaign_of(session: Session, account_id: int, campaign_id: int) -> Campaign:
    campaign = session.scalar(
        select(Campaign).where(Campaign.id == campaign_id, Campaign.account_id == account_id)
    )
    if campaign is None:
        raise CampaignError(f"no campaign #{campaign_id} in this account")
    return campaign


def _now_or_later(wanted: CampaignSpec) -> CampaignSpec:
    """The spec as started now: its start time is no longer checked."""
    return replace(wanted, at=None)
