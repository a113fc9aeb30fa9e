"""What the campaign composer's fields hold, read into a ``CampaignSpec``: whole numbers,
dollar amounts, usernames to leave out and a local start time, each refused with a
one-line reason naming its field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from ofcrm_tui.core.analytics.period import wall_time
from ofcrm_tui.core.campaigns import CampaignSpec, Segment, whole_number
from ofcrm_tui.core.fans import resolve_fan
from ofcrm_tui.core.fans.filter import spend_bound
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.widgets.composer import Offer

# (input id, label): the whole-number fields of the segment, in Segment's names.
NUMBERS = (
    ("inactive_days", "Not seen for N days"),
    ("active_days", "Seen within N days"),
    ("purchased_days", "Bought within N days"),
    ("no_purchase_days", "No purchase for N days"),
    ("subscribed_days", "Subscribed within N days"),
    ("expiring_days", "Expiring within N days"),
    ("not_messaged_days", "Not messaged for N days"),
    ("skip_live_minutes", "Skip live chats (N min)"),
)
TIME_FORMAT = "%Y-%m-%d %H:%M"


def _words(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w.strip() for w in value.replace(",", " ").split() if w.strip()))


def local_time(value: str, zone: tzinfo) -> datetime | None:
    """``YYYY-MM-DD HH:MM`` on the clocks of ``zone``, as an aware time."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        raise OfcrmError(f"start time: {value!r} is not YYYY-MM-DD HH:MM") from None
    aware = wall_time(moment, zone)
    if aware is None:
        raise OfcrmError(f"start time: {value} does not exist here (the clocks skip it)")
    return aware


@dataclass(frozen=True)
class Form:
    """What the composer's fields hold (read on the event loop, used in workers)."""

    values: dict[str, str]
    text: str
    offer: Offer
    zone: tzinfo  # the start time is read on its clocks

    def spec(self, db: Database, account_id: int, now: datetime) -> CampaignSpec:
        v = self.values
        excluded = tuple(resolve_fan(db, account_id, ref).id for ref in _words(v["exclude"]))
        numbers = {key: whole_number(v[key], label) for key, label in NUMBERS}
        ppv = {"yes": True, "no": False}.get(v["bought_ppv"])
        segment = Segment(
            tags_in=_words(v["tags_in"]), tags_out=_words(v["tags_out"]),
            status=v["status"] or "active",  # type: ignore[arg-type]
            # read as the fans filter reads them: one rule, one wording
            min_spent_cents=spend_bound(v["min_spent"], "min_spent_cents"),
            max_spent_cents=spend_bound(v["max_spent"], "max_spent_cents"),
            bought_ppv=ppv, exclude_fan_ids=excluded, **numbers,
        ).checked()
        return CampaignSpec(
            name=v["name"], text=self.text, segment=segment,
            price_cents=self.offer.price_cents, media_ids=self.offer.media_ids,
            preview_ids=self.offer.preview_ids, at=local_time(v["at"], self.zone),
        )
