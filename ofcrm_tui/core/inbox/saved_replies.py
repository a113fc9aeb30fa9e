"""Saved replies: named snippets a chatter picks with a fuzzy filter and sends.

A body may name the fan with placeholders: ``{name}`` (the fan's name on the platform,
else the username) and ``{username}``. ``{nickname}`` is refused, as in campaigns: it is
the team's private label for the fan. A body saved with it before is refused when it is
picked, never filled in. A word in braces that is no placeholder (``{time}``, ``{nmae}``,
``{name|babe}``) is refused when the reply is saved: the fan would read it as typed.
Other braces (a lone ``{``, ``{:``) are text, and so is anything a reply saved before
this rule holds. A new reply's problems are named all at once (``new_reply_problems``),
not one a save.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ofcrm_tui.core.campaigns.placeholders import NICKNAME_REFUSED
from ofcrm_tui.core.outbox.rules import MAX_TEXT_CHARS
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import SavedReply as SavedReplyRow

NAME_MAX = 128


class SavedReplyError(OfcrmError):
    pass


@dataclass(frozen=True)
class SavedReply:
    id: int
    name: str
    body: str


class FanNames(Protocol):
    """What ``render_reply`` reads of a fan (``inbox.ConversationRow`` has it)."""

    name: str
    username: str


def list_replies(db: Database, account_id: int) -> list[SavedReply]:
    """The account's saved replies by name, whatever its case ("nick test" before
    "Welcome", on every backend and collation)."""
    with db.read() as session:
        rows = session.execute(
            select(SavedReplyRow.id, SavedReplyRow.name, SavedReplyRow.body)
            .where(SavedReplyRow.account_id == account_id)
            .order_by(func.lower(SavedReplyRow.name), SavedReplyRow.name, SavedReplyRow.id)
        ).all()
    return [SavedReply(id=row.id, name=row.name, body=row.body) for row in rows]


def create_reply(db: Database, account_id: int, name: str, body: str) -> SavedReply:
    """Add a reply; ``SavedReplyError`` naming each of ``new_reply_problems``, or a name
    already used in the account (compared without case)."""
    if problems := new_reply_problems(name, body):
        raise SavedReplyError("; ".join(problems))
    name = " ".join(name.split())
    duplicate = SavedReplyError(f"a saved reply named {name!r} already exists")
    try:
        with db.write() as session:
            taken = session.scalars(
                select(SavedReplyRow.name).where(SavedReplyRow.account_id == account_id)
            )
            if any(existing.casefold() == name.casefold() for existing in taken):
                raise duplicate
            row = SavedReplyRow(account_id=account_id, name=name, body=body)
            session.add(row)
            session.flush()
            return SavedReply(id=row.id, name=row.name, body=row.body)
    except IntegrityError as exc:  # another process created the same name meanwhile
        raise duplicate from exc


def delete_reply(db: Database, account_id: int, reply_id: int) -> None:
    """Delete one reply of the account; nothing happens if it is already gone."""
    with db.write() as session:
        session.execute(
            delete(SavedReplyRow).where(
                SavedReplyRow.account_id == account_id, SavedReplyRow.id == reply_id
            )
        )


# -- fuzzy filter ----------------------------------------------------------------------


def _word_start(text: str, index: int) -> bool:
    return index == 0 or not text[index - 1].isalnum()


def _subsequence(term: str, text: str) -> float | None:
    """How tightly ``term``'s letters appear in order in ``text`` (1.0 = adjacent)."""
    first = position = -1
    for char in term:
        position = text.find(char, position + 1)
        if position < 0:
            return None
        if first < 0:
            first = position
    return len(term) / (position - first + 1)


def _term_score(term: str, name: str, body: str) -> float | None:
    if name == term:
        return 100.0
    if name.startswith(term):
        return 80.0
    index = name.find(term)
    if index >= 0:
        return 70.0 if _word_start(name, index) else 60.0
    tight = _subsequence(term, name)
    if tight is not None:
        return 30.0 + 20.0 * tight
    index = body.find(term)
    if index >= 0:
        return 25.0 if _word_start(body, index) else 20.0
    return None


def _score(needle: str, terms: list[str], reply: SavedReply) -> float | None:
    name = reply.name.casefold()
    body = reply.body.casefold()
    total = 0.0
    for term in terms:
        score = _term_score(term, name, body)
        if score is None:
            return None
        total += score
    if len(terms) > 1 and needle in name:
        total += 50.0
    return total


def fuzzy_filter(replies: Iterable[SavedReply], needle: str) -> list[SavedReply]:
    """The replies matching ``needle``, best first.

    Every word of the needle must match the name (exactly, as a prefix, a substring or
    its letters in order) or appear in the body; name matches rank above body matches,
    tighter above looser, shorter names first on a tie. An empty needle keeps all, in
    the order given.
    """
    needle = " ".join(needle.casefold().split())
    replies = list(replies)
    if not needle:
        return replies
    terms = needle.split()
    scored = []
    for reply in replies:
        score = _score(needle, terms, reply)
        if score is not None:
            scored.append((-score, len(reply.name), reply.name.casefold(), reply.id, reply))
    scored.sort(key=lambda entry: entry[:4])
    return [entry[-1] for entry in scored]


# -- placeholders ----------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(name|username)\}")
# ``{nickname}``, spaced or with a fallback as campaigns write it (``{nickname|babe}``).
_NICKNAME = re.compile(r"\{\s*nickname\s*(\|[^{}]*)?\}")


# A word in braces, with or without a campaign's fallback: meant as a placeholder.
_WORD_IN_BRACES = re.compile(r"\{\s*[A-Za-z_]\w*\s*(?:\|[^{}]*)?\}")


def check_body(body: str) -> None:
    """SavedReplyError when ``body`` would send the team's private nickname for a fan."""
    if _NICKNAME.search(body):
        raise SavedReplyError(NICKNAME_REFUSED)


def typed_problems(name: str, body: str) -> list[str]:
    """What a new reply's name and text break, each said (none: nothing): a name too
    long, a text longer than a message may be, ``{nickname}``, and in one line every word
    in braces that is not ``{name}`` or ``{username}`` (a typo, a campaign's
    ``{name|babe}``)."""
    problems = []
    if len(" ".join(name.split())) > NAME_MAX:
        problems.append(f"a saved reply's name is at most {NAME_MAX} characters")
    if len(body) > MAX_TEXT_CHARS:
        problems.append(f"the text is {len(body):,} characters long: a message is at most "
                        f"{MAX_TEXT_CHARS:,}")
    if _NICKNAME.search(body):
        problems.append(NICKNAME_REFUSED)
    unknown = dict.fromkeys(
        match.group(0) for match in _WORD_IN_BRACES.finditer(body)
        if not _PLACEHOLDER.fullmatch(match.group(0)) and not _NICKNAME.fullmatch(match.group(0)))
    if unknown:
        noun = "placeholder" if len(unknown) == 1 else "placeholders"
        problems.append(f"unknown {noun} {', '.join(unknown)}: a saved reply takes {{name}} or "
                        "{username} (no fallback)")
    return problems


def new_reply_problems(name: str, body: str) -> list[str]:
    """Each reason a new reply may not be saved (its name taken aside): a name or text
    missing, then ``typed_problems``."""
    missing = []
    if not name.strip():
        missing.append("a saved reply needs a name")
    if not body.strip():
        missing.append("a saved reply needs some text")
    return missing + typed_problems(name, body)


def render_reply(body: str, fan: FanNames) -> str:
    """``body`` with ``{name}`` and ``{username}`` filled in for ``fan``; SavedReplyError
    for a body with ``{nickname}`` (saved before it was refused).

    One pass: text substituted in is never expanded again, so a fan named ``{name}``
    stays as is. Other braces are left as typed.
    """
    check_body(body)
    values = {"name": fan.name or fan.username, "username": fan.username}
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], body)
