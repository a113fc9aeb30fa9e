"""The reply box: multi-line text, an optional PPV offer, and a draft per conversation.

Drafts are saved by a thread worker a moment after the chatter stops typing and when
they switch conversations, so nothing typed is lost on a switch or a restart.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events, work
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import TextArea
from textual.worker import Worker

from ofcrm_tui.core.inbox import ConversationRow, drafts
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.screens.base import ofcrm_app
from ofcrm_tui.tui.twice import Twice
from ofcrm_tui.tui.widgets.fields import TypesItsKeys

SAVE_AFTER_SECONDS = 0.6
TYPED_EVERY_SECONDS = 0.5
# A send read this soon after the key that closed the price dialog (or acted on this
# soon after it) is the dialog's ctrl+s pressed twice (the priced message went out
# unreviewed), not a send.
REVIEW_OFFER_SECONDS = 0.5
# Keys that edit the text besides printable ones.
_EDIT_KEYS = frozenset({"backspace", "delete", "enter", "ctrl+w", "ctrl+u", "ctrl+k"})


@dataclass(frozen=True)
class Offer:
    """What a message sells: a price (0 = free) and vault media, some of them previews."""

    price_cents: int = 0
    media_ids: tuple[int, ...] = ()
    preview_ids: tuple[int, ...] = ()

    def describe(self) -> str:
        if not self.media_ids and not self.price_cents:
            return ""
        parts = [f"PPV {format_cents(self.price_cents)}"] if self.price_cents else []
        if self.media_ids:
            parts.append(f"{len(self.media_ids)} media")
        if self.preview_ids:
            parts.append(f"{len(self.preview_ids)} preview")
        return " · ".join(parts)


@dataclass(frozen=True)
class DraftTarget:
    db: Database
    account_id: int
    fan: ConversationRow
    chatter: str = ""  # whose draft it is (drafts are per chatter)


class Composer(TypesItsKeys, TextArea):
    """Type a reply (enter makes a new line); ctrl+s queues it for sending."""

    BINDINGS = [
        # ctrl+enter reaches an app only with the kitty keyboard protocol; many
        # terminals send it as ctrl+j, so both are bound.
        Binding("ctrl+s,ctrl+enter,ctrl+j", "send", "Send", id="composer.send"),
        # Acted on as read (priority): the keys typed behind them are the dialog's.
        Binding("ctrl+r", "saved_replies", "Saved replies", id="composer.saved_replies",
                priority=True),
        Binding("ctrl+o", "offer", "Price/media", id="composer.offer", priority=True),
    ]

    # The keys read behind a send wait for its outcome (the box emptied, or a question):
    # ctrl+s ctrl+s typed fast queued the reply twice (``KeysInOrder``).
    WAIT_AFTER: ClassVar[frozenset[str]] = frozenset({"send"})

    class Submitted(Message):
        """The chatter asked to send ``text`` with ``offer`` to ``fan``."""

        def __init__(self, target: DraftTarget, text: str, offer: Offer) -> None:
            super().__init__()
            self.target = target
            self.text = text
            self.offer = offer

    class OfferRequested(Message):
        pass

    class Typed(Message):
        """The chatter edits the reply (at most one every ``TYPED_EVERY_SECONDS``)."""

    class RepliesRequested(Message):
        pass

    class DraftSaved(Message):
        """A conversation's draft was saved (``present``) or deleted."""

        def __init__(self, conversation_id: int, present: bool) -> None:
            super().__init__()
            self.conversation_id = conversation_id
            self.present = present

    class DraftLoaded(Message):
        """(internal) The saved draft of the conversation just opened."""

        def __init__(self, conversation_id: int, text: str, offer: Offer) -> None:
            super().__init__()
            self.conversation_id = conversation_id
            self.text = text
            self.offer = offer

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, soft_wrap=True, tab_behavior="focus", show_line_numbers=False)
        self.target: DraftTarget | None = None
        self.offer = Offer()
        self._save_timer: Timer | None = None
        # What the database holds for this conversation, to save only real changes.
        self._persisted: tuple[str, Offer] = ("", Offer())
        # Saves run in threads and may finish out of order: the newest per chat wins.
        self._saves = itertools.count()
        self._saved_seq: dict[int, int] = {}
        self._save_lock = threading.Lock()
        self._typed_at = -TYPED_EVERY_SECONDS
        self._offer_set = Twice()
        self._offer_read_at = -math.inf

    def on_mount(self) -> None:
        self.disabled = True
        self._show_titles()

    # -- conversations and drafts --------------------------------------------------

    def attach(self, target: DraftTarget | None) -> None:
        """Switch to another conversation's draft, saving this one's first."""
        if self.target and target and self.target.fan.conversation_id == target.fan.conversation_id:
            self.target = target
            self._show_titles()
            return
        self.save_draft()
        self.target = target
        self.offer = Offer()
        self._persisted = ("", Offer())
        self.load_text("")
        self.disabled = target is None
        self._show_titles()
        if target is not None:
            self._load_draft(target)

    def let_go(self) -> str:
        """The conversation is gone with its fan (deleted here or by someone else):
        there is no draft to save any more. Returns the unsent text, which the caller
        keeps (the clipboard) and says so: it is not lost without a word."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        self._persisted = (self.text, self.offer)  # nothing left for ``attach`` to save
        return self.text if self.target is not None else ""

    @work(thread=True, group="composer-draft-load", exclusive=True, exit_on_error=False)
    def _load_draft(self, target: DraftTarget) -> None:
        draft = drafts.load_draft(target.db, target.account_id, target.fan.conversation_id,
                                  target.chatter)
        text, offer = ("", Offer())
        if draft is not None:
            text = draft.text
            offer = Offer(draft.price_cents, draft.media_ids, draft.preview_ids)
        self.post_message(self.DraftLoaded(target.fan.conversation_id, text, offer))

    def on_composer_draft_loaded(self, message: DraftLoaded) -> None:
        message.stop()
        if self.target is None or self.target.fan.conversation_id != message.conversation_id:
            return
        if self.text or self.offer != Offer():
            return  # the chatter started typing before the draft arrived: theirs wins
        self._persisted = (message.text, message.offer)
        self.load_text(message.text)
        self.move_cursor(self.document.end)
        self.offer = message.offer
        self._show_titles()

    def on_key(self, event: events.Key) -> None:
        # (Esc and the next key read as one ``alt+<key>``: the app splits them first.)
        if self.target is not None and (event.is_printable or event.key in _EDIT_KEYS):
            self._typed()

    def on_paste(self) -> None:
        if self.target is not None:
            self._typed()

    def _typed(self) -> None:
        now = time.monotonic()
        if now - self._typed_at >= TYPED_EVERY_SECONDS:
            self._typed_at = now
            self.post_message(self.Typed())

    def on_text_area_changed(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_AFTER_SECONDS, self.save_draft)

    def save_draft(self) -> Worker[None] | None:
        """Save now if anything changed; returns the worker to await, if any."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        state = (self.text, self.offer)
        if self.target is None or state == self._persisted:
            return None
        self._persisted = state
        return self._write_draft(self.target, *state, next(self._saves))

    @work(thread=True, group="composer-draft-save", exit_on_error=False)
    def _write_draft(self, target: DraftTarget, text: str, offer: Offer, seq: int) -> None:
        conversation_id = target.fan.conversation_id
        with self._save_lock:
            if seq < self._saved_seq.get(conversation_id, -1):
                return
            present = drafts.save_draft(
                target.db, target.account_id, conversation_id, text,
                price_cents=offer.price_cents, media_ids=offer.media_ids,
                preview_ids=offer.preview_ids, chatter=target.chatter,
            )
            self._saved_seq[conversation_id] = seq
        self.post_message(self.DraftSaved(conversation_id, present))

    # -- editing -------------------------------------------------------------------

    def set_offer(self, offer: Offer) -> None:
        self.offer = offer
        self._offer_set.did()
        # When the key that applied it was read (the dialog's ctrl+s or Enter; a click:
        # some key before it, too old to matter).
        self._offer_read_at = ofcrm_app(self.app).last_key_read_at
        self.save_draft()
        self._show_titles()

    def insert_reply(self, text: str) -> None:
        """``text`` in place of the selection, a space between it and a word it would touch."""
        start, end = sorted(self.selection)
        before = self.get_text_range((start[0], max(0, start[1] - 1)), start)
        after = self.get_text_range(end, (end[0], end[1] + 1))
        if before and not before.isspace() and text and not text[0].isspace():
            text = " " + text
        if after and not after.isspace() and text and not text[-1].isspace():
            text += " "
        self.replace(text, start, end)
        self.focus()

    def type_in(self, text: str, *, typing: bool) -> None:
        """``text``, typed while a question the box raised came up (``OwnedDialog``), in
        place of the selection as the keys would have typed it; ``typing``: the chatter
        goes on typing here (else it stays as the draft)."""
        if not text:
            return
        start, end = sorted(self.selection)
        self.replace(text, start, end, maintain_selection_offset=False)
        if typing:
            self._typed()

    def sent(self, target: DraftTarget) -> None:
        """A message to ``target`` is queued (or the chatter threw it away): forget its
        draft and, if it is the open conversation, empty the box. (Through
        ``_write_draft``, so no older save of that draft can land after the deletion.)"""
        self._write_draft(target, "", Offer(), next(self._saves))
        if self.target and self.target.fan.conversation_id == target.fan.conversation_id:
            self.load_text("")
            self.offer = Offer()
            self._persisted = ("", Offer())
            self._show_titles()

    def _show_titles(self) -> None:
        if self.target is None:
            self.border_title = Text("Open a conversation to reply")
            self.border_subtitle = None
            return
        name = clean(self.target.fan.display_name, single_line=True)
        self.border_title = Text(f"Reply to {name}")
        offer = self.offer.describe()
        self.border_subtitle = Text(offer) if offer else None

    # -- actions -------------------------------------------------------------------

    def action_send(self) -> None:
        # The dialog's ctrl+s twice: read right behind it (however long a loaded machine
        # took to act on the two), or acted on too soon after it to have been seen.
        read_at = ofcrm_app(self.app).last_key_read_at  # this send's key (its binding)
        too_soon = (read_at - self._offer_read_at < REVIEW_OFFER_SECONDS
                    or self._offer_set.again(within=REVIEW_OFFER_SECONDS))
        if self.target is None or not self.text.strip() or too_soon:
            if self.target is not None:
                self.notify("The price was just set: check it, then send" if too_soon
                            else "Type a message first", severity="warning")
            ofcrm_app(self.app).dialog_ready(self.screen)  # nothing sent: the keys go on
            return
        # Saved as a draft until the send is queued (``sent`` then deletes it, later in
        # the same ordered line of saves): a refused send loses nothing.
        self.save_draft()
        self.post_message(self.Submitted(self.target, self.text, self.offer))

    def action_offer(self) -> None:
        if self.target is not None:
            ofcrm_app(self.app).expect_dialog()
            self.post_message(self.OfferRequested())

    def action_saved_replies(self) -> None:
        if self.target is not None:
            ofcrm_app(self.app).expect_dialog()
            self.post_message(self.RepliesRequested())
