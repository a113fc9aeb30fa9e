"""Quitting with messages still to go out: say what waits and when, then quit, wait or stay.

"Wait for them" keeps the app (and its sender) running, shows what is left (its button
gone) and quits by itself once nothing waits; ``q`` quits anyway, ``escape`` stops
waiting. The queue is read by ``load`` in a thread worker, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.outbox import Waiting
from ofcrm_tui.tui.dialogs.dialog import Dialog
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.keymap import key_named
from ofcrm_tui.tui.timefmt import Clock, stamp
from ofcrm_tui.tui.twice import UNSEEN_SECONDS, Twice
from ofcrm_tui.tui.widgets.footer import KeyFooter
from ofcrm_tui.tui.wording import messages

QUIT = "quit"
WAIT_EVERY_SECONDS = 1.0


def when_they_go(waiting: Waiting, now: datetime) -> str:
    """``the next at ~12:04``, or why none goes on its own."""
    if waiting.next_send_at is None:
        return "none is due to go on its own (waiting on a send in flight or to be settled)"
    at = stamp(waiting.next_send_at, now)
    lead = "the platform is unreachable; the next try" if waiting.unreachable else "the next"
    return f"{lead} at ~{at}" if waiting.next_send_at > now else f"{lead} now"


def whose(waiting: Waiting) -> str:
    """`` (campaign "VIP drop": about 31 min at 10/min, 3 kept for replies)``: the
    campaigns among the messages waiting and how long until each is sent at its
    account's send limit, behind the rows of its account's campaigns started before it
    (as the composer says it), then, for more than one, their total and how long they
    all take (``Waiting.campaigns_take``); empty when none is a campaign's."""
    if not waiting.campaigns:
        return ""
    parts = []
    for campaign in waiting.campaigns:
        name = clean(campaign.name, single_line=True)
        which = (f'campaign "{name}"' if campaign.count == waiting.count
                 else f'{campaign.count:,} of campaign "{name}"')
        takes = campaigns.duration_text(campaign.done_in(waiting.reply_reserve))
        behind = f", after {campaign.ahead:,} queued ahead" if campaign.ahead else ""
        parts.append(f"{which}: about {takes} at {campaign.limit}/min{behind}")
    if len(waiting.campaigns) > 1:
        total = sum(campaign.count for campaign in waiting.campaigns)
        parts.append(f"{total:,} campaign messages in all: about "
                     f"{campaigns.duration_text(waiting.campaigns_take())}")
    kept = f", {waiting.reply_reserve} kept for replies" if waiting.reply_reserve else ""
    return f" ({'; '.join(parts)}{kept})"


class QuitDialog(Dialog[str | None]):
    """Dismissed with ``QUIT`` (quit now, or everything went out) or None (stay)."""

    DEFAULT_CSS = """
    QuitDialog .dialog { max-width: 70; }
    QuitDialog #quit-text { height: auto; }
    QuitDialog .buttons Button { min-width: 10; }
    """
    # Priority: acted on as read, so the keys typed behind Esc act on the screen below,
    # not on the button focused here. Esc is one action with the name of the button it
    # stands for: "Back" (as every question's: "Cancel" read as cancelling the
    # messages), then "Stop waiting" once waiting (``check_action`` offers one of the two).
    BINDINGS = [
        Binding("q", "quit_anyway", "Quit anyway", id="quit.anyway", priority=True),
        Binding("w", "wait", "Wait for them", id="quit.wait", priority=True),
        Binding("escape", "cancel('asking')", "Back", id="quit.cancel", priority=True),
        Binding("escape", "cancel('waiting')", "Stop waiting", id="quit.cancel", priority=True),
    ]

    class Loaded(Message):
        def __init__(self, waiting: Waiting) -> None:
            super().__init__()
            self.waiting = waiting

    def __init__(
        self, waiting: Waiting, load: Callable[[], Waiting], *, demo: bool, clock: Clock
    ) -> None:
        super().__init__()
        self.waiting = waiting
        self.load = load
        self.demo = demo
        self.clock = clock
        self.waiting_to_quit = False
        self._shown = Twice()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Messages still to send"
            yield Static(self._text(), id="quit-text", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Quit anyway", variant="error", id="quit-anyway")
                yield Button("Wait for them", variant="primary", id="quit-wait")
                yield Button("Back", id="quit-cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        # At once (``focus()`` waits a turn): the keys read behind ``q`` are let go once
        # the dialog is mounted, and found "Quit anyway" focused.
        self.set_focus(self.query_one("#quit-wait", Button))
        self._shown.did()

    def _text(self) -> str:
        count = self.waiting.count
        verb = "waits" if count == 1 else "wait"
        head = (f"{messages(count)} {verb} to be sent{whose(self.waiting)}; "
                f"{when_they_go(self.waiting, self.clock())}.")
        if self.waiting_to_quit:
            anyway, stop = (key_named(self.app, QuitDialog, key) for key in ("quit.anyway", "quit.cancel"))
            return (f"{head}\n\nWaiting for them: ofcrm quits once they are out "
                    f"({anyway}: quit anyway · {stop}: stop waiting).")
        if self.demo:
            later = "This is the demo: its database is made afresh each start, so they will be lost."
        else:
            later = "If you quit, they are sent when ofcrm or an `ofcrm worker` next runs."
        return f"{head}\n\n{later}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Once waiting, ``w`` is not offered (its button is gone) and Esc is named
        "Stop waiting"; before, "Back"."""
        if action == "wait":
            return not self.waiting_to_quit
        if action == "cancel":
            return (parameters == ("waiting",)) == self.waiting_to_quit
        return True

    def _show(self) -> None:
        self.query_one("#quit-text", Static).update(self._text())

    def action_quit_anyway(self) -> None:
        # A ``q`` within ``UNSEEN_SECONDS`` of the question showing is the quitting ``q``
        # pressed twice (a double tap, or read in the same burst): it never saw the
        # question, so it is dropped.
        if not self._shown.again(within=UNSEEN_SECONDS):
            self.dismiss(QUIT)

    @on(Button.Pressed, "#quit-anyway")
    def _quit_pressed(self) -> None:
        self.dismiss(QUIT)

    @on(Button.Pressed, "#quit-wait")
    def action_wait(self) -> None:
        if self.waiting_to_quit:
            return
        self.waiting_to_quit = True
        # Chosen, its button says nothing more: the text says what is left and how to
        # quit anyway or stop waiting.
        self.query_one("#quit-wait", Button).display = False
        stop = self.query_one("#quit-cancel", Button)
        stop.label = "Stop waiting"
        stop.refresh(layout=True)  # a new label leaves a button its width: "Stop" showed
        self.set_focus(stop)
        self.refresh_bindings()  # the footer: esc "Stop waiting", no w
        self._show()
        self.set_interval(WAIT_EVERY_SECONDS, self._reload)
        self._reload()

    @on(Button.Pressed, "#quit-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self, _named_for: str = "asking") -> None:
        """Stay in the app, asking or waiting: only Esc's name tells them apart."""
        self.dismiss(None)

    def _reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        self.post_message(self.Loaded(self.load()))

    def on_quit_dialog_loaded(self, message: Loaded) -> None:
        if not self.waiting_to_quit or not self.is_attached:
            return
        self.waiting = message.waiting
        if message.waiting.count == 0:
            self.dismiss(QUIT)
        else:
            self._show()
