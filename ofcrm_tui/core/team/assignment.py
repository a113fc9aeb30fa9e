"""Assignment: the chatter who owns a conversation, set by anyone, shown to everyone.

Every change adds one to the account's ``team_versions.assignments`` in its own
transaction; the other apps' heartbeats read that number (``presence.beat``) and reload
their lists when it moves, so a change shows everywhere within a beat.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, text, union
from sqlalchemy.orm import Session

from ofcrm_tui.core.team.names import TeamError, check_chatter
from ofcrm_tui.core.team.presence import live
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import OutboundKind
from ofcrm_tui.store.bounds import IN_CHUNK
from ofcrm_tui.store.models import (
    Assignment,
    Conversation,
    OutboundMessage,
    TeamPresence,
    TeamVersion,
)
from ofcrm_tui.store.upsert import count_up, dialect_insert

# Chatters who queued a reply this recently are offered when assigning.
KNOWN_FOR = timedelta(days=30)


@dataclass(frozen=True)
class Owner:
    conversation_id: int
    chatter: str
    assigned_by: str
    assigned_at: datetime


def assign(
    db: Database, account_id: int, conversation_id: int, chatter: str, *, by: str,
    now: datetime,
) -> Owner:
    """Give the conversation to ``chatter`` (whoever had it before)."""
    owner = Owner(conversation_id, check_chatter(chatter), check_chatter(by), now)
    with db.write() as session:
        _check_conversation(session, account_id, conversation_id)
        chatters = team_chatters(session, account_id)
        if chatters and owner.chatter not in chatters:
            raise TeamError(f"{owner.chatter!r} is not a chatter on this account's team "
                            f"(its chatters: {', '.join(chatters)})")
        values = {"chatter": owner.chatter, "assigned_by": owner.assigned_by,
                  "assigned_at": now}
        session.execute(
            dialect_insert(session, Assignment)
            .values(conversation_id=conversation_id, account_id=account_id, **values)
            .on_conflict_do_update(index_elements=["conversation_id"], set_=values)
        )
        bump(session, account_id)
    return owner


def claim_unowned(
    session: Session, account_id: int, conversation_id: int, chatter: str, *, now: datetime
) -> bool:
    """In the caller's transaction: give the conversation to ``chatter`` if nobody owns
    it (auto-assign on a first reply). True when it did."""
    inserted = session.scalar(
        dialect_insert(session, Assignment)
        .values(conversation_id=conversation_id, account_id=account_id, chatter=chatter,
                assigned_by=chatter, assigned_at=now)
        .on_conflict_do_nothing(index_elements=["conversation_id"])
        .returning(Assignment.conversation_id)
    )
    if inserted is not None:
        bump(session, account_id)
    return inserted is not None


def unassign(db: Database, account_id: int, conversation_id: int) -> str | None:
    """Nobody owns the conversation any more; returns who did (None: nobody)."""
    with db.write() as session:
        _check_conversation(session, account_id, conversation_id)
        previous = session.scalar(
            delete(Assignment)
            .where(Assignment.account_id == account_id,
                   Assignment.conversation_id == conversation_id)
            .returning(Assignment.chatter)
        )
        if previous is not None:
            bump(session, account_id)
    return previous


def owners_of(db: Database, account_id: int, conversation_ids: Iterable[int]) -> dict[int, Owner]:
    """The owners of those of ``conversation_ids`` someone owns, by conversation: one
    query (one per ``IN_CHUNK`` ids), where one per conversation would be as many."""
    wanted = sorted(set(conversation_ids))
    owners: dict[int, Owner] = {}
    if not wanted:
        return owners
    with db.read() as session:
        for start in range(0, len(wanted), IN_CHUNK):
            for row in session.execute(
                select(Assignment.conversation_id, Assignment.chatter, Assignment.assigned_by,
                       Assignment.assigned_at).where(
                    Assignment.account_id == account_id,
                    Assignment.conversation_id.in_(wanted[start:start + IN_CHUNK]),
                )
            ):
                owners[row[0]] = Owner(*row)
    return owners


def bump(session: Session, account_id: int) -> None:
    """Tell the other apps the account's assignments changed (in the change's transaction)."""
    count_up(session, TeamVersion, {"account_id": account_id}, "assignments")


def conversation_of(db: Database, account_id: int, fan_id: int) -> int:
    """The fan's conversation; TeamError when there is none yet."""
    with db.read() as session:
        found = session.scalar(select(Conversation.id).where(
            Conversation.account_id == account_id, Conversation.fan_id == fan_id))
    if found is None:
        raise TeamError("this fan has no conversation yet: nothing to assign")
    return found


@dataclass(frozen=True)
class Assignees:
    """Names to offer when assigning; on a team database, the account's chatters, and
    only they may own its conversations (``assign`` refuses anyone else)."""

    names: list[str]
    roster: bool

    def may_own(self, chatter: str) -> bool:
        return not self.roster or chatter in self.names


def known_chatters(
    db: Database, account_id: int, *, now: datetime, expiry_seconds: float
) -> Assignees:
    """Names to offer when assigning: on a team database the account's chatters; else
    chatters online now, owners of conversations, and those who queued a reply or a
    message lately; sorted (UNION drops the repeats)."""
    p = TeamPresence.__table__.c
    names = union(
        select(p.chatter).where(p.account_id == account_id, live(now, expiry_seconds)),
        select(Assignment.chatter).where(Assignment.account_id == account_id),
        select(OutboundMessage.created_by).where(
            OutboundMessage.account_id == account_id,
            OutboundMessage.created_at >= now - KNOWN_FOR,
            OutboundMessage.kind != OutboundKind.CAMPAIGN,
        ),
    )
    with db.read() as session:
        roster = team_chatters(session, account_id)
        found = roster or session.scalars(names)
        return Assignees(sorted(set(found), key=str.casefold), roster=bool(roster))


def team_chatters(session: Session, account_id: int) -> list[str]:
    """The account's chatters on a team database (PostgreSQL, the team's own list);
    empty where there is no team (SQLite; no chatter on the account)."""
    if session.get_bind().dialect.name != "postgresql":
        return []
    return list(session.scalars(text("SELECT * FROM ofcrm_account_chatters(:a)"),
                                {"a": account_id}))


def unassign_chatter(session: Session, chatter: str, *, keep: Collection[int] = ()) -> int:
    """In the caller's transaction: the chatter's conversations, on every account but
    those in ``keep``, go to nobody (a chatter taken off the team, or off some of its
    accounts: it could no longer see them); returns how many."""
    released = delete(Assignment).where(Assignment.chatter == chatter)
    if keep:
        released = released.where(Assignment.account_id.not_in(list(keep)))
    accounts = session.scalars(released.returning(Assignment.account_id)).all()
    for account_id in set(accounts):
        bump(session, account_id)
    return len(accounts)


def _check_conversation(session: Session, account_id: int, conversation_id: int) -> None:
    found = session.scalar(select(Conversation.id).where(
        Conversation.id == conversation_id, Conversation.account_id == account_id))
    if found is None:
        raise TeamError(f"no conversation #{conversation_id} in this account")
