"""Choose a period of whole days (first and last day, both included) in the user's zone."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from ofcrm_tui.core.analytics.period import Period, PeriodError, between
from ofcrm_tui.tui.dialogs.form import FormDialog
from ofcrm_tui.tui.sanitize import literal
from ofcrm_tui.tui.widgets.fields import TextBox
from ofcrm_tui.tui.widgets.footer import KeyFooter


def parse_day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(f"the {what} day is a date like 2026-11-20, not {text.strip()!r}") from None


class PeriodDialog(FormDialog[Period | None]):
    """Returns the period typed (``between``'s checks: none after the day of ``now``), or
    None."""

    CSS_PATH = "../styles/analytics.tcss"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="period.cancel"),
        Binding("ctrl+s", "apply", "Show", id="period.apply"),
        # Enter in the first day, as it is read: the field's own Enter came once it had
        # typed the keys read behind it (the last day typed fast went into the first).
        Binding("enter", "to_last", "Last day", show=False, priority=True, system=True),
    ]

    def __init__(
        self, current: Period, zone: tzinfo, *, now: datetime, title: str = "Custom period"
    ) -> None:
        super().__init__()
        self.current = current
        self.zone = zone
        self.now = now
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="period-dialog", classes="dialog") as dialog:
            dialog.border_title = literal(self.title_text, single_line=True)
            with Horizontal(id="period-days"):
                with Vertical():
                    yield Label("First day")
                    yield TextBox(self.current.first_day.isoformat(), id="period-first")
                with Vertical():
                    yield Label("Last day (included)")
                    yield TextBox(self.current.last_day.isoformat(), id="period-last")
            today = self.now.astimezone(self.zone).date()
            yield Static(
                f"Days as YYYY-MM-DD, in {self.zone}\n"
                f"The last day is today ({today}) at the latest",
                id="period-hint",
            )
            yield Static(id="period-error")
        yield KeyFooter()

    def action_to_last(self) -> None:
        """Enter in the first day goes on to the last day. In the last, it is the field's
        own (``Input.Submitted``), which comes once the field has typed what was read
        before it."""
        if self.focused is not self.query_one("#period-first", Input):
            raise SkipAction()
        self.set_focus(self.query_one("#period-last", Input))

    @on(Input.Submitted, "#period-last")
    def action_apply(self) -> None:
        try:
            chosen = between(
                parse_day(self.query_one("#period-first", Input).value, "first"),
                parse_day(self.query_one("#period-last", Input).value, "last"),
                tz=self.zone,
                now=self.now,
            )
        except PeriodError as exc:
            self.query_one("#period-error", Static).update(str(exc))
            return
        self.dismiss(chosen)
