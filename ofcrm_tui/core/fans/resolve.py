"""One fan of an account from what a user types: a platform user id or a username.

Usernames are one whatever their case, as on the platform: the exact spelling first
(the index finds it), else the same name in another case (``tag_names.named``: the
database's lower(), which on SQLite folds only ASCII letters).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ofcrm_tui.core.fans.tag_names import named
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import DeletedFan, Fan


class FanError(OfcrmError):
    pass


@dataclass(frozen=True)
class FanRef:
    id: int
    platform_user_id: int
    username: str
    name: str


def resolve_fan(db: Database, account_id: int, ref: str | int) -> FanRef:
    """A fan of the account from a platform user id or a username (``@`` optional)."""
    text = str(ref).strip().removeprefix("@")
    if not text:
        raise FanError("no fan given")
    with db.read() as session:
        fan = None
        if text.isascii() and text.isdigit() and int(text) < 2**63:  # a platform id's range
            fan = session.scalar(
                select(Fan).where(Fan.account_id == account_id, Fan.platform_user_id == int(text))
            )
        if fan is None:
            fan = session.scalar(
                select(Fan).where(Fan.account_id == account_id, Fan.username == text)
            )
        if fan is None:
            fan = _one_in_any_case(session, account_id, text)
        if fan is None:
            raise _not_found(session, account_id, ref, text)
        return FanRef(fan.id, fan.platform_user_id, fan.username, fan.name)


def _not_found(session: Session, account_id: int, ref: str | int, text: str) -> FanError:
    """No fan ``ref``: one deleted here is said to be (a sync would not bring it back
    until it writes again), any other may be new on the platform."""
    by_id = ([DeletedFan.platform_user_id == int(text)]
             if text.isascii() and text.isdigit() and int(text) < 2**63 else [])
    deleted_at = session.scalar(
        select(DeletedFan.deleted_at)
        .where(DeletedFan.account_id == account_id, or_(named(DeletedFan.username, [text]), *by_id))
        .order_by(DeletedFan.deleted_at.desc()).limit(1)
    )
    if deleted_at is not None:
        return FanError(f"fan {ref!r} was deleted here {deleted_at:%Y-%m-%d %H:%M} UTC "
                        "(a sync brings them back once they write again)")
    return FanError(f"no fan {ref!r} in this account (a platform user id or a username; "
                    "sync the account if the fan is new)")


def same_username(session: Session, account_id: int, username: str, *, limit: int) -> list[Fan]:
    """The account's fans whose username is ``username`` in any case, oldest first.
    Reads the account's usernames in the index (no index on lower(username))."""
    return list(session.scalars(
        select(Fan).where(Fan.account_id == account_id, named(Fan.username, [username]))
        .order_by(Fan.id).limit(limit)
    ))


def _one_in_any_case(session: Session, account_id: int, username: str) -> Fan | None:
    """The fan named ``username`` in another case; two such fans (made before
    usernames were one whatever their case) are for the user to tell apart."""
    found = same_username(session, account_id, username, limit=2)
    if len(found) > 1:
        raise FanError(
            f"@{found[0].username} and @{found[1].username} both match {username!r}: "
            "give the exact username or the platform user id"
        )
    return found[0] if found else None
