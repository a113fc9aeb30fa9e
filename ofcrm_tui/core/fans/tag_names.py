"""Tags are one whatever their case: ``VIP`` given to a fan is the account's ``vip`` when
it has one, and a filter on ``VIP`` finds the fans tagged ``vip``.

The database compares with its own lower() on both sides (SQLite folds only ASCII
letters, PostgreSQL all of them), then ``fields.tag_key``. An account that already has
two spellings keeps both: a filter finds either, and a name given again takes its exact
spelling, else the oldest of them; no new spelling of a tag is created.

A name is given by ``fields.tag_name`` (``#vip`` is ``vip``); a tag stored with a
leading ``#`` before that rule keeps it, and what looks tags up to find fans or take
them off (filters, segments, untagging) finds it under either spelling (``spellings``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, literal, select
from sqlalchemy.orm import Session

from ofcrm_tui.core.fans.fields import distinct_tags, tag_key, tag_name
from ofcrm_tui.store.models import Tag
from ofcrm_tui.store.upsert import upsert


def named(column: Any, names: Sequence[Any]) -> ColumnElement[bool]:
    """``column`` (a tag's name, a fan's username) is one of ``names`` (text, or bound
    parameters), whatever the case."""
    lowered = [func.lower(literal(name) if isinstance(name, str) else name) for name in names]
    return func.lower(column) == lowered[0] if len(lowered) == 1 else func.lower(column).in_(lowered)


def spellings(name: str) -> tuple[str, ...]:
    """The names a tag given as ``name`` may be stored under: the rule's (``#vip``:
    ``vip``), and, for a tag stored before the rule, as typed (``#vip``)."""
    return tuple(dict.fromkeys(part for part in (tag_name(name), name.strip()) if part))


def all_spellings(names: Sequence[str]) -> list[str]:
    """``spellings`` of each of ``names``, in order, without repeats."""
    return list(dict.fromkeys(spelling for name in names for spelling in spellings(name)))


def none_of(names: Iterable[str], tags: Iterable[str]) -> list[str]:
    """The ``names`` (trimmed) that are none of ``tags`` under any spelling, in any case:
    e.g. what an untag found nothing to take off."""
    folded = {tag.casefold() for tag in tags}
    return [name.strip() for name in names
            if not any(spelling.casefold() in folded for spelling in spellings(name))]


@lru_cache(maxsize=64)
def _lookup(count: int) -> Select[Any]:
    """The tags named like ``count`` names (``n0``...), oldest first: built once per
    count (an import looks up every batch, and building makes garbage to collect)."""
    tags = Tag.__table__.c
    names = [bindparam(f"n{i}") for i in range(count)]
    return (select(tags.id, tags.name)
            .where(tags.account_id == bindparam("account_id"), named(tags.name, names))
            .order_by(tags.id))


def _stored(session: Any, account_id: int, names: Sequence[str]) -> dict[str, tuple[int, str]]:
    """The account's tag each of ``names`` is (those it has, any case), as (id, name):
    the exact spelling, else the oldest. ``session``: a Session or a Connection."""
    if not names:
        return {}
    params = {"account_id": account_id, **{f"n{i}": name for i, name in enumerate(names)}}
    found = session.execute(_lookup(len(names)), params).all()
    exact = {name: (tag_id, name) for tag_id, name in found}
    oldest: dict[str, tuple[int, str]] = {}
    for tag_id, name in found:
        oldest.setdefault(tag_key(name), (tag_id, name))
    tags = {name: exact.get(name, oldest.get(tag_key(name))) for name in names}
    return {name: tag for name, tag in tags.items() if tag is not None}


def existing(session: Any, account_id: int, names: Sequence[str]) -> dict[str, int]:
    """The id of the account's tag each of ``names`` is (``_stored``)."""
    return {name: tag_id for name, (tag_id, _) in _stored(session, account_id, names).items()}


def as_stored(session: Any, account_id: int, names: Sequence[str]) -> tuple[str, ...]:
    """``names`` as the account spells its tags (``vip`` typed, ``VIP`` stored: ``VIP``);
    a name it has in no case stays as given."""
    stored = _stored(session, account_id, names)
    return tuple(stored[name][1] if name in stored else name for name in names)


def ensure(session: Session, account_id: int, names: Sequence[str]) -> dict[str, int]:
    """The id of the tag each of ``names`` is: the account's (``existing``), else a new
    tag, made in the first spelling given of a name the account has in no case."""
    found = existing(session, account_id, names)
    new = distinct_tags(name for name in names if name not in found)
    if new:
        upsert(session, Tag, [{"account_id": account_id, "name": name, "color": ""} for name in new],
               key=("account_id", "name"))
        found = existing(session, account_id, names)
    return found
