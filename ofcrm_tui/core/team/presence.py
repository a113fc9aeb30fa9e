"""Presence: each running app's heartbeat row, and what the other apps' rows say.

A beat is one statement: the app's row is upserted and its ``RETURNING`` clause brings
back, as JSON, the live rows of the account's other chatters plus the assignments' and
the fans' versions (``team_versions``). So an app costs the database one statement a beat at idle,
and a change (a conversation opened, typing started or stopped) is written at once by
a beat of its own. A row not beaten for the expiry is that of an app that died (crash,
lost network) and is not shown; ``leave`` deletes the app's row when it quits.

Times are the apps' clocks (the injected clock in tests): apps on several machines
rely on their clocks agreeing to well within the expiry, as NTP keeps them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, delete, func, or_, select, type_coerce

from ofcrm_tui.core.team.names import check_chatter
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation, Fan, TeamPresence, TeamVersion, fan_display_name
from ofcrm_tui.store.upsert import dialect_insert

_P = TeamPresence.__table__.c
# A lapsed row older than this is deleted when any app of the account quits.
FORGET_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Beat:
    """What this app reports: its account and chatter, the conversation open, typing."""

    account_id: int
    chatter: str
    conversation_id: int | None = None
    typing_since: datetime | None = None  # None: not typing


@dataclass(frozen=True)
class Present:
    """Another chatter with the account open: on a conversation (or none), typing or not."""

    chatter: str
    conversation_id: int | None
    typing: bool


@dataclass(frozen=True)
class TeamView:
    """What the beat brought back: the other chatters present, the assignments' and the
    fans' versions."""

    account_id: int
    present: tuple[Present, ...] = ()
    assignments_version: int = 0
    fans_version: int = 0

    def by_conversation(self) -> dict[int, tuple[Present, ...]]:
        found: dict[int, list[Present]] = defaultdict(list)
        for person in self.present:
            if person.conversation_id is not None:
                found[person.conversation_id].append(person)
        return {key: tuple(people) for key, people in found.items()}

    def on(self, conversation_id: int | None) -> tuple[Present, ...]:
        """Who is on ``conversation_id``: those typing first."""
        people = [p for p in self.present if p.conversation_id == conversation_id]
        return tuple(sorted(people, key=lambda p: (not p.typing, p.chatter)))


def live(now: datetime, expiry_seconds: float) -> Any:
    """The condition on presence rows beaten within the expiry."""
    return _P.seen_at > now - timedelta(seconds=expiry_seconds)


def beat(
    db: Database, app_id: str, report: Beat, *, now: datetime, expiry_seconds: float
) -> TeamView:
    """Write this app's row and read the others': one statement."""
    chatter = check_chatter(report.chatter)
    others = select(_json_rows(db)).where(
        _P.account_id == report.account_id,
        _P.app_id != app_id,
        _P.chatter != chatter,
        live(now, expiry_seconds),
    )
    versions = [select(column).where(TeamVersion.account_id == report.account_id).scalar_subquery()
                for column in (TeamVersion.assignments, TeamVersion.fans)]
    values = {
        "account_id": report.account_id,
        "chatter": chatter,
        "conversation_id": _existing(report.account_id, report.conversation_id),
        "typing_since": report.typing_since,
        "seen_at": now,
    }
    with db.write() as session:
        statement = (
            dialect_insert(session, TeamPresence)
            .values(app_id=app_id, started_at=now, **values)
            .on_conflict_do_update(index_elements=[_P.app_id], set_=values)
            .returning(others.scalar_subquery(), *versions)
        )
        found, assignments, fans = session.execute(statement).one()
    return TeamView(report.account_id, _parse(found), int(assignments or 0), int(fans or 0))


def _existing(account_id: int, conversation_id: int | None) -> Any:
    """The open conversation, if it is still there: another chatter may have deleted
    its fan (and with it the conversation) since it was opened."""
    if conversation_id is None:
        return None
    return select(Conversation.id).where(
        Conversation.id == conversation_id, Conversation.account_id == account_id
    ).scalar_subquery()


def _json_rows(db: Database) -> Any:
    """The rows of a select as one JSON array of ``[chatter, conversation, typing]``."""
    typing = type_coerce(_P.typing_since.is_not(None), Boolean)
    if db.is_sqlite:
        return func.json_group_array(func.json_array(_P.chatter, _P.conversation_id, typing))
    return func.json_agg(func.json_build_array(_P.chatter, _P.conversation_id, typing))


def _parse(found: Any) -> tuple[Present, ...]:
    rows = json.loads(found) if isinstance(found, str) else (found or [])
    # One chatter in two apps on one conversation shows once, typing if either types.
    typing: dict[tuple[str, int | None], bool] = {}
    for chatter, conversation, typed in rows:
        key = (str(chatter), conversation)
        typing[key] = typing.get(key, False) or bool(typed)
    people = [Present(chatter, conversation, typed)
              for (chatter, conversation), typed in typing.items()]
    return tuple(sorted(people, key=lambda p: (p.chatter, p.conversation_id or 0)))


def leave(db: Database, app_id: str, account_id: int, *, now: datetime) -> None:
    """The app quits: its row goes, and with it the account's rows long lapsed."""
    with db.write() as session:
        session.execute(
            delete(TeamPresence).where(
                TeamPresence.account_id == account_id,
                or_(_P.app_id == app_id, _P.seen_at < now - FORGET_AFTER),
            )
        )


@dataclass(frozen=True)
class Online:
    """A chatter with the app open now (``ofcrm chatters``)."""

    chatter: str
    apps: int
    since: datetime  # the oldest of their apps' starts
    conversation_id: int | None
    fan_name: str | None  # the fan of the open conversation
    fan_username: str | None
    typing: bool


def online(
    db: Database, account_id: int, *, now: datetime, expiry_seconds: float
) -> list[Online]:
    """Every chatter with an app open on the account now, by name; one of their open
    conversations (the typed-in one first)."""
    statement = (
        select(
            _P.chatter, _P.started_at, _P.conversation_id, _P.typing_since,
            Fan.nickname, Fan.name, Fan.username,
        )
        .select_from(TeamPresence.__table__)
        .outerjoin(
            Conversation,
            (Conversation.id == _P.conversation_id) & (Conversation.account_id == account_id),
        )
        .outerjoin(Fan, (Fan.id == Conversation.fan_id) & (Fan.account_id == account_id))
        .where(_P.account_id == account_id, live(now, expiry_seconds))
        .order_by(_P.chatter, _P.typing_since.is_(None), _P.conversation_id.is_(None),
                  _P.started_at)
    )
    with db.read() as session:
        rows = session.execute(statement).all()
    found: dict[str, Online] = {}
    for row in rows:
        first = found.get(row.chatter)
        if first is None:
            fan = None if row.username is None else fan_display_name(
                row.nickname, row.name, row.username)
            found[row.chatter] = Online(
                row.chatter, 1, row.started_at, row.conversation_id, fan, row.username,
                row.typing_since is not None,
            )
        else:
            found[row.chatter] = Online(
                first.chatter, first.apps + 1, min(first.since, row.started_at),
                first.conversation_id, first.fan_name, first.fan_username, first.typing,
            )
    return list(found.values())
