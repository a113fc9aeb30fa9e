"""Pause, resume, cancel and retry a campaign: each one unit of work on the campaign
row and its queued rows together.

Paused rows keep their place (their ``next_attempt_at`` and id are untouched, so they
go where they were once resumed); rows being sent when a campaign is paused finish.
Cancelled rows are never sent: the waiting ones and the failed ones (``Unsent`` says how
many, before the cancel and after it).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ofcrm_tui.core import access
from ofcrm_tui.core.access import Right
from ofcrm_tui.core.campaigns.errors import CampaignError
from ofcrm_tui.core.outbox import commands
from ofcrm_tui.core.outbox.rules import DISCARDABLE_STATES
from ofcrm_tui.core.wording import counted, counted_list
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
NOT_STARTED = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)  # no recipients yet


class Refused(CampaignError):
    """A change the campaign's status does not allow (resume a cancelled one, pause a
    done one): nothing changed, exit 2, as a request that cannot be."""

    exit_code = 2


class NothingToCancel(Refused):
    """A done campaign with no message left to cancel: cancelling it would only rewrite
    what it did."""

    def __init__(self, campaign_id: int) -> None:
        super().__init__(f"campaign #{campaign_id} is done and has no message left to "
                         "cancel: nothing changed")


@dataclass(frozen=True)
class Unsent:
    """A campaign's messages a cancel stops for good: those waiting (queued or paused)
    and those failed (``DISCARDABLE_STATES``); those being sent, or not yet known sent,
    are left to finish. A campaign not started has none."""

    started: bool
    waiting: int = 0
    failed: int = 0
    going: int = 0  # being sent or unsettled: the cancel leaves them

    @classmethod
    def of(cls, status: str, states: Mapping[str, int]) -> Unsent:
        """Of a campaign in ``status`` whose rows are ``states`` (a count by state)."""
        return cls(
            started=status not in NOT_STARTED,
            waiting=states.get(OutboundState.QUEUED, 0) + states.get(OutboundState.PAUSED, 0),
            failed=states.get(OutboundState.FAILED, 0),
            going=states.get(OutboundState.SENDING, 0) + states.get(OutboundState.UNKNOWN, 0),
        )

    @property
    def stopped(self) -> int:
        return self.waiting + self.failed

    def words(self) -> str:
        """What the cancel does, as the app's question and the command line say it:
        ``217 waiting messages and 1 failed message will never be sent``."""
        if not self.started:
            return "nothing has been sent"
        lost = counted_list((self.waiting, "waiting message"), (self.failed, "failed message"))
        said = f"{lost} will never be sent" if lost else "no message is left waiting"
        if self.going:
            said += f"; {counted(self.going, 'message')} being sent may still go"
        return said


def unsent(db: Database, account_id: int, campaign_id: int) -> Unsent:
    """What ``cancel`` would stop, read to ask before it (one count by state); Refused
    now where the cancel would be (a cancelled campaign, a done one with nothing left)."""
    with db.read() as session:
        status = status_of(session, account_id, campaign_id)
        if status not in CANCELLABLE:
            raise Refused(_cannot(campaign_id, status, "cancelled"))
        states = session.execute(
            select(OutboundMessage.state, func.count())
            .where(OutboundMessage.account_id == account_id,
                   OutboundMessage.campaign_id == campaign_id)
            .group_by(OutboundMessage.state)
        )
        found = Unsent.of(status, {state: number for state, number in states})
    if status == CampaignStatus.DONE and not found.stopped:
        raise NothingToCancel(campaign_id)
    return found


def pause(db: Database, account_id: int, campaign_id: int, *, now: datetime | None = None) -> int:
    """Stop a running campaign's sends; returns how many rows were held."""
    _, held = _change(db, account_id, campaign_id, (CampaignStatus.RUNNING,),
                      CampaignStatus.PAUSED, (OutboundState.QUEUED,), OutboundState.PAUSED, now,
                      "paused")
    return sum(held.values())


def resume(db: Database, account_id: int, campaign_id: int, *, now: datetime | None = None) -> int:
    """Let a paused campaign send again, its rows where they were; returns how many."""
    _, freed = _change(db, account_id, campaign_id, (CampaignStatus.PAUSED,),
                       CampaignStatus.RUNNING, (OutboundState.PAUSED,), OutboundState.QUEUED, now,
                       "resumed")
    return sum(freed.values())


def cancel(
    db: Database, account_id: int, campaign_id: int, *, now: datetime | None = None
) -> Unsent:
    """Stop a campaign for good; returns the unsent rows it cancelled (none being sent)."""
    was, states = _change(db, account_id, campaign_id, CANCELLABLE, CampaignStatus.CANCELLED,
                          DISCARDABLE_STATES, OutboundState.CANCELLED, now, "cancelled")
    return Unsent.of(was, states)


def retry_failed(
    db: Database, account_id: int, campaign_id: int, *, by: str, now: datetime | None = None
) -> commands.RetryResult:
    """Queue the campaign's failed rows again: the queue's manual retry, its limit and its
    rules (a paused or cancelled campaign's rows are not sent; a done campaign runs
    again)."""
    with db.read() as session:
        access.require(session, Right.CAMPAIGN, account_id)
        status = status_of(session, account_id, campaign_id)
        failed = list(
            session.scalars(
                select(OutboundMessage.id).where(
                    OutboundMessage.account_id == account_id,
                    OutboundMessage.campaign_id == campaign_id,
                    OutboundMessage.state == OutboundState.FAILED,
                )
            )
        )
    if status in NOT_STARTED:
        raise Refused(f"campaign #{campaign_id} is {_described(status)}: only a running "
                      "or done campaign's messages can be retried")
    if not failed:
        raise Refused(f"campaign #{campaign_id} has no failed messages")
    return commands.retry_detailed(db, account_id, failed, by=by, now=now)


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
) -> tuple[str, dict[str, int]]:
    """The campaign's status before, and how many rows moved from each of ``rows_from``
    (one UPDATE each: a row's state before is known by the one that moved it)."""
    now = now or utcnow()
    with db.write() as session:
        access.require(session, Right.CAMPAIGN, account_id)  # a team database's right
        was = status_of(session, account_id, campaign_id)
        move(session, account_id, campaign_id, allowed, verb, error=Refused, status=to)
        moved = {
            state: int(session.execute(
                update(OutboundMessage)
                .where(
                    OutboundMessage.account_id == account_id,
                    OutboundMessage.campaign_id == campaign_id,
                    OutboundMessage.state == state,
                )
                .values(state=rows_to, lease_owner=None, lease_expires_at=None, updated_at=now)
            ).rowcount or 0)
            for state in rows_from
        }
        cancelled = to is CampaignStatus.CANCELLED
        if cancelled and was == CampaignStatus.DONE and not any(moved.values()):
            raise NothingToCancel(campaign_id)  # rolled back: nothing changes
        return was, moved


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
        raise error(_cannot(campaign_id, status_of(session, account_id, campaign_id), verb))


def _cannot(campaign_id: int, status: str, verb: str) -> str:
    return f"campaign #{campaign_id} is {_described(status)}: it cannot be {verb}"


def _described(status: str) -> str:
    """A status after "campaign #3 is": ``a draft``, ``running``, ``cancelled``."""
    return "a draft" if status == CampaignStatus.DRAFT else str(status)


def status_of(session: Session, account_id: int, campaign_id: int) -> str:
    status = session.scalar(
        select(Campaign.status).where(
            Campaign.id == campaign_id, Campaign.account_id == account_id
        )
    )
    if status is None:
        raise CampaignError(f"no campaign #{campaign_id} in this account")
    return status
