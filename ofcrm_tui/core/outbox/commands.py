"""Queue commands: enqueue, retry and discard; every state change a person asks for.

Each command is one short unit of work with no network call. The sending itself
(claims, outcomes, reconciliation) is in ``sender`` and ``reconcile``; a new manual
transition (pause, resume) belongs here, next to ``discard``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ofcrm_tui.core import access, metrics
from ofcrm_tui.core.access import Right
from ofcrm_tui.core.outbox import limiter
from ofcrm_tui.core.outbox.rules import (
    CHUNK,
    DISCARDABLE_STATES,
    FAN_LABEL_COLUMNS,
    MANUAL_RETRIES_PER_MINUTE,
    HELD,
    FanLabel,
    NewMessage,
    OutboxError,
    check_created_by,
    expired_reason,
    held_reason,
    id_list,
)
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import CampaignStatus, OutboundKind, OutboundState
from ofcrm_tui.store.models import Account, Campaign, Fan, MetricEvent, OutboundMessage
from ofcrm_tui.core.wording import counted
from ofcrm_tui.store.types import utcnow

if TYPE_CHECKING:
    from typing_extensions import Unpack

log = logging.getLogger(__name__)


class MessageOptions(TypedDict, total=False):
    """What a message may carry besides its text, with ``NewMessage.checked``'s defaults:
    ``price_cents`` 0, no ``media_ids`` or ``preview_ids``, ``max_attempts``
    ``DEFAULT_MAX_ATTEMPTS``, ``now`` the current time."""

    price_cents: int
    media_ids: Sequence[int]
    preview_ids: Sequence[int]
    max_attempts: int
    now: datetime | None


@dataclass(frozen=True)
class RetryResult:
    retried: list[int] = field(default_factory=list)
    not_failed: list[int] = field(default_factory=list)  # unknown ids, or not in `failed`
    over_limit: list[int] = field(default_factory=list)  # left for later: 10 a minute
    wait_seconds: int = 0  # until another manual retry is allowed, when over the limit
    expired: list[int] = field(default_factory=list)  # left failed: the fan has expired
    expired_reason: str = ""  # one line naming those fans (enqueue's wording)
    # Left failed, none of the budget spent: campaign rows, and this role may not run
    # campaigns on the account (a team's chatter without the right: ``needs_right``).
    needs_right: list[int] = field(default_factory=list)
    # Left as they were: the UPDATE changed none of them (changed meanwhile, or a row
    # security policy hid them); never counted as retried, nor against the budget.
    unchanged: list[int] = field(default_factory=list)
    # Left failed, none of the budget spent: rows of a paused campaign (queued, they would
    # go while it is held) or a cancelled one (it sends nothing more); ``held_reason``
    # names the campaigns.
    held: list[int] = field(default_factory=list)
    held_reason: str = ""


@dataclass(frozen=True)
class DiscardResult:
    discarded: list[int] = field(default_factory=list)
    not_discardable: list[int] = field(default_factory=list)  # unknown, sent or being sent
    needs_right: list[int] = field(default_factory=list)  # campaign rows, without the right
    unchanged: list[int] = field(default_factory=list)  # the UPDATE changed none of them


class NotActionable(OutboxError):
    """Ids given to act on all or nothing that name messages of the account in a state
    the action does not apply to: nothing was changed, exit 2, as a request that cannot
    be now."""

    exit_code = 2


class MessageNotFound(OutboxError):
    """Ids given to act on all or nothing that name no message of the account (unknown,
    or another account's): nothing was changed, exit 1, as every "not found"."""


def _refuse_unknown(
    session: Session, account_id: int, missing: Sequence[int], one: str, many: str,
    action: str,
) -> None:
    """``all_or_nothing``: raise before anything changed when an id names nothing to act on
    (``one`` / ``many``: what the ids should have named): ``MessageNotFound`` when some
    name no message of the account (the others named too), else ``NotActionable``."""
    if not missing:
        return
    there = set(session.scalars(select(OutboundMessage.id).where(
        OutboundMessage.account_id == account_id, OutboundMessage.id.in_(list(missing)))))
    unknown = [f"#{i}" for i in missing if i not in there]
    other = [f"#{i}" for i in missing if i in there]
    not_that = f"not {one if len(other) == 1 else many}"
    if unknown:
        also = f", and {not_that}: {id_list(other)}" if other else ""
        raise MessageNotFound(f"no {'message' if len(unknown) == 1 else 'messages'} "
                              f"{id_list(unknown)} in this account{also}; nothing {action}")
    raise NotActionable(f"{not_that} of this account: {id_list(other)}; nothing {action}")


def needs_right(count: int) -> str:
    """``3 campaign messages need the campaign right``: what was left out, and why."""
    return (f"{count:,} campaign {'message needs' if count == 1 else 'messages need'} "
            "the campaign right")


# -- enqueue -------------------------------------------------------------------------


def enqueue(
    db: Database,
    account_id: int,
    fan_id: int,
    text: str,
    *,
    created_by: str,
    kind: OutboundKind | str = OutboundKind.REPLY,
    campaign_id: int | None = None,
    within: Callable[[Session], None] | None = None,
    **options: Unpack[MessageOptions],
) -> int:
    """Queue one message; returns its id. Raises OutboxError (nothing queued) when the
    message breaks the platform's sending rules, names a fan or media not of the account,
    or is for a fan whose subscription has expired (as last synced: see ``rules``).

    ``within`` runs in the same transaction, once the references are checked and just
    before the row goes in; whatever it raises queues nothing (the team's collision
    guard checks there, so that its check and the enqueue commit as one)."""
    message = NewMessage.checked(
        account_id, text, kind=kind, created_by=created_by, campaign_id=campaign_id, **options
    )
    with db.write() as session:
        message.check_references(session, [fan_id])
        if within is not None:
            within(session)
        row = OutboundMessage(**message.row(fan_id))
        session.add(row)
        session.flush()
        return row.id


def enqueue_many(
    db: Database,
    account_id: int,
    fan_ids: Iterable[int],
    text: str,
    *,
    created_by: str,
    campaign_id: int | None,
    **options: Unpack[MessageOptions],
) -> int:
    """Queue the same campaign message for many fans in one bulk insert; returns how many.

    A fan listed twice gets one message. All or nothing: a fan not of the account, or
    one whose subscription has expired (as last synced), refuses the whole batch with an
    OutboxError naming how many and who, so that a campaign is never sent to part of
    the audience its author chose without them knowing; choose the audience among
    active fans (the inbox's ``status="active"`` filter) to leave expired ones out."""
    message = NewMessage.checked(
        account_id,
        text,
        kind=OutboundKind.CAMPAIGN,
        created_by=created_by,
        campaign_id=campaign_id,
        **options,
    )
    recipients = list(dict.fromkeys(fan_ids))
    if not recipients:
        return 0
    with db.write() as session:
        message.check_references(session, recipients)
        rows = [message.row(fan_id) for fan_id in recipients]
        for start in range(0, len(rows), CHUNK):
            session.execute(insert(OutboundMessage), rows[start : start + CHUNK])
    return len(rows)


# -- manual actions ------------------------------------------------------------------


def retry(
    db: Database, account_id: int, ids: Iterable[int], *, by: str, now: datetime | None = None
) -> int:
    """Queue failed messages again (same rows, attempts reset, tries kept); returns how many.

    At most 10 manual retries a minute per account: past that, the rest stay failed.
    Messages to a fan whose subscription has expired (as last synced: the platform would
    refuse them again) stay failed and take none of those 10. OutboxError, with the
    reason, when there were failed messages but none could be retried."""
    return len(retry_detailed(db, account_id, list(ids), by=by, now=now).retried)


def retry_detailed(
    db: Database,
    account_id: int,
    ids: Sequence[int] | None,
    *,
    by: str,
    now: datetime | None = None,
    all_or_nothing: bool = False,
) -> RetryResult:
    """``retry`` with the details; ``ids=None`` retries every failed message (oldest first).
    ``all_or_nothing``: an id that is not a failed message of the account raises
    ``NotActionable`` naming them all, and nothing is retried (``not_failed`` otherwise).

    Failed messages to expired fans are in ``expired``, with ``expired_reason`` naming the
    fans in the words ``enqueue`` uses; when they are all there is, that reason is raised.
    Campaign messages, when the role may not run campaigns on the account (a team's
    chatter without the right), are in ``needs_right``; when they are all there is, the
    database's refusal is raised (AccessDenied), as ``campaigns.pause`` raises it. Rows of
    a paused or cancelled campaign are in ``held``, with ``held_reason``; when they are all
    there is, that reason is raised. None of these takes any of the 10 a minute, nor does a
    row the UPDATE did not change. A done campaign whose rows are queued again runs again,
    in the same transaction."""
    by = check_created_by(by)
    now = now or utcnow()
    with db.write() as session:
        _lock_account(session, account_id)
        query = (
            select(
                OutboundMessage.id.label("outbound_id"),
                OutboundMessage.campaign_id.label("outbound_campaign_id"),
                *FAN_LABEL_COLUMNS,
            )
            .join(Fan, Fan.id == OutboundMessage.fan_id)
            .where(
                OutboundMessage.account_id == account_id,
                OutboundMessage.state == OutboundState.FAILED,
            )
        )
        if ids is not None:
            query = query.where(OutboundMessage.id.in_(list(ids)))
        rows = list(session.execute(query.order_by(OutboundMessage.id)))
        failed_ids = [row.outbound_id for row in rows]
        not_failed = [] if ids is None else [i for i in dict.fromkeys(ids) if i not in set(failed_ids)]
        if all_or_nothing:
            _refuse_unknown(session, account_id, not_failed, "a failed message",
                            "failed messages", "retried")
        if not rows:
            return RetryResult(not_failed=not_failed)
        campaign_of = {row.outbound_id: row.outbound_campaign_id for row in rows}
        refused, denied = _campaign_rows_refused(session, account_id, list(campaign_of.items()))
        found = [(row.outbound_id, FanLabel.of(row)) for row in rows
                 if row.outbound_id not in refused]
        if denied is not None and not found:
            raise denied
        held, held_text = _held(session, account_id, [(i, campaign_of[i]) for i, _ in found])
        kept_back = set(held)
        found = [(i, fan) for i, fan in found if i not in kept_back]
        if held and not found:
            raise OutboxError(held_text)
        failed_ids = [i for i, _ in found]
        expired = [i for i, fan in found if fan.expired]
        reason = ""
        if expired:
            labels = [fan for _, fan in found if fan.expired]
            reason = expired_reason(labels, of=len(found), what="message")
            failed_ids = [i for i, fan in found if not fan.expired]
            if not failed_ids:
                raise OutboxError(reason)
        window = _manual_retries(session, account_id, now)
        allowed = max(0, MANUAL_RETRIES_PER_MINUTE - len(window))
        take, later = failed_ids[:allowed], failed_ids[allowed:]
        wait = 0
        if later:
            # The retry that frees a slot for the first one left over.
            oldest = window[len(window) - MANUAL_RETRIES_PER_MINUTE + len(take)] if window else now
            wait = max(1, math.ceil((oldest + limiter.WINDOW - now).total_seconds()))
        if not take:
            raise OutboxError(
                f"manual retries are limited to {MANUAL_RETRIES_PER_MINUTE} a minute for this "
                f"account; try again in {wait} s"
            )
        changed = set(
            session.scalars(
                update(OutboundMessage)
                .where(
                    OutboundMessage.account_id == account_id,
                    OutboundMessage.state == OutboundState.FAILED,
                    OutboundMessage.id.in_(take),
                )
                .values(
                    state=OutboundState.QUEUED,
                    attempts=0,
                    next_attempt_at=now,
                    first_attempt_at=None,
                    last_attempt_at=None,
                    lease_owner=None,
                    lease_expires_at=None,
                    last_error=None,
                    updated_at=now,
                )
                .returning(OutboundMessage.id)
            )
        )
        retried = [i for i in take if i in changed]
        _run_again(session, account_id,
                   {c for c in (campaign_of[i] for i in retried) if c is not None})
        for _ in retried:
            session.add(
                MetricEvent(
                    account_id=account_id, name=metrics.MANUAL_RETRY, value=1.0, recorded_at=now
                )
            )
    if retried:
        log.info("account %s: %s retried by %s: #%s", account_id,
                 counted(len(retried), "failed message"), by, ", #".join(map(str, retried)))
    return RetryResult(
        retried=retried,
        not_failed=not_failed,
        over_limit=later,
        wait_seconds=wait,
        expired=expired,
        expired_reason=reason,
        needs_right=refused,
        unchanged=[i for i in take if i not in changed],
        held=held,
        held_reason=held_text,
    )


def _held(
    session: Session, account_id: int, rows: Sequence[tuple[int, int | None]]
) -> tuple[list[int], str]:
    """Of ``rows`` (id, campaign id), those of a paused or cancelled campaign, and a line
    naming the campaigns: ``2 belong to paused campaign #4: resume it first``. Their
    campaigns stay locked until the retry commits: a pause meanwhile waits, then holds
    what the retry queued."""
    ids = sorted({campaign for _, campaign in rows if campaign is not None})
    status = {row.id: row.status for row in session.execute(
        select(Campaign.id, Campaign.status).where(
            Campaign.account_id == account_id, Campaign.id.in_(ids)).with_for_update())
    } if ids else {}
    return ([i for i, campaign in rows if status.get(campaign) in HELD],
            held_reason([campaign for _, campaign in rows], status))


def _run_again(session: Session, account_id: int, campaign_ids: set[int]) -> None:
    """Done campaigns with rows queued again are running again."""
    if campaign_ids:
        session.execute(update(Campaign).where(
            Campaign.account_id == account_id, Campaign.id.in_(campaign_ids),
            Campaign.status == CampaignStatus.DONE).values(status=CampaignStatus.RUNNING))


@dataclass(frozen=True)
class ManualRetries:
    """Where an account's manual retries stand: ``left`` of ``MANUAL_RETRIES_PER_MINUTE``
    right now, and when the next one frees up (None: none is used)."""

    left: int
    frees_at: datetime | None


def manual_retries(db: Database, account_id: int, *, now: datetime | None = None) -> ManualRetries:
    now = now or utcnow()
    with db.read() as session:
        window = _manual_retries(session, account_id, now)
    return ManualRetries(
        left=max(0, MANUAL_RETRIES_PER_MINUTE - len(window)),
        frees_at=window[0] + limiter.WINDOW if window else None,
    )


def _manual_retries(session: Session, account_id: int, now: datetime) -> list[datetime]:
    """When the account's manual retries of the last minute were made, oldest first."""
    return list(
        session.scalars(
            select(MetricEvent.recorded_at)
            .where(
                MetricEvent.account_id == account_id,
                MetricEvent.name == metrics.MANUAL_RETRY,
                MetricEvent.recorded_at > now - limiter.WINDOW,
            )
            .order_by(MetricEvent.recorded_at)
        )
    )


def discard(db: Database, account_id: int, ids: Iterable[int], *, now: datetime | None = None) -> int:
    """Cancel messages not sent (queued, paused or failed); returns how many.

    Rows being sent or whose fate is being found out cannot be cancelled."""
    return len(discard_detailed(db, account_id, list(ids), now=now).discarded)


def discard_detailed(
    db: Database,
    account_id: int,
    ids: Sequence[int],
    *,
    now: datetime | None = None,
    all_or_nothing: bool = False,
) -> DiscardResult:
    """``discard`` with the details. Campaign messages, when the role may not run
    campaigns on the account, are in ``needs_right``, left as they are; when they are
    all there is to discard, the database's refusal is raised (AccessDenied).
    ``all_or_nothing``: an id that names no queued, paused or failed message of the
    account raises ``NotActionable`` naming them all, and nothing is discarded
    (``not_discardable`` otherwise)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return DiscardResult()
    with db.write() as session:
        rows = session.execute(
            select(OutboundMessage.id, OutboundMessage.campaign_id)
            .where(
                OutboundMessage.account_id == account_id,
                OutboundMessage.id.in_(wanted),
                OutboundMessage.state.in_(DISCARDABLE_STATES),
            )
            .order_by(OutboundMessage.id)
        ).all()
        if all_or_nothing:
            listed = {row.id for row in rows}
            _refuse_unknown(session, account_id, [i for i in wanted if i not in listed],
                            "a queued, paused or failed message",
                            "queued, paused or failed messages", "discarded")
        refused, denied = _campaign_rows_refused(
            session, account_id, [(row.id, row.campaign_id) for row in rows])
        take = [row.id for row in rows if row.id not in refused]
        if denied is not None and not take:
            raise denied
        changed: set[int] = set()
        if take:
            changed = set(
                session.scalars(
                    update(OutboundMessage)
                    .where(
                        OutboundMessage.account_id == account_id,
                        OutboundMessage.id.in_(take),
                        OutboundMessage.state.in_(DISCARDABLE_STATES),
                    )
                    .values(
                        state=OutboundState.CANCELLED,
                        lease_owner=None,
                        lease_expires_at=None,
                        updated_at=now or utcnow(),
                    )
                    .returning(OutboundMessage.id)
                )
            )
    listed = {row.id for row in rows}
    discarded = [i for i in take if i in changed]
    if discarded:
        log.info("account %s: %s discarded: #%s", account_id,
                 counted(len(discarded), "message"), ", #".join(map(str, discarded)))
    return DiscardResult(
        discarded=discarded,
        not_discardable=[i for i in wanted if i not in listed],
        needs_right=refused,
        unchanged=[i for i in take if i not in changed],
    )


def _campaign_rows_refused(
    session: Session, account_id: int, rows: Sequence[tuple[int, int | None]]
) -> tuple[list[int], access.AccessDenied | None]:
    """Of ``rows`` (id, campaign id), the campaign rows this role may not change (the
    database's ``ofcrm_campaign_sends`` policy would skip them without a word), with the
    refusal saying why; nothing and None when it holds the campaign right."""
    campaign_rows = [outbound_id for outbound_id, campaign_id in rows if campaign_id is not None]
    if not campaign_rows:
        return [], None
    denied = access.denial(session, Right.CAMPAIGN, account_id)
    return (campaign_rows, denied) if denied is not None else ([], None)


def _lock_account(session: Session, account_id: int) -> None:
    """Serialise with other writers of the account (SQLite: the write lock already does)."""
    found = session.scalar(select(Account.id).where(Account.id == account_id).with_for_update())
    if found is None:
        raise OutboxError(f"no account #{account_id}")
