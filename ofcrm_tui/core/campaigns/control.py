"""Pause, resume, cancel and retry a campaign: each one unit of work on the campaign
row and its queued rows together.

Paused rows keep their place (their ``next_attempt_at`` and id are untouched, so they
go where they were once resumed); rows being sent when a campaign is paused finish.
Cancelled rows are never sent.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ofcrm_tui.core import access
from ofcrm_tui.core.access import Right
from ofcrm_tui.core.campaigns.errors import CampaignError
from ofcrm_tui.core.outbox import commands
from ofcrm_tui.core.outbox.rules import DISCARDABLE_STATES
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import CampaignStatus, OutboundState
from ofcrm_tui.store.models import Campaign, OutboundMessage
from ofcrm_tui.store.types import utcnow

CANCELLABLE = (
    CampaignStatus.DRAFT,
    CampaignStatus.SCHEDULED,
    CampaignStatus.RUNNING,
    CampaignStatus.PAUSED,
    CampaignStatus.DONE,  # a done campaign may still hold failed rows: they go too
)


class Refused(CampaignError):
    """A change the campaign's status does not allow (resume a cancelled one, pause a
    done one): nothing changed, exit 2, as a request that cannot be."""

    exit_code = 2


class NothingToCancel(Refused):
    """A done campaign with no message left to cancel: cancelling it would only rewrite
    what it did."""


def pause(db: Database, account_id: int, campaign_id: int, *, now: datetime | None = None) -> int:
    """Stop a running campaign's sends; returns how many rows were held."""
    return _change(db, account_id, campaign_id, (CampaignStatus.RUNNING,), CampaignStatus.PAUSED,
                   (OutboundState.QUEUED,), OutboundState.PAUSED, now, "paused")


def resume(db: Database, account_id: int, campaign_id: int, *, now: datetime | None = None) -> int:
    """Let a paused campaign send again, its rows where they were; returns how many."""
    return _change(db, account_id, campaign_id, (CampaignStatus.PAUSED,), CampaignStatus.RUNNING,
                   (OutboundState.PAUSED,), OutboundState.QUEUED, now, "resumed")


def cancel(db: Database, account_id: int, campaign_id: int, *, now: datetime | None = None) -> int:
    """Stop a campaign for good; returns how many unsent rows were cancelled."""
    return _change(db, account_id, campaign_id, CANCELLABLE, CampaignStatus.CANCELLED,
                   DISCARDABLE_STATES, OutboundState.CANCELLED, now, "cancelled")


def retry_failed(
    db: Database, account_id: int, campaign_id: int, *, by: str, now: datetime | None = None
) -> commands.RetryResult:
    """Queue the campaign's failed rows again (the queue's manual retry and its limit); a
    done campaign runs again."""
    with db.read() as session:
        access.require(session, Right.CAMPAIGN, account_id)
        status = _status(session, account_id, campaign_id)
        failed = list(
            session.scalars(
                select(OutboundMessage.id).where(
                    OutboundMessage.account_id == account_id,
                    OutboundMessage.campaign_id == campaign_id,
                    OutboundMessage.state == OutboundState.FAILED,
                )
            )
        )
    if status not in (CampaignStatus.RUNNING, CampaignStatus.DONE):
        raise Refused(f"campaign #{campaign_id} is {_described(status)}: only a running "
                            "or done campaign's messages can be retried")
    if not failed:
        raise Refused(f"campaign #{campaign_id} has no failed messages")
    result = commands.retry_detailed(db, account_id, failed, by=by, now=now)
    with db.write() as session:
        session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id, Campaign.status == CampaignStatus.DONE)
            .values(status=CampaignStatus.RUNNING)
        )
    return result


def _change(
    db: Database,
    account_id: int,
    campaign_id: int,
    allowed: tuple[CampaignStatus, ...],
    to: CampaignStatus,
    rows_from: tuple[OutboundState, ...],
    rows_to: OutboundState,
    now: datetime | None,
    verb: str,
) -> int:
    now = now or utcnow()
    with db.write() as session:
        access.require(session, Right.CAMPAIGN, account_id)  # a team database's right
        was = _status(session, account_id, campaign_id) if to is CampaignStatus.CANCELLED else None
        move(session, account_id, campaign_id, allowed, verb, error=Refused, status=to)
        moved = session.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.account_id == account_id,
                OutboundMessage.campaign_id == campaign_id,
                OutboundMessage.state.in_([str(s) for s in rows_from]),
            )
            .values(state=rows_to, lease_owner=None, lease_expires_at=None, updated_at=now)
        )
        if was == CampaignStatus.DONE and not moved.rowcount:  # rolled back: nothing changes
            raise NothingToCancel(f"campaign #{campaign_id} is done and has no message left "
                                  "to cancel: nothing changed")
        return int(moved.rowcount or 0)


def move(
    session: Session,
    account_id: int,
    campaign_id: int,
    allowed: Collection[CampaignStatus],
    verb: str,
    *,
    error: type[CampaignError] = CampaignError,
    **values: object,
) -> None:
    """In ``session``: set ``values`` on the campaign only from an ``allowed`` status (a
    conditional UPDATE: of several processes moving it, one does); else raise ``error``
    saying what it is and that it cannot be ``verb`` (CampaignError when there is none)."""
    changed = session.execute(
        update(Campaign)
        .where(
            Campaign.id == campaign_id,
            Campaign.account_id == account_id,
            Campaign.status.in_([str(status) for status in allowed]),
        )
        .values(**values)
    )
    if changed.rowcount != 1:
        status = _status(session, account_id, campaign_id)
        raise error(f"campaign #{campaign_id} is {_described(status)}: it cannot be {verb}")


def _described(status: str) -> str:
    """A status after "campaign #3 is": ``a draft``, ``running``, ``cancelled``."""
    return "a draft" if status == CampaignStatus.DRAFT else str(status)


def _status(session: Session, account_id: int, campaign_id: int) -> str:
    status = session.scalar(
        select(Campaign.status).where(
            Campaign.id == campaign_id, Campaign.account_id == account_id
        )
    )
    if status is None:
        raise CampaignError(f"no campaign #{campaign_id} in this account")
    return status
