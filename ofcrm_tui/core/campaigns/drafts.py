"""Campaigns kept before they start: drafts saved as they are, ``create`` (check, save,
then start now or schedule) in one unit of work, and ``delete`` (a draft, or a campaign
cancelled before it started: nothing it did goes with it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete as deleting, or_, select, update
from sqlalchemy.orm import Session

from ofcrm_tui.core import access
from ofcrm_tui.core.access import Right
from ofcrm_tui.core.campaigns import launch as launching
from ofcrm_tui.core.campaigns.control import Refused, status_of
from ofcrm_tui.core.campaigns.errors import CampaignError
from ofcrm_tui.core.campaigns.right import may_run
from ofcrm_tui.core.campaigns.spec import CampaignSpec, check, check_name
from ofcrm_tui.core.outbox.rules import check_created_by, normalise_text
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import AuditAction, CampaignStatus
from ofcrm_tui.store.models import Campaign, OutboundMessage
from ofcrm_tui.store.types import utcnow

EDITABLE = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)


@dataclass(frozen=True)
class Created:
    campaign_id: int
    status: CampaignStatus  # running (started now) or scheduled
    recipients: int  # queued now, or (scheduled) counted now


def _columns(spec: CampaignSpec) -> dict[str, object]:
    return {
        "name": spec.name.strip(),
        "text": normalise_text(spec.text),
        "price_cents": spec.price_cents,
        "media_ids": list(spec.media_ids),
        "preview_ids": list(spec.preview_ids),
        "segment": spec.segment.to_json(),
        "scheduled_at": spec.at,
    }


def save_draft(
    db: Database,
    account_id: int,
    spec: CampaignSpec,
    *,
    created_by: str,
    campaign_id: int | None = None,
) -> int:
    """Keep ``spec`` as a draft (new, or over draft ``campaign_id``: DraftGone if it was
    deleted or started meanwhile); only the name is checked: a draft may be unfinished."""
    check_name(spec.name)
    created_by = check_created_by(created_by)
    with db.write() as session:
        return _write(session, account_id, spec, created_by, campaign_id, utcnow())


def _write(
    session: Session,
    account_id: int,
    spec: CampaignSpec,
    created_by: str,
    campaign_id: int | None,
    now: datetime,
) -> int:
    """Insert the draft, or overwrite draft (or scheduled) ``campaign_id`` as a draft."""
    if campaign_id is None:
        campaign = Campaign(
            account_id=account_id,
            created_by=created_by,
            status=CampaignStatus.DRAFT,
            created_at=now,
            **_columns(spec),
        )
        session.add(campaign)
        session.flush()
        return campaign.id
    changed = session.execute(
        update(Campaign)
        .where(
            Campaign.id == campaign_id,
            Campaign.account_id == account_id,
            Campaign.status.in_(EDITABLE),
        )
        .values(**_columns(spec), status=CampaignStatus.DRAFT)
    )
    if changed.rowcount != 1:
        raise _not_written(session, account_id, campaign_id)
    return campaign_id


class DraftGone(CampaignError):
    """The draft written over was deleted, or started, meanwhile (by another app): what
    was typed in it can only be kept as a new draft."""


def _not_written(session: Session, account_id: int, campaign_id: int) -> CampaignError:
    status = session.scalar(select(Campaign.status).where(
        Campaign.id == campaign_id, Campaign.account_id == account_id))
    if status is None:
        return DraftGone(f"campaign #{campaign_id} was deleted")
    if status not in EDITABLE:
        return DraftGone(f"campaign #{campaign_id} is {status} now, no longer a draft")
    # Still a draft, its change refused (a team's policies: someone else's scheduled one).
    return CampaignError(f"campaign #{campaign_id} is not a draft of this account")


def load(db: Database, account_id: int, campaign_id: int) -> tuple[CampaignSpec, CampaignStatus]:
    with db.read() as session:
        campaign = launching.campaign_of(session, account_id, campaign_id)
        return launching.spec_of(campaign), CampaignStatus(campaign.status)


def create(
    db: Database,
    account_id: int,
    spec: CampaignSpec,
    *,
    created_by: str,
    now: datetime | None = None,
    draft_id: int | None = None,
) -> Created:
    """Check ``spec``, then start it now (``spec.at`` None) or schedule it, all or
    nothing; ``draft_id``: the draft it was composed in becomes it."""
    now = now or utcnow()
    checked = check(db, account_id, spec, created_by=created_by, now=now)
    status = CampaignStatus.SCHEDULED if spec.at else CampaignStatus.RUNNING
    with db.write() as session:
        draft_id = _write(
            session, account_id, spec, checked.message.created_by, draft_id, now
        )
        if spec.at is not None:
            access.require(session, Right.CAMPAIGN, account_id)
            session.execute(
                update(Campaign)
                .where(Campaign.id == draft_id)
                .values(status=CampaignStatus.SCHEDULED, launch_error=None)
            )
            access.record(session, AuditAction.CAMPAIGN_SCHEDULED, account_id,
                          checked.recipients,
                          f"campaign #{draft_id} at {spec.at:%Y-%m-%d %H:%M} UTC")
            return Created(draft_id, status, checked.recipients)
        queued = launching.start(
            session, db, account_id, draft_id, checked.parts, checked.message,
            spec.segment, now=now, expect=(CampaignStatus.DRAFT,),
        )
        return Created(draft_id, status, queued)


def _deletable(account_id: int, campaign_id: int) -> ColumnElement[bool]:
    """The campaign, if it is a draft or was cancelled before it started, and has no
    message queued: deleting it (its rows would cascade) loses nothing it did."""
    return and_(
        Campaign.id == campaign_id,
        Campaign.account_id == account_id,
        or_(Campaign.status == CampaignStatus.DRAFT,
            and_(Campaign.status == CampaignStatus.CANCELLED, Campaign.started_at.is_(None))),
        ~select(OutboundMessage.id).where(
            OutboundMessage.account_id == account_id,
            OutboundMessage.campaign_id == campaign_id,
        ).exists(),
    )


def deletable(db: Database, account_id: int, campaign_id: int) -> str:
    """The campaign's name if ``delete`` would delete it (to ask before); else Refused,
    saying why, or AccessDenied (on a team: the campaign right, naming its grant to a
    chatter; the role's privilege to delete campaigns, a manager's or a chatter's, never
    a worker's). The database's policy deletes what ``_deletable`` finds."""
    may_run(db, account_id)
    with db.read() as session:
        access.require_delete(session, "campaigns", "campaigns")
        name = session.scalar(select(Campaign.name).where(_deletable(account_id, campaign_id)))
        if name is None:
            raise _undeletable(session, account_id, campaign_id)
        return name


def delete(db: Database, account_id: int, campaign_id: int) -> str:
    """Delete a draft, or a campaign cancelled before it had recipients (the campaign
    right, as every campaign change); returns its name. Not audited, as drafts saved and
    campaigns cancelled are not: the trail records what reaches fans."""
    with db.write() as session:
        access.require(session, Right.CAMPAIGN, account_id)
        access.require_delete(session, "campaigns", "campaigns")
        name = session.scalar(
            deleting(Campaign).where(_deletable(account_id, campaign_id)).returning(Campaign.name)
        )
        if name is None:
            raise _undeletable(session, account_id, campaign_id)
        return name


def _undeletable(session: Session, account_id: int, campaign_id: int) -> Refused:
    status = status_of(session, account_id, campaign_id)  # none: not the account's
    was = {CampaignStatus.CANCELLED: "cancelled after it started",
           CampaignStatus.DRAFT: "a draft with messages queued"}.get(status, status)
    return Refused(f"campaign #{campaign_id} is {was}: only a draft, or a campaign cancelled "
                   "before it started, can be deleted")
