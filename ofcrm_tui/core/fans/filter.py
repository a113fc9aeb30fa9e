"""The fan filter: which fans a list, segment or count holds, compiled once to SQL.

``FanFilter`` is a frozen value; each field set adds one condition and all must hold.
Conditions come in two kinds: on the fan's own row (status, spend, last active,
purchased, and the facts triggers keep there: PPV bought, last messaged, last chat;
``_ROW_CONDITIONS``) and on the fan id alone (tag sets, search hits). A status matches
only fans with subscription data (``Fan.on_platform``): one made by hand or imported
without a platform id has none, active or expired (``ix_fans_segment`` holds both).
``fan_ids`` puts both on the fans table; a list over another table joined to fans (the
inbox) uses ``row_conditions`` on the joined row and ``set_conditions`` on its fan id
column, so its own indexes keep driving the query. A new field: one line in the
dataclass and its condition in ``_ROW_CONDITIONS`` or ``set_conditions``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, or_, select

from ofcrm_tui.core.fans.fields import FanFieldError, clean_tag, distinct_tags, tag_key
from ofcrm_tui.core.fans.search import clean_needle, search_hits, searching
from ofcrm_tui.core.fans.tag_names import all_spellings, as_stored, named
from ofcrm_tui.errors import UsageError
from ofcrm_tui.platform.money import MoneyError, format_cents, named_dollars
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import TransactionType
from ofcrm_tui.store.models import Fan, FanTag, Tag, Transaction
from ofcrm_tui.store.probe import ProbeOnly

Status = Literal["active", "expired"]

_F = Fan.__table__.c


@dataclass(frozen=True)
class FanFilter:
    tags_in: tuple[str, ...] = ()  # has at least one of these tags
    tags_out: tuple[str, ...] = ()  # has none of these tags
    status: Status | None = None
    min_spent_cents: int | None = None  # total spent at least this
    max_spent_cents: int | None = None  # total spent at most this
    active_before: datetime | None = None  # last seen before this, or never
    active_after: datetime | None = None  # last seen at or after this
    purchased: bool | None = None  # True: spent something; False: nothing
    search: str | None = None  # names, notes and message text (``core.fans.search``)
    subscribed_after: datetime | None = None  # subscribed at or after this
    expires_before: datetime | None = None  # subscription ends at or before this
    purchased_since: datetime | None = None  # bought something (not a subscription) since
    no_purchase_since: datetime | None = None  # bought nothing since
    bought_ppv: bool | None = None  # True: has bought a PPV message; False: never
    not_messaged_since: datetime | None = None  # nothing sent to the fan since
    quiet_since: datetime | None = None  # no message either way since (not in a live chat)
    exclude_fan_ids: tuple[int, ...] = ()  # these fans never

    @property
    def reads_fan_row(self) -> bool:
        """Some condition is on the fan's own row (a list elsewhere must join fans)."""
        return any(getattr(self, name) is not None for name in _ROW_CONDITIONS)

    @property
    def picks_set(self) -> bool:
        """A tag or a search picks a (usually small) set of fans first."""
        return bool(self.tags_in) or searching(self.search)


class FilterError(UsageError, ValueError):
    """A filter as typed that cannot be applied, in one line; ``field`` names the
    FanFilter field at fault (a form puts the cursor there)."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.field = field


_SPEND_WORDS = {"min_spent_cents": "minimum spend", "max_spent_cents": "maximum spend"}


def spend_bound(text: str | None, field: str) -> int | None:
    """A spend bound as typed (``12.50``, ``$12``) in cents; None when empty."""
    if text is None or not text.strip():
        return None
    try:
        return named_dollars(text.strip(), _SPEND_WORDS[field])
    except MoneyError as exc:
        raise FilterError(str(exc), field) from None


def checked(flt: FanFilter) -> FanFilter:
    """``flt`` when its tags are names a tag can have (``fields.clean_tag``, as a tag is
    given: ``#vip`` is ``vip``, a ``#`` alone none) and some fan can pass it, else
    FilterError: the app's dialog, the command line and a campaign's segment refuse the
    same filters (a range that holds no spend or day, the tags wanted all left out, never
    purchased with a spend, purchased without one)."""
    tags = {field: _clean_tags(getattr(flt, field), field) for field in ("tags_in", "tags_out")}
    left_out = {tag_key(name) for name in tags["tags_out"]}
    if tags["tags_in"] and all(tag_key(name) in left_out for name in tags["tags_in"]):
        wanted = distinct_tags(tags["tags_in"])
        raise FilterError(f"{' and '.join('#' + name for name in wanted)} "
                          f"{'is' if len(wanted) == 1 else 'are'} both wanted and left out: "
                          "no fan can match", "tags_out")
    low, high = flt.min_spent_cents, flt.max_spent_cents
    if low is not None and high is not None and low > high:
        raise FilterError(f"minimum spend {format_cents(low)} is above the maximum "
                          f"{format_cents(high)}", "min_spent_cents")
    if flt.purchased is False and low is not None and low > 0:
        raise FilterError(f"never purchased, with a minimum spend of {format_cents(low)}: "
                          "no fan can match", "min_spent_cents")
    if flt.purchased and high is not None and high <= 0:
        raise FilterError(f"has purchased, with a maximum spend of {format_cents(high)}: "
                          "no fan can match", "max_spent_cents")
    after, before = flt.active_after, flt.active_before
    if after is not None and before is not None and after >= before:
        raise FilterError(f"the last-active range {_moment(after)} to {_moment(before)} is empty",
                          "active_after")
    return flt


def _clean_tags(names: tuple[str, ...], field: str) -> list[str]:
    """``names`` as tags are given (``fields.clean_tag``); FilterError naming ``field``."""
    try:
        return [clean_tag(name) for name in names]
    except FanFieldError as exc:
        raise FilterError(str(exc), field) from None


def _moment(at: datetime) -> str:
    return f"{at:%Y-%m-%d}" if at.time() == time() else f"{at:%Y-%m-%d %H:%M}"


_Column = Callable[[str], Any]  # a fan column by name, as the query reads it

# The conditions on the fan's own row: field (when not None) -> its test of the value.
_ROW_CONDITIONS: dict[str, Callable[[Any, _Column], ColumnElement[bool]]] = {
    "purchased": lambda yes, col: (
        col("total_spent_cents") > 0 if yes else col("total_spent_cents") <= 0
    ),
    "status": lambda status, col: and_(
        col("subscription_status") == str(status), col("platform_user_id").is_not(None)
    ),
    "min_spent_cents": lambda cents, col: col("total_spent_cents") >= cents,
    "max_spent_cents": lambda cents, col: col("total_spent_cents") <= cents,
    "active_before": lambda at, col: or_(col("last_seen_at").is_(None), col("last_seen_at") < at),
    "active_after": lambda at, col: col("last_seen_at") >= at,
    "subscribed_after": lambda at, col: col("subscribed_at") >= at,
    "expires_before": lambda at, col: col("expires_at") <= at,
    # Kept on the fan's row by triggers (``store/fan_facts``).
    "bought_ppv": lambda yes, col: (
        col("ppv_purchases") > 0 if yes else col("ppv_purchases") <= 0
    ),
    "not_messaged_since": lambda at, col: _never_since(col("last_outbound_at"), at),
    "quiet_since": lambda at, col: _never_since(col("last_chat_at"), at),
}


def _never_since(column: Any, at: datetime) -> ColumnElement[bool]:
    return or_(column.is_(None), column < at)


def row_conditions(
    flt: FanFilter, fans: Any, *, probe_only: bool = False
) -> list[ColumnElement[bool]]:
    """The conditions on the fan's own row, on ``fans`` (the table or an alias).

    ``probe_only``: written so that SQLite's planner tests them on each fan row met but
    does not start the query from an index on fans (``ProbeOnly``).
    """

    def col(name: str) -> Any:
        column = fans.c[name]
        return ProbeOnly(column) if probe_only else column

    return [
        condition(getattr(flt, name), col)
        for name, condition in _ROW_CONDITIONS.items()
        if getattr(flt, name) is not None
    ]


def set_conditions(
    db: Database, account_id: int, flt: FanFilter, fan_id: ColumnElement[Any]
) -> list[ColumnElement[bool]]:
    """The conditions on the fan id alone, tested on ``fan_id`` (any table's column)."""
    conditions: list[ColumnElement[bool]] = []
    if flt.tags_in:
        conditions.append(fan_id.in_(_tagged(account_id, flt.tags_in)))
    if flt.tags_out:
        conditions.append(fan_id.not_in(_tagged(account_id, flt.tags_out)))
    if searching(flt.search):
        conditions.append(fan_id.in_(search_hits(db, account_id, clean_needle(flt.search or ""))))
    if flt.purchased_since is not None:
        conditions.append(fan_id.in_(_buyers(account_id, flt.purchased_since)))
    if flt.no_purchase_since is not None:
        conditions.append(fan_id.not_in(_buyers(account_id, flt.no_purchase_since)))
    if flt.exclude_fan_ids:
        conditions.append(fan_id.not_in(flt.exclude_fan_ids))
    return conditions


def fan_ids(db: Database, account_id: int, flt: FanFilter) -> Select[Any]:
    """The ids of the account's fans passing ``flt``: for a list, a segment or a count."""
    return select(_F.id).where(
        _F.account_id == account_id,
        *row_conditions(flt, Fan.__table__),
        *set_conditions(db, account_id, flt, _F.id),
    )


def tags_as_stored(db: Database, account_id: int, flt: FanFilter) -> FanFilter:
    """``flt`` with its tags named as the account spells them (``tag_names.as_stored``):
    it finds the same fans (tags match in any case), and what shows it (the fans list's
    title) names the tags as the fans' rows do: ``#VIP``, not the ``#vip`` typed."""
    if not (flt.tags_in or flt.tags_out):
        return flt
    with db.read() as session:
        return replace(flt, tags_in=as_stored(session, account_id, flt.tags_in),
                       tags_out=as_stored(session, account_id, flt.tags_out))


def _buyers(account_id: int, since: datetime) -> Select[Any]:
    """Ids of the fans with a purchase (anything but a subscription) since ``since``."""
    return select(Transaction.fan_id).where(
        Transaction.account_id == account_id,
        Transaction.fan_id.is_not(None),  # NOT IN over a NULL would exclude everyone
        Transaction.type != TransactionType.SUBSCRIPTION,
        Transaction.created_at >= since,
    )


def _tagged(account_id: int, names: tuple[str, ...]) -> Select[Any]:
    """Ids of the fans with any of the tags ``names`` (whatever the case; ``#vip`` is
    ``vip``, or a tag stored as ``#vip``: ``tag_names.spellings``)."""
    names = tuple(all_spellings(names)) or ("",)  # a name of only "#" is no tag's
    return (
        select(FanTag.fan_id)
        .join(Tag, Tag.id == FanTag.tag_id)
        .where(Tag.account_id == account_id, named(Tag.name, names), FanTag.account_id == account_id)
    )
