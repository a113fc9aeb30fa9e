"""Deleting a fan from the fans screen or the fan's detail: the question, saying what
goes with the fan (keeping it is what Enter does), then the delete in a thread worker."""

from __future__ import annotations

from rich.text import Text

from ofcrm_tui.core.fans import edits
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.screens.base import OfcrmScreen


def confirm_delete(screen: OfcrmScreen, fan_id: int, *, close: bool = False) -> None:
    """Ask, saying what goes with the fan; delete on yes (and with ``close``, close
    ``screen``, the fan's own, once the fan is gone)."""
    app = screen.ofcrm
    account = app.account
    if account is None:
        return
    db = app.context.db
    me = app.context.identity
    if not me.can_delete:  # as opened; the database checks again when deleting
        screen.notify(f"{me.role} may not delete fans: a manager gives the right "
                      "(ofcrm team add-chatter --can-delete)", severity="error", markup=False)
        return

    def load() -> list[tuple[Text, str | None]]:
        summary = edits.deletion_summary(db, account.id, fan_id)
        # Keeping first: an Enter typed by habit keeps the fan. Deleting gives the fan's
        # name as asked, for what is said once they are gone.
        return [(Text("Keep the fan"), None),
                (Text(clean(summary.describe()), style="bold"), summary.label)]

    def answered(label: str | None) -> None:
        if label is not None:
            _delete(screen, account.id, fan_id, label, close)

    app.push_screen(ChoiceDialog("Delete this fan?", load), answered)


def _delete(screen: OfcrmScreen, account_id: int, fan_id: int, label: str, close: bool) -> None:
    app = screen.ofcrm
    db = app.context.db

    def run() -> None:
        try:
            edits.delete_fan(db, account_id, fan_id)
        except OfcrmError as exc:
            app.call_from_thread(app.notify, clean(str(exc), single_line=True),
                                 severity="error", markup=False)
            return
        app.call_from_thread(_deleted, screen, label, close)

    screen.run_worker(run, thread=True, group="fan-delete", exit_on_error=False)


def _deleted(screen: OfcrmScreen, label: str, close: bool) -> None:
    """Said with the fan's name (``Lee (@lena)``): which fan went, once the list moved on."""
    screen.ofcrm.changes.publish(DataChanged.of("fans", "inbox"))
    screen.notify(clean(f"Deleted {label}", single_line=True), markup=False)
    if close and screen.is_current:
        screen.dismiss()
