"""A fan's sections as Rich text, for the fan's screen: profile with subscription and
spend, tags, last messages, notes, purchases. Fan text goes through ``clean``: never markup."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text

from ofcrm_tui.core.fans.edits import NoteView
from ofcrm_tui.core.fans.listing import NO_STATUS
from ofcrm_tui.core.fans.profile import FanProfile, Purchase
from ofcrm_tui.core.inbox.thread import ThreadMessage
from ofcrm_tui.core.threads import message_preview
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.timefmt import short_time, stamp
from ofcrm_tui.tui.widgets.message_block import sent_by_me


# The key a binding id of the fan's screen answers to, as its footer names it (the
# user's keymap applied): the sections' hints name keys so.
Keys = Callable[[str], str]


def _section(title: str) -> Text:
    return Text().append(title + "\n", style="bold underline")


def _field(text: Text, label: str, value: str, style: str = "") -> None:
    text.append(f"{label:<16}", style="dim")
    text.append(value + "\n", style=style)


def _when(at: datetime | None, now: datetime) -> str:
    return stamp(at, now) if at is not None else "—"


def profile_text(fan: FanProfile, now: datetime) -> Text:
    text = _section("Profile")
    _field(text, "Name", clean(fan.name, single_line=True) or "—", "bold")
    _field(text, "Nickname", clean(fan.nickname, single_line=True) or "—")
    _field(text, "Username", "@" + clean(fan.username, single_line=True))
    # (Made here or imported without one: the fan is not the platform's.)
    _field(text, "Platform id", str(fan.platform_user_id) if fan.platform_user_id
           else "— (not on the platform)")
    _field(text, "Last seen", _when(fan.last_seen_at, now))
    text.append("\n")
    text.append_text(_section("Subscription"))
    status = fan.subscription_status
    _field(text, "Status", status or NO_STATUS,
           "green" if status == "active" else "yellow" if status else "")
    _field(text, "Since", _when(fan.subscribed_at, now))
    _field(text, "Expires", _when(fan.expires_at, now))
    _field(text, "Renewed", _when(fan.renewed_at, now))
    # No subscription data (no platform id): no price either, as the fields above.
    _field(text, "Price", NO_STATUS if status is None else format_cents(fan.subscribe_price_cents))
    text.append("\n")
    text.append_text(_section("Spend"))
    split = fan.spend
    for label, cents in (("Subscriptions", split.subscriptions_cents), ("Tips", split.tips_cents),
                         ("Messages", split.messages_cents), ("Posts", split.posts_cents)):
        _field(text, label, format_cents(cents))
    _field(text, "Lifetime value", format_cents(fan.lifetime_value_cents), "bold green")
    return text


def tags_text(tags: tuple[str, ...], key: Keys) -> Text:
    text = _section("Tags")
    if not tags:
        text.append(f"none ({key('fan.add_tag')} adds one)", style="dim")
    for tag in tags:
        text.append("#" + clean(tag, single_line=True), style="bold magenta")
        text.append("  ")
    return text


def messages_text(messages: list[ThreadMessage], now: datetime, me: str, key: Keys) -> Text:
    text = Text("\n").append_text(
        _section(f"Last messages ({key('fan.conversation')} opens the conversation)"))
    if not messages:
        text.append("none yet", style="dim")
    for message in reversed(messages):
        if message.direction == "in":
            who = "fan"
        else:  # another chatter's by their name, as the thread shows it
            who = "you" if sent_by_me(message.sent_by, me) else clean(message.sent_by or "", single_line=True)
        text.append(f"{stamp(message.created_at, now)} {who}: ", style="dim")
        body = message_preview(message.text, tip_cents=message.tip_cents,
                               price_cents=message.price_cents, media_count=message.media_count)
        text.append(clean(body, single_line=True)[:200] + "\n")
    return text


def notes_text(notes: list[NoteView], now: datetime, key: Keys) -> Text:
    text = _section(f"Notes ({key('fan.add_note')} adds, {key('fan.edit_note')} edits, "
                    f"{key('fan.delete_note')} deletes)")
    if not notes:
        text.append("none yet\n", style="dim")
    for note in notes:
        text.append(f"{_note_header(note, now)}\n", style="dim")
        text.append(clean(note.body) + "\n\n")
    return text


def _note_header(note: NoteView, now: datetime) -> str:
    """``20:02 · sam``; saved since by someone else, a line more: ``edited by boss 20:10``
    (on one line with the rest it would wrap, in the middle, in the half of 80 columns)."""
    header = f"{stamp(note.created_at, now)} · {clean(note.author, single_line=True)}"
    if note.edited_by is not None and note.edited_at is not None:
        header += (f"\nedited by {clean(note.edited_by, single_line=True)}"
                   f" {stamp(note.edited_at, now)}")
    return header


# A purchase's type in its column, short: at 80 columns the description has the room.
_TYPES = {"subscription": "sub", "message": "PPV"}


def purchases_text(purchases: list[Purchase], now: datetime, key: Keys) -> Text:
    """A purchase a line: day, amount, type, description; each fixed column as wide as
    its widest cell shown, so that in the half of 80 columns the description shows."""
    text = Text("\n").append_text(_section(f"Purchases and tips ({key('fan.more')}: older)"))
    if not purchases:
        text.append("none yet", style="dim")
    rows = [(short_time(p.created_at, now), format_cents(p.amount_cents),
             _TYPES.get(p.type, p.type), p.description) for p in purchases]
    day_w, amount_w, type_w = (max((len(row[i]) for row in rows), default=0) for i in range(3))
    for day, amount, kind, description in rows:
        text.append(f"{day:<{day_w}} ", style="dim")
        text.append(f"{amount:>{amount_w}}", style="green")
        text.append(f" {kind:<{type_w}} ")
        shown = Text(clean(description, single_line=True))
        shown.truncate(40, overflow="ellipsis")
        text.append_text(shown)
        text.append("\n")
    return text
