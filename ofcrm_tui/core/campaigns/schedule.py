"""Scheduled campaigns start when due, from whichever app or ``ofcrm worker`` is up, and
running ones are marked done when nothing is left to send.

``tend`` runs with every drain of an account. Starting goes through ``launch`` with a
conditional move from ``scheduled``: of several processes finding the same campaign
due, one starts it and the others skip it. A due campaign that cannot start (its
segment is empty by now, a media item left the vault) goes back to draft with the
reason, instead of being tried every few seconds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, select, update

from ofcrm_tui.core.campaigns.errors import CampaignError
from ofcrm_tui.core.campaigns.launch import NotStartable, launch
from ofcrm_tui.core.outbox.rules import WAITING_STATES
from ofcrm_tui.platform.errors import one_line
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import CampaignStatus
from ofcrm_tui.store.models import Campaign, OutboundMessage
from ofcrm_tui.store.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class Tended:
    started: dict[int, int] = field(default_factory=dict)  # campaign id -> recipients
    refused: dict[int, str] = field(default_factory=dict)  # campaign id -> why not
    done: int = 0


def due(db: Database, account_id: int, now: datetime) -> list[int]:
    """The account's scheduled campaigns whose time has come, oldest first."""
    with db.read() as session:
        return list(
            session.scalars(
                select(Campaign.id)
                .where(
                    Campaign.account_id == account_id,
                    Campaign.status == CampaignStatus.SCHEDULED,
                    Campaign.scheduled_at <= now,
                )
                .order_by(Campaign.scheduled_at, Campaign.id)
            )
        )


def start_due_campaigns(db: Database, account_id: int, *, now: datetime | None = None) -> Tended:
    """Start the account's due campaigns and mark finished ones done."""
    now = now or utcnow()
    tended = Tended()
    for campaign_id in due(db, account_id, now):
        try:
            tended.started[campaign_id] = launch(
                db, account_id, campaign_id, now=now, expect=(CampaignStatus.SCHEDULED,)
            )
        except NotStartable:
            continue  # another process started (or someone changed) it first
        except CampaignError as exc:
            tended.refused[campaign_id] = str(exc)
            _back_to_draft(db, campaign_id, str(exc))
            log.warning("scheduled campaign #%s not started: %s", campaign_id, exc)
    tended.done = finish(db, account_id)
    return tended


def finish(db: Database, account_id: int) -> int:
    """Mark done the running campaigns with nothing left to send; returns how many."""
    left = exists().where(
        OutboundMessage.campaign_id == Campaign.id,
        OutboundMessage.state.in_([str(state) for state in WAITING_STATES]),
    )
    with db.write() as session:
        result = session.execute(
            update(Campaign)
            .where(
                Campaign.account_id == account_id,
                Campaign.status == CampaignStatus.RUNNING,
                ~left,
            )
            .values(status=CampaignStatus.DONE)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)


def _back_to_draft(db: Database, campaign_id: int, reason: str) -> None:
    with db.write() as session:
        session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id, Campaign.status == CampaignStatus.SCHEDULED)
            .values(status=CampaignStatus.DRAFT, launch_error=one_line(reason)[:500])
        )
