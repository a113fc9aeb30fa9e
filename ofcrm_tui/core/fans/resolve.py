"""One fan of an account from what a user types: a platform user id or a username."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Fan


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
        if text.isascii() and text.isdigit():
            fan = session.scalar(
                select(Fan).where(Fan.account_id == account_id, Fan.platform_user_id == int(text))
            )
        if fan is None:
            fan = session.scalar(
                select(Fan).where(Fan.account_id == account_id, Fan.username == text)
            )
        if fan is None:
            raise FanError(
                f"no fan {ref!r} in this account (a platform user id or a username; "
                "sync the account if the fan is new)"
            )
        return FanRef(fan.id, fan.platform_user_id, fan.username, fan.name)
