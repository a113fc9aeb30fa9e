"""A campaign's segment: who it goes to, kept relative ("not messaged in 7 days") so a
scheduled campaign chooses its recipients when it starts, compiled to a ``FanFilter``.

Recipients are always fans with an active subscription (the platform delivers nothing
to expired ones); ``status`` "all" or "expired" only decides which fans the count says
were left out for it. Fans made by hand that no sync has found on the platform yet get
no message (there is no one to send to). They have no subscription data, so no status
picks them (``FanFilter``); "all" does, and then the count leaves them out too and says
how many, so what a chatter is told before a start is what the launch queues.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.orm import Session

from ofcrm_tui.core.campaigns.errors import CampaignError
from ofcrm_tui.core.fans import tag_names
from ofcrm_tui.core.fans.filter import FanFilter, FilterError, checked, fan_ids
from ofcrm_tui.core.wording import counted
from ofcrm_tui.platform.money import MAX_CENTS, format_cents
from ofcrm_tui.store.bounds import IN_CHUNK
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import SubscriptionStatus
from ofcrm_tui.store.models import Fan

SegmentStatus = Literal["active", "expired", "all"]
STATUSES: tuple[SegmentStatus, ...] = ("active", "expired", "all")
SAMPLE_SIZE = 5
# Counts ``recipient_counts`` asks in one statement: a scalar subquery each, some ten
# values bound each (and the ids left out by name: ``IN_CHUNK`` of them at most).
_COUNTS_AT_ONCE = 100

_ACTIVE = Fan.subscription_status == SubscriptionStatus.ACTIVE
_STATUS_WORDS = {"active": "active fans", "all": "all fans (expired ones left out)",
                 "expired": "expired fans (left out: the platform delivers nothing to them)"}
# (field, words around the amount, unit): the whole-number conditions in words.
_COUNTED = (
    ("inactive_days", "not seen for {}", "day"),
    ("active_days", "seen within {}", "day"),
    ("purchased_days", "bought within {}", "day"),
    ("no_purchase_days", "no purchase for {}", "day"),
    ("subscribed_days", "subscribed within {}", "day"),
    ("expiring_days", "expiring within {}", "day"),
    ("not_messaged_days", "not messaged for {}", "day"),
    ("skip_live_minutes", "no live chat in the last {}", "minute"),
)


# The largest count of each unit a segment takes: a century, and the money ceiling.
_MOST = {"days": 36_500, "minutes": 36_500 * 24 * 60, "cents": MAX_CENTS}


def whole_number(value: str | None, label: str) -> int | None:
    """A segment's whole-number option as typed (a field of the composer, an option of
    ``ofcrm campaign create``): None when empty; CampaignError naming ``label`` when it
    is no whole number ("1.5", "²"). A negative one is read, for ``Segment`` to refuse."""
    value = (value or "").strip()
    if not value:
        return None
    digits = value.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):  # "²" is a digit int() cannot read
        raise CampaignError(f"{label}: {value!r} is not a whole number")
    return int(value)


@dataclass(frozen=True)
class Segment:
    tags_in: tuple[str, ...] = ()
    tags_out: tuple[str, ...] = ()
    status: SegmentStatus = "active"
    min_spent_cents: int | None = None
    max_spent_cents: int | None = None
    inactive_days: int | None = None  # not seen for N days (or never)
    active_days: int | None = None  # seen within N days
    purchased_days: int | None = None  # last purchase within N days
    no_purchase_days: int | None = None  # no purchase for N days
    subscribed_days: int | None = None  # subscribed within N days
    expiring_days: int | None = None  # subscription ends within N days
    bought_ppv: bool | None = None  # has (True) / has not (False) bought a PPV
    not_messaged_days: int | None = None  # nothing sent to them for N days
    skip_live_minutes: int | None = None  # no message either way for N minutes
    exclude_fan_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise CampaignError(f"bad status {self.status!r}: one of active, expired, all")
        for spec in fields(self):
            value = getattr(self, spec.name)
            if spec.name.endswith(("_days", "_minutes", "_cents")) and value is not None:
                label = spec.name.replace("_", " ")
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise CampaignError(f"{label} must be a whole number, 0 or more")
                most = _MOST[spec.name.rsplit("_", 1)[1]]
                if value > most:  # more would overflow the dates (or the column)
                    raise CampaignError(f"{label} must be at most {most:,}")

    def checked(self) -> Segment:
        """The segment if some fan can pass it, by the fan filter's own rules (as ``fans
        list`` and the app's filter refuse one), else CampaignError. Asked where a
        segment is given (the composer's form, the command line, ``spec.check`` before a
        start), never as a stored one is read: a draft saved before a rule came opens,
        and its check says what to change."""
        try:
            checked(FanFilter(tags_in=self.tags_in, tags_out=self.tags_out,
                              min_spent_cents=self.min_spent_cents,
                              max_spent_cents=self.max_spent_cents))
        except FilterError as exc:
            raise CampaignError(str(exc)) from None
        return self

    def fan_filter(self, now: datetime) -> FanFilter:
        """The fans the segment picks at ``now``, of its status (expired ones too when asked:
        ``recipients`` leaves them out, ``count`` says how many)."""

        def ago(days: int | None, unit: str = "days") -> datetime | None:
            return None if days is None else now - timedelta(**{unit: days})

        return FanFilter(
            tags_in=self.tags_in,
            tags_out=self.tags_out,
            status=None if self.status == "all" else self.status,
            min_spent_cents=self.min_spent_cents,
            max_spent_cents=self.max_spent_cents,
            active_before=ago(self.inactive_days),
            active_after=ago(self.active_days),
            purchased_since=ago(self.purchased_days),
            no_purchase_since=ago(self.no_purchase_days),
            subscribed_after=ago(self.subscribed_days),
            expires_before=(
                None if self.expiring_days is None else now + timedelta(days=self.expiring_days)
            ),
            bought_ppv=self.bought_ppv,
            not_messaged_since=ago(self.not_messaged_days),
            quiet_since=ago(self.skip_live_minutes, "minutes"),
            exclude_fan_ids=self.exclude_fan_ids,
        )

    def describe(self) -> str:
        """Who it picks, as a person reads it ("active fans, tagged vip, spent at least
        $300.00"): ``campaign show`` and the composer's confirmation."""
        parts = [_STATUS_WORDS[self.status]]
        if self.tags_in:
            parts.append("tagged " + " or ".join(self.tags_in))
        if self.tags_out:
            parts.append("not tagged " + " or ".join(self.tags_out))
        for cents, words in ((self.min_spent_cents, "spent at least"),
                             (self.max_spent_cents, "spent at most")):
            if cents is not None:
                parts.append(f"{words} {format_cents(cents)}")
        for value, words, unit in _COUNTED:
            amount = getattr(self, value)
            if amount is not None:
                parts.append(words.format(counted(amount, unit)))
        if self.bought_ppv is not None:
            parts.append("bought a PPV" if self.bought_ppv else "never bought a PPV")
        if self.exclude_fan_ids:
            parts.append(f"{counted(len(self.exclude_fan_ids), 'fan')} left out by name")
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """What ``campaigns.segment`` holds: the fields set, nothing else."""
        default = Segment()
        return {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in asdict(self).items()
            if value != getattr(default, key)
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Segment:
        known = {spec.name for spec in fields(cls)}
        return cls(**{
            key: tuple(value) if isinstance(value, list) else value
            for key, value in data.items()
            if key in known
        })


@dataclass(frozen=True)
class SegmentCount:
    recipients: int  # fans the campaign would go to now
    expired: int  # fans the segment picks whose subscription has expired (left out)
    no_platform_id: int = 0  # active fans it picks that no sync has found (left out)

    def left_out(self) -> str:
        """The fans the segment picks that get no message, in words ("" for none)."""
        parts = [
            f"{n:,} {what}{'s' if n != 1 else ''}{rest}"
            for n, what, rest in (
                (self.expired, "expired fan", ""),
                (self.no_platform_id, "fan", " without a platform id"),
            )
            if n
        ]
        if not parts:
            return ""
        many = len(parts) > 1 or self.expired + self.no_platform_id > 1
        return f"{' and '.join(parts)} {'are' if many else 'is'} left out"


@dataclass(frozen=True)
class Recipient:
    fan_id: int
    username: str
    name: str

    def fields(self) -> dict[str, str]:
        """The placeholder values of the fan (never the team's nickname for them)."""
        return {"name": self.name, "username": self.username}


def check_tags(db: Database, account_id: int, segment: Segment) -> None:
    """CampaignError naming a tag the segment uses that the account does not have."""
    wanted = list(dict.fromkeys(segment.tags_in + segment.tags_out))
    if not wanted:
        return
    with db.read() as session:
        known = tag_names.existing(session, account_id, tag_names.all_spellings(wanted))
    unknown = [name for name in wanted if not any(s in known for s in tag_names.spellings(name))]
    if unknown:
        raise CampaignError(f"unknown tag {unknown[0]!r} (no fan of this account has it)")


def chosen(db: Database, account_id: int, segment: Segment, now: datetime) -> Select[Any]:
    """The segment's fans at ``now``, expired ones included (``select(Fan.id)``)."""
    return fan_ids(db, account_id, segment.fan_filter(now))


def recipients(db: Database, account_id: int, segment: Segment, now: datetime) -> Select[Any]:
    """The ids of the fans the campaign goes to at ``now``: active, and on the platform."""
    return chosen(db, account_id, segment, now).where(_ACTIVE, Fan.on_platform)


def count(db: Database, account_id: int, segment: Segment, now: datetime) -> SegmentCount:
    """The exact count (the composer runs it on every filter change): the segment's fans
    from ``ix_fans_segment`` alone, less the active ones without a platform id. Those
    are counted only when the segment can hold them (of status "all") and the account
    has any (the unique key's index says at once): the segment's conditions are not
    worked out twice for nothing."""
    # Of active fans alone, every one is a recipient: no per-row test (half the time).
    active = (
        func.count()
        if segment.status == "active"
        else func.coalesce(func.sum(case((_ACTIVE, 1), else_=0)), 0)
    )
    picked = chosen(db, account_id, segment, now)
    query = picked.with_only_columns(func.count(), active)
    by_hand = (Fan.account_id == account_id, ~Fan.on_platform, _ACTIVE)
    with db.read() as session:
        total, active = session.execute(query).one()
        left_out = 0
        if segment.status == "all" and session.scalar(select(exists().where(*by_hand))):
            left_out = int(session.execute(
                picked.where(*by_hand).with_only_columns(func.count())).scalar_one())
    return SegmentCount(
        recipients=int(active) - left_out, expired=int(total) - int(active),
        no_platform_id=left_out,
    )


def recipient_counts(session: Session, db: Database, account_id: int,
                     wanted: Sequence[tuple[Segment, datetime]]) -> list[int]:
    """In ``session``: how many fans each campaign of (segment, start) ``wanted`` would
    queue as it starts (``recipients``' count), in one statement of a scalar subquery
    each (one per ``_COUNTS_AT_ONCE``), in ``wanted``'s order."""
    found: list[int] = []
    for batch in _batches(wanted):
        counts = [recipients(db, account_id, segment, start)
                  .with_only_columns(func.count()).scalar_subquery()
                  for segment, start in batch]
        found.extend(int(n) for n in session.execute(select(*counts)).one())
    return found


def _batches(
    wanted: Sequence[tuple[Segment, datetime]],
) -> Iterator[list[tuple[Segment, datetime]]]:
    """``wanted`` in runs of at most ``_COUNTS_AT_ONCE``, leaving out at most ``IN_CHUNK``
    fans by name between them (one left out of more goes alone)."""
    batch: list[tuple[Segment, datetime]] = []
    ids = 0
    for item in wanted:
        more = len(item[0].exclude_fan_ids)
        if batch and (len(batch) == _COUNTS_AT_ONCE or ids + more > IN_CHUNK):
            yield batch
            batch, ids = [], 0
        batch.append(item)
        ids += more
    if batch:
        yield batch


def sample(
    db: Database, account_id: int, segment: Segment, now: datetime, limit: int = SAMPLE_SIZE
) -> list[Recipient]:
    """A few recipients, biggest spenders first: whom the preview is rendered for."""
    query = (
        recipients(db, account_id, segment, now)
        .with_only_columns(Fan.id, Fan.username, Fan.name)
        .order_by(Fan.total_spent_cents.desc(), Fan.id)
        .limit(limit)
    )
    with db.read() as session:
        return [Recipient(*row) for row in session.execute(query)]


def recipient(db: Database, account_id: int, fan_id: int) -> Recipient | None:
    """One fan of the account as a recipient (for a preview)."""
    with db.read() as session:
        row = session.execute(
            select(Fan.id, Fan.username, Fan.name).where(
                Fan.account_id == account_id, Fan.id == fan_id
            )
        ).first()
    return None if row is None else Recipient(*row)
