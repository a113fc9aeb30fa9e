"""Toasts for new fan messages: only where they need attention, one for a burst; a notice
that replaces the last of its kind (``OneNotice``): the one of messages that could not
be sent (``FailedSends``); and the notice of text typed for a fan deleted meanwhile
(``keep_on_clipboard``).

A new message in the conversation the chatter is on shows in the thread; every new
message shows in the list (its unread badge) and in the status bar's unread count.
A toast is for the others, as ``notify_inbound`` says: none, only important fans
(tagged one of ``important_tags``, or spent ``important_spend_cents``), or all. The
messages of a burst (one poll, or several polls within ``GAP_SECONDS``) make one
toast, so toasts never stack up over a shift.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from textual.app import App
from textual.notifications import Notification, Notify, SeverityLevel

from ofcrm_tui.config import Settings
from ofcrm_tui.core.inbox import ConversationRow
from ofcrm_tui.core.sync import NewInbound
from ofcrm_tui.core.threads import message_preview
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.wording import could_not_send

# A toast is one line, so it covers as little as it can.
TOAST_CHARS = 60
# The most of a reply or note typed for a fan deleted meanwhile that its notice quotes
# (the clipboard has all of it).
UNSAVED_SHOWN_CHARS = 200
# Messages arriving this soon after the first of a burst join its toast.
COALESCE_SECONDS = 1.0
# At most one new-message toast this often; what comes meanwhile waits for the next.
GAP_SECONDS = 20.0
NAMES_SHOWN = 2


def important(row: ConversationRow, settings: Settings) -> bool:
    """A fan the chatter marked (an important tag) or a top spender."""
    tagged = not set(row.tags).isdisjoint(settings.important_tags)
    return tagged or row.total_spent_cents >= settings.important_spend_cents


def wanted(item: NewInbound, row: ConversationRow | None, settings: Settings) -> bool:
    """Whether ``item`` (not in the open conversation) makes a toast."""
    match settings.notify_inbound:
        case "all":
            return True
        case "important":
            return row is not None and important(row, settings)
        case _:
            return False


def toast_body(item: NewInbound) -> str:
    """One short line: the tip, then the text (or what the message holds)."""
    body = clean(message_preview(item.text, media_count=item.media_count), single_line=True)
    if item.tip_cents:
        body = " · ".join(part for part in (f"Tip {format_cents(item.tip_cents)}", body) if part)
    body = body or "(empty message)"
    return body if len(body) <= TOAST_CHARS else body[: TOAST_CHARS - 1] + "…"


def summary(items: Sequence[NewInbound]) -> tuple[str, str]:
    """(title, body) of the one toast for ``items``."""
    names: list[str] = []
    for item in items:
        name = clean(item.fan_name, single_line=True)
        if name not in names:
            names.append(name)
    if len(items) == 1:
        return names[0], toast_body(items[0])
    if len(names) == 1:
        return names[0], f"{len(items)} new messages · {toast_body(items[-1])}"
    shown = ", ".join(names[:NAMES_SHOWN])
    rest = len(names) - NAMES_SHOWN
    return f"{len(items)} new messages", f"from {shown}" + (f" and {rest} more" if rest > 0 else "")


class InboundToasts:
    """Collects wanted messages and shows them as one toast per burst.

    ``schedule(delay, callback)`` runs ``callback`` later on the event loop (a widget's
    ``set_timer``); ``show(title, body)`` makes the toast."""

    def __init__(
        self,
        schedule: Callable[[float, Callable[[], None]], object],
        show: Callable[[str, str], None],
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._schedule = schedule
        self._show = show
        self._monotonic = monotonic
        self._pending: list[NewInbound] = []
        self._waiting = False
        self._quiet_until = 0.0

    def add(self, items: Sequence[NewInbound]) -> None:
        if not items:
            return
        self._pending.extend(items)
        if not self._waiting:
            self._waiting = True
            wait = max(COALESCE_SECONDS, self._quiet_until - self._monotonic())
            self._schedule(wait, self._flush)

    def _flush(self) -> None:
        self._waiting = False
        items, self._pending = self._pending, []
        if items:
            self._show(*summary(items))
            self._quiet_until = self._monotonic() + GAP_SECONDS


class OneNotice:
    """One notice at a time: while it is up, the next replaces it instead of stacking
    under it (the notice of sends given up on; a screen's refusals, one a key pressed)."""

    def __init__(self, app: App[object]) -> None:
        self._app = app
        self._shown: Notification | None = None

    @property
    def up(self) -> bool:
        shown = self._shown
        return shown is not None and shown in self._app._notifications and not shown.has_expired

    def show(self, message: str, severity: SeverityLevel) -> None:
        app = self._app
        if self.up:
            assert self._shown is not None
            # Textual has no public way to replace a notice: its own (a click on the
            # toast) takes it away; the new one goes up in the same turn (``notify``
            # would post it, and one shown before that would stack).
            app._unnotify(self._shown, refresh=False)
        self._shown = Notification(message, severity=severity, timeout=app.NOTIFICATION_TIMEOUT)
        app._on_notify(Notify(self._shown))


class FailedSends:
    """The notice of messages the sender gave up on: while it is up, the next failures
    replace it, counted since it appeared, instead of stacking a notice each."""

    def __init__(self, app: App[object]) -> None:
        self._notice = OneNotice(app)
        self._count = 0

    def add(self, count: int, *, listed: bool = False) -> None:
        """``count`` more given up on; ``listed``: the Failed screen shows them."""
        self._count = self._count + count if self._notice.up else count
        self._notice.show(could_not_send(self._count, listed=listed), "error")


def keep_on_clipboard(app: App[object], name: str, text: str, what: str,
                      gone: str = "was deleted meanwhile") -> None:
    """``text`` typed for the fan ``name`` (a reply, a note: ``what``), who was deleted
    meanwhile (here, by another chatter or the CLI), or whose account this role lost
    (``gone`` says which), has nowhere to go: it is not lost without a word, but put on
    the clipboard, and a notice quotes it."""
    app.copy_to_clipboard(text)
    quoted = clean(text, single_line=True)
    if len(quoted) > UNSAVED_SHOWN_CHARS:
        quoted = quoted[:UNSAVED_SHOWN_CHARS - 1] + "…"
    app.notify(f"{clean(name, single_line=True)} {gone}. Your {what} is on "
               f"the clipboard: {quoted}", severity="warning", timeout=30, markup=False)
