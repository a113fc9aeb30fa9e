"""Price and vault media for a pay-per-view message, checked against the contract's rules."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from ofcrm_tui.core import inbox, outbox
from ofcrm_tui.core.outbox import MAX_PRICE_CENTS, MIN_PRICE_CENTS, OutboxError
from ofcrm_tui.platform.money import MoneyError, format_cents, parse_dollars, to_dollars
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.dialogs.form import FormDialog
from ofcrm_tui.tui.timefmt import Clock, short_time
from ofcrm_tui.tui.widgets.composer import Offer
from ofcrm_tui.tui.widgets.fields import PickList, TextBox
from ofcrm_tui.tui.widgets.footer import KeyFooter


def check_offer(price: str, media: list[int], previews: list[int]) -> Offer | str:
    """The offer, or the first of the contract's rules it breaks, in words: the rules
    ``outbox.enqueue`` applies, answered as you type."""
    price = price.strip().removeprefix("$").strip()
    try:
        cents = parse_dollars(price) if price else 0
    except MoneyError:
        return f"price: {price!r} is not an amount like 12.50"
    try:
        chosen, free = outbox.check_offer(cents, media, previews)
    except OutboxError as exc:
        return str(exc)
    return Offer(cents, tuple(chosen), tuple(p for p in chosen if p in set(free)))


def _prompt(item: inbox.MediaItem, now: datetime) -> Text:
    """``video #7000001  3 Mar``: the type and the id (what tells the media apart) first;
    where the list is narrow (80 columns) the date is cut first. Whether it is picked is
    the mark in its box (``PickList``)."""
    text = Text(f"{item.type:<5} #{item.id}")
    text.append(f"  {short_time(item.created_at, now)}", style="dim")
    return text


class OfferDialog(FormDialog[Offer | None]):
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="offer.cancel"),
        Binding("ctrl+s", "apply", "Apply", id="offer.apply"),
    ]

    class VaultLoaded(Message):
        def __init__(self, items: list[inbox.MediaItem]) -> None:
            super().__init__()
            self.items = items

    def __init__(self, db: Database, account_id: int, offer: Offer, *, clock: Clock) -> None:
        super().__init__()
        self.db = db
        self.account_id = account_id
        self.offer = offer
        self.clock = clock

    def compose(self) -> ComposeResult:
        with Vertical(id="offer-dialog", classes="dialog") as dialog:
            dialog.border_title = "Price and media"
            price = str(to_dollars(self.offer.price_cents)) if self.offer.price_cents else ""
            yield Label(f"Price: empty or 0 for free, else {format_cents(MIN_PRICE_CENTS)} "
                        f"to {format_cents(MAX_PRICE_CENTS)}")
            yield TextBox(price, placeholder="free", id="offer-price")
            with Horizontal(id="offer-lists"):
                with Vertical():
                    yield Label("Vault media")
                    yield PickList[int](id="offer-media")
                with Vertical():
                    yield Label("Free previews (among the media)")
                    yield PickList[int](id="offer-previews")
            yield Static(id="offer-error")
            with Horizontal(classes="buttons"):
                yield Button("Apply", variant="primary", id="offer-apply")
                yield Button("Free, no media", id="offer-clear")
                yield Button("Cancel", id="offer-cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._load_vault()
        self._check()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load_vault(self) -> None:
        self.post_message(self.VaultLoaded(inbox.vault_media(self.db, self.account_id)))

    def on_offer_dialog_vault_loaded(self, message: VaultLoaded) -> None:
        now = self.clock()
        for list_id, chosen in (("#offer-media", self.offer.media_ids),
                                ("#offer-previews", self.offer.preview_ids)):
            widget = self.query_one(list_id, SelectionList)
            widget.clear_options()
            widget.add_options(
                Selection(_prompt(item, now), item.id, item.id in chosen)
                for item in message.items
            )
            widget.highlighted = 0 if message.items else None
        if not message.items:
            self.query_one("#offer-error", Static).update("The vault is empty: nothing to sell")

    def _result(self) -> Offer | str:
        return check_offer(
            self.query_one("#offer-price", Input).value,
            self.query_one("#offer-media", SelectionList).selected,
            self.query_one("#offer-previews", SelectionList).selected,
        )

    @on(Input.Changed)
    @on(SelectionList.SelectedChanged)
    def _check(self) -> None:
        result = self._result()
        error = result if isinstance(result, str) else ""
        self.query_one("#offer-error", Static).update(Text(error))
        self.query_one("#offer-apply", Button).disabled = bool(error)

    @on(Input.Submitted)
    @on(Button.Pressed, "#offer-apply")
    def action_apply(self) -> None:
        result = self._result()
        if isinstance(result, Offer):
            self.dismiss(result)

    @on(Button.Pressed, "#offer-clear")
    def _clear(self) -> None:
        self.dismiss(Offer())

    @on(Button.Pressed, "#offer-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
