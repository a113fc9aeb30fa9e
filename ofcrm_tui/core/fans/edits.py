"""Changing fans by hand: nickname, tags, dated notes, creating and deleting fans.

Each function is one short write transaction, filters by ``account_id`` and raises
``FanEditError`` (one line) for a fan or note of another account or bad input; what it
changed is visible to every reader (the inbox shows tags and nicknames on its next
reload). Each that succeeds moves the account's fans version once (``fans_changed``, in
its own transaction, even when it changed nothing: an app counts its own edits so), and
the other chatters' apps reload at their next beat. Field rules live in ``fields``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from ofcrm_tui.core import access
from ofcrm_tui.core.access import Right
from ofcrm_tui.core.fans import deleted, fields, tag_names
from ofcrm_tui.core.fans.resolve import same_username
from ofcrm_tui.core.outbox.rules import WAITING_STATES
from ofcrm_tui.core.wording import counted_list
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import AuditAction
from ofcrm_tui.store.models import (
    Conversation,
    Draft,
    Fan,
    FanTag,
    Message,
    Note,
    OutboundMessage,
    Tag,
    TeamVersion,
    fan_display_name,
)
from ofcrm_tui.store.types import utcnow
from ofcrm_tui.store.upsert import count_up, upsert

log = logging.getLogger(__name__)


class FanEditError(OfcrmError):
    """``field``: the form field at fault, if one is (as ``fields.FanFieldError``)."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.field = field


@dataclass(frozen=True)
class NoteView:
    id: int
    fan_id: int
    author: str
    body: str  # raw fan-related text: the UI shows it literally
    created_at: datetime
    updated_at: datetime
    # The last save by someone other than its author, and when (None: only its author's).
    edited_by: str | None = None
    edited_at: datetime | None = None

    @classmethod
    def of(cls, note: Note) -> NoteView:
        return cls(note.id, note.fan_id, note.author, note.body, note.created_at, note.updated_at,
                   note.edited_by, note.edited_at)


def fans_changed(session: Session, account_id: int) -> None:
    """Tell the other apps the account's fans changed: one upsert, in the change's
    transaction (a failed change rolls it back with the rest)."""
    count_up(session, TeamVersion, {"account_id": account_id}, "fans")


def _fan(session: Session, account_id: int, fan_id: int) -> Fan:
    fan = session.get(Fan, fan_id)
    if fan is None or fan.account_id != account_id:
        raise FanEditError(f"no fan #{fan_id} in this account")
    return fan


# -- nickname --------------------------------------------------------------------------


def check_values(*, tags: Iterable[str] = (), nickname: str | None = None,
                 note: str | None = None) -> None:
    """The checks of the values one command gives, before it writes any (each edit
    checks its own again): a bad tag after a good nickname, or on a new fan, left half
    the command done. FanFieldError names the first bad one."""
    for tag in tags:
        fields.clean_tag(tag)
    if nickname:
        fields.clean_name("nickname", nickname.strip())
    if note:
        fields.clean_note(note)


def set_nickname(db: Database, account_id: int, fan_id: int, nickname: str) -> str:
    """The creator's nickname for the fan ("" clears it); returns it as stored."""
    value = fields.clean_name("nickname", nickname.strip())
    with db.write() as session:
        _fan(session, account_id, fan_id).nickname = value
        fans_changed(session, account_id)
    return value


# -- tags ------------------------------------------------------------------------------


def fan_tags(session: Session, account_id: int, fan_id: int) -> tuple[str, ...]:
    return tuple(
        session.scalars(
            select(Tag.name)
            .join(FanTag, FanTag.tag_id == Tag.id)
            .where(FanTag.account_id == account_id, FanTag.fan_id == fan_id)
            .order_by(Tag.name)
        )
    )


def tags_by_fan(session: Session, account_id: int, fan_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The tags of a page of fans, in one query (fans without tags are left out)."""
    found: dict[int, list[str]] = {}
    rows = session.execute(
        select(FanTag.fan_id, Tag.name)
        .join(Tag, Tag.id == FanTag.tag_id)
        .where(FanTag.account_id == account_id, FanTag.fan_id.in_(fan_ids))
        .order_by(FanTag.fan_id, Tag.name)
    )
    for fan_id, name in rows:
        found.setdefault(fan_id, []).append(name)
    return {fan_id: tuple(names) for fan_id, names in found.items()}


def tag_completions(db: Database, account_id: int, typed: str, *, limit: int = 20) -> list[str]:
    """Existing tags starting with ``typed`` (any case), then those containing it."""
    needle = typed.strip().lower()
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    name = func.lower(Tag.name)
    with db.read() as session:
        return list(
            session.scalars(
                select(Tag.name)
                .where(Tag.account_id == account_id, name.like(f"%{escaped}%", escape="\\"))
                .order_by(name.like(f"{escaped}%", escape="\\").desc(), Tag.name)
                .limit(limit)
            )
        )


def add_tags(db: Database, account_id: int, fan_id: int, names: Iterable[str]) -> tuple[str, ...]:
    """Tag the fan: a name the account has in another case is that tag, a new name is
    created (``tag_names``); returns the fan's tags after."""
    wanted = fields.distinct_tags(fields.clean_tag(name) for name in names)
    with db.write() as session:
        _fan(session, account_id, fan_id)
        if wanted:
            ids = set(tag_names.ensure(session, account_id, wanted).values())
            upsert(session, FanTag,
                   [{"fan_id": fan_id, "tag_id": tag_id, "account_id": account_id} for tag_id in ids],
                   key=("fan_id", "tag_id"))
        fans_changed(session, account_id)
        return fan_tags(session, account_id, fan_id)


def remove_tags(db: Database, account_id: int, fan_id: int, names: Iterable[str]) -> tuple[str, ...]:
    """Untag the fan (any case; tags it does not have are ignored); returns its tags after.
    The tag itself stays, for completion, even when no fan holds it any more."""
    unwanted = tag_names.all_spellings(list(names))  # "#vip": vip, or a tag stored as #vip
    with db.write() as session:
        _fan(session, account_id, fan_id)
        if unwanted:
            tag_ids = select(Tag.id).where(Tag.account_id == account_id,
                                           tag_names.named(Tag.name, unwanted))
            session.execute(delete(FanTag).where(
                FanTag.account_id == account_id, FanTag.fan_id == fan_id, FanTag.tag_id.in_(tag_ids)
            ))
        fans_changed(session, account_id)
        return fan_tags(session, account_id, fan_id)


# -- notes -----------------------------------------------------------------------------


def add_note(db: Database, account_id: int, fan_id: int, body: str, *, author: str) -> NoteView:
    text = fields.clean_note(body)
    with db.write() as session:
        _fan(session, account_id, fan_id)
        now = utcnow()
        note = Note(account_id=account_id, fan_id=fan_id, author=author, body=text,
                    created_at=now, updated_at=now)
        session.add(note)
        session.flush()
        fans_changed(session, account_id)
        return NoteView.of(note)


class NoteGone(FanEditError):
    """No such note in the account (deleted meanwhile, or never its)."""


def _note(session: Session, account_id: int, note_id: int) -> Note:
    note = session.get(Note, note_id)
    if note is None or note.account_id != account_id:
        raise NoteGone(f"no note #{note_id} in this account")
    return note


def note_refusal(identity: access.Identity, author: str, doing: str = "edit") -> str | None:
    """Why this login may not change (``doing``: edit, delete) a note ``author`` wrote
    (None: it may): on a team's PostgreSQL a chatter changes and deletes only its own
    notes (the database's policy, ``store/security.py``; workers and managers any); on
    SQLite, one person's, any."""
    if identity.kind is access.Kind.CHATTER and author != identity.role:
        return _not_yours(author, doing)
    return None


def _not_yours(author: str, doing: str) -> str:
    if not author:
        return f"a note without an author: only a manager can {doing} it"
    return f"{author}'s note: only {author} can {doing} it"


def _own(session: Session, note: Note, doing: str) -> None:
    """FanEditError unless the login may change ``note``, as the database's policy has
    it (in this transaction): the policy alone would leave the row as it is, silently."""
    if session.get_bind().dialect.name != "postgresql":
        return
    if not session.scalar(
        text("SELECT :author = SESSION_USER::text"
             " OR :account = ANY (ofcrm_granted_accounts('settings'))"),
        {"author": note.author, "account": note.account_id},
    ):
        raise FanEditError(_not_yours(note.author, doing))


class NoteChanged(FanEditError):
    """The note is no longer the text the edit started from (someone saved meanwhile)."""


def _unchanged(note: Note, was: str | None) -> None:
    if was is not None and note.body != was:
        raise NoteChanged(f"note #{note.id} was changed by someone else meanwhile")


def _audit_other(session: Session, note: Note, by: str, action: AuditAction) -> None:
    """A note changed by someone other than its author: a line of the team's trail
    (nothing on SQLite), naming whose note on which fan, never its words."""
    if by == note.author or session.get_bind().dialect.name != "postgresql":
        return
    username = session.scalar(select(Fan.username).where(Fan.id == note.fan_id))
    whose = f"{note.author}'s note" if note.author else "a note without an author"
    access.record(session, action, note.account_id, 1, f"{whose} #{note.id} on @{username}")


def edit_note(
    db: Database, account_id: int, note_id: int, body: str, *, by: str, was: str | None = None
) -> NoteView:
    """The note's new ``body``, saved by ``by`` (the chatter name, as ``author``); with
    ``was`` (the text the edit started from), only if nobody changed the note meanwhile,
    else NoteChanged and nothing saved: two chatters editing one note must not lose one's
    words without a word. Saved by someone other than its author, the note says who and
    when (``edited_by``, kept when the author saves again: their words may still be in
    it) and the team's audit trail has it."""
    text = fields.clean_note(body)
    with db.write() as session:
        note = _note(session, account_id, note_id)
        _own(session, note, "edit")
        _unchanged(note, was)
        now = utcnow()
        note.body = text
        note.updated_at = now
        if by != note.author:
            note.edited_by, note.edited_at = by, now
            _audit_other(session, note, by, AuditAction.NOTE_EDITED)
        session.flush()
        fans_changed(session, account_id)
        return NoteView.of(note)


def delete_note(
    db: Database, account_id: int, note_id: int, *, by: str, was: str | None = None
) -> None:
    """With ``was`` (the text the chatter was asked about), only if nobody changed the
    note since, else NoteChanged and the note kept. Deleted by someone other than its
    author (``by``): in the team's audit trail."""
    with db.write() as session:
        note = _note(session, account_id, note_id)
        _own(session, note, "delete")
        _unchanged(note, was)
        _audit_other(session, note, by, AuditAction.NOTE_DELETED)
        session.delete(note)
        fans_changed(session, account_id)


# -- creating and deleting fans --------------------------------------------------------


def new_username(value: str) -> str:
    """A new fan's username by ``fields.clean_username``, refused when empty."""
    handle = fields.clean_username(value)
    if not handle:
        raise FanEditError("a fan needs a username", "username")
    return handle


def create_fan(
    db: Database,
    account_id: int,
    *,
    username: str,
    name: str = "",
    nickname: str = "",
    platform_user_id: int | None = None,
) -> int:
    """A fan known from elsewhere (no platform id, unless given); returns its id.
    The username must be new to the account in any case: it is how the CLI and imports
    find the fan."""
    handle = new_username(username)
    values = {"name": fields.clean_name("name", name), "nickname": fields.clean_name("nickname", nickname)}
    if platform_user_id is not None and not 0 < platform_user_id < 2**63:
        raise FanEditError(f"user id {platform_user_id} is not a positive whole number")
    with db.write() as session:
        taken = same_username(session, account_id, handle, limit=1)
        if taken:  # usernames are one whatever their case, as on the platform
            raise FanEditError(f"the account already has a fan @{taken[0].username}", "username")
        if platform_user_id is not None and session.scalar(
            select(Fan.id).where(Fan.account_id == account_id, Fan.platform_user_id == platform_user_id)
        ):
            raise FanEditError(f"the account already has a fan with user id {platform_user_id}")
        fan = Fan(account_id=account_id, username=handle, platform_user_id=platform_user_id, **values)
        session.add(fan)
        session.flush()
        # A fan deleted here and added again (who they are: the user id, else the
        # username): the sync brings their chat and figures again.
        if platform_user_id is None:
            deleted.forget(session, account_id, usernames=[handle])
        else:
            deleted.forget(session, account_id, platform_user_ids=[platform_user_id])
        fans_changed(session, account_id)
        return fan.id


@dataclass(frozen=True)
class DeletionSummary:
    """What deleting a fan takes with it, for the confirmation."""

    label: str  # display name and @username
    from_platform: bool
    notes: int
    tags: int
    drafts: int
    messages: int
    pending_sends: int

    def describe(self) -> str:
        goes = counted_list(
            (self.notes, "note"), (self.tags, "tag"), (self.drafts, "draft"),
            (self.messages, "stored message"),
            (self.pending_sends, "message waiting to be sent (not sent)",
             "messages waiting to be sent (not sent)"),
        )
        text = f"Delete {self.label}{f' with {goes}' if goes else ''}?"
        if self.from_platform:
            text += (" The fan is on the platform: the sync leaves them out from now on; they"
                     " come back, as a new fan, only if they write again.")
        return text


def _label(fan: Fan) -> str:
    """``Joe (@met_at_expo)``; ``@met_at_expo`` for a fan with no other name."""
    shown = fan_display_name(fan.nickname, fan.name, fan.username)
    return f"@{fan.username}" if shown == fan.username else f"{shown} (@{fan.username})"


def deletion_summary(db: Database, account_id: int, fan_id: int) -> DeletionSummary:
    with db.read() as session:
        fan = _fan(session, account_id, fan_id)

        def count(model: type, *where: object) -> int:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

        conversation = select(Conversation.id).where(
            Conversation.account_id == account_id, Conversation.fan_id == fan_id
        )
        return DeletionSummary(
            label=_label(fan),
            from_platform=fan.on_platform,
            notes=count(Note, Note.account_id == account_id, Note.fan_id == fan_id),
            tags=count(FanTag, FanTag.account_id == account_id, FanTag.fan_id == fan_id),
            drafts=count(Draft, Draft.account_id == account_id, Draft.conversation_id.in_(conversation)),
            messages=count(Message, Message.account_id == account_id, Message.fan_id == fan_id),
            pending_sends=count(
                OutboundMessage,
                OutboundMessage.account_id == account_id,
                OutboundMessage.fan_id == fan_id,
                OutboundMessage.state.in_([s.value for s in WAITING_STATES]),
            ),
        )


def delete_fan(db: Database, account_id: int, fan_id: int) -> None:
    """The fan and all that hangs on them (the schema cascades: conversation, messages,
    drafts, notes, tags, queued sends); purchase history keeps its rows, unlinked. A fan
    of the platform stays deleted: the sync leaves them out until they write again
    (``deleted``). On a team database only with the delete right (AccessDenied); the
    audit trail names the fan (a trigger)."""
    with db.write() as session:
        access.require(session, Right.DELETE, account_id)
        fan = _fan(session, account_id, fan_id)
        if fan.platform_user_id is not None:
            deleted.remember(session, account_id, fan.platform_user_id, fan.username)
        session.delete(fan)
        fans_changed(session, account_id)
    log.info("account %s: fan #%s deleted", account_id, fan_id)
