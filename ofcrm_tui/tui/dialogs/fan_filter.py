"""Edit the fans screen's filter: tags in and out, status, spend range, last active
before / after, purchased. The search stays as it is (``/`` on the screen)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from ofcrm_tui.core.fans import FanFilter, FilterError, checked
from ofcrm_tui.core.fans.fields import split_tags
from ofcrm_tui.core.fans.filter import spend_bound
from ofcrm_tui.platform.money import to_dollars
from ofcrm_tui.tui.dialogs.form import FieldsScroll, FormDialog
from ofcrm_tui.tui.widgets.fields import TextBox
from ofcrm_tui.tui.widgets.footer import KeyFooter

# The FanFilter field -> the box that sets it (a refusal puts the cursor there).
_BOXES = {"tags_in": "tags-in", "tags_out": "tags-out", "min_spent_cents": "min",
          "max_spent_cents": "max", "active_after": "after", "active_before": "before"}
_STATUS = [("Active", "active"), ("Expired", "expired")]
_PURCHASED = [("Has purchased", True), ("Never purchased", False)]


def _day(text: str, what: str, field: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise FilterError(f"{what}: a day like 2026-11-20, not {text.strip()!r}", field) from None


def _tags(text: str, what: str, field: str) -> tuple[str, ...]:
    try:
        return tuple(split_tags(text))
    except ValueError as exc:
        raise FilterError(f"{what}: {exc}", field) from None


def _cents_text(cents: int | None) -> str:
    return "" if cents is None else str(to_dollars(cents))


def _day_text(at: datetime | None) -> str:
    return "" if at is None else f"{at:%Y-%m-%d}"


class FanFilterDialog(FormDialog[FanFilter | None]):
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="fan_filter.cancel"),
        Binding("ctrl+s", "apply", "Apply", id="fan_filter.apply"),
        Binding("ctrl+x", "clear", "Clear all", id="fan_filter.clear"),
    ]

    def __init__(self, flt: FanFilter) -> None:
        super().__init__()
        self.flt = flt

    def compose(self) -> ComposeResult:
        flt = self.flt
        # The fields scroll: at 80x24 the last are below the screen, and tab brings each into
        # view. The refusal's line stays under them, in view with the field at fault.
        with Vertical(id="fan-filter-dialog", classes="dialog") as dialog:
            dialog.border_title = "Filter fans"
            with FieldsScroll(id="fan-filter-fields"):
                with Horizontal(classes="fan-filter-row"):
                    yield self._input("Tags (any of)", "tags-in", ", ".join(flt.tags_in), "vip, whale")
                    yield self._input("Without tags", "tags-out", ", ".join(flt.tags_out), "blocked")
                with Horizontal(classes="fan-filter-row"):
                    with Vertical():
                        yield Label("Subscription")
                        yield Select(_STATUS, value=flt.status or Select.NULL, prompt="Any",
                                     id="fan-filter-status")
                    with Vertical():
                        yield Label("Purchases")
                        purchased: Any = Select.NULL if flt.purchased is None else flt.purchased
                        yield Select(_PURCHASED, value=purchased, prompt="Any",
                                     id="fan-filter-purchased")
                with Horizontal(classes="fan-filter-row"):
                    yield self._input("Spent at least $", "min", _cents_text(flt.min_spent_cents), "")
                    yield self._input("Spent at most $", "max", _cents_text(flt.max_spent_cents), "")
                with Horizontal(classes="fan-filter-row"):
                    yield self._input("Active since (day)", "after", _day_text(flt.active_after),
                                      "YYYY-MM-DD")
                    yield self._input("Inactive since (day)", "before", _day_text(flt.active_before),
                                      "YYYY-MM-DD")
            yield Static(id="fan-filter-error")
        yield KeyFooter()

    @staticmethod
    def _input(label: str, name: str, value: str, placeholder: str) -> Vertical:
        return Vertical(Label(label), TextBox(value, placeholder=placeholder, id=f"fan-filter-{name}"))

    def _value(self, name: str) -> str:
        return self.query_one(f"#fan-filter-{name}", Input).value

    def _choice(self, name: str) -> Any:
        value = self.query_one(f"#fan-filter-{name}", Select).value
        return None if value is Select.NULL else value

    def read(self) -> FanFilter:
        """The filter as typed; FilterError names the first field that is not, or a
        range no fan can be in (``checked``)."""
        return checked(replace(
            self.flt,
            tags_in=_tags(self._value("tags-in"), "tags", "tags_in"),
            tags_out=_tags(self._value("tags-out"), "without tags", "tags_out"),
            status=self._choice("status"),
            purchased=self._choice("purchased"),
            min_spent_cents=spend_bound(self._value("min"), "min_spent_cents"),
            max_spent_cents=spend_bound(self._value("max"), "max_spent_cents"),
            active_after=_day(self._value("after"), "active since", "active_after"),
            active_before=_day(self._value("before"), "inactive since", "active_before"),
        ))

    @on(Input.Submitted)
    def action_apply(self) -> None:
        """Applies the filter, or says in the dialog's error line why not and keeps
        everything typed, the cursor on the field at fault."""
        try:
            flt = self.read()
        except FilterError as exc:
            line = self.query_one("#fan-filter-error", Static)
            line.update(Text(str(exc)))  # wraps: at 80x24 a reason is wider than the dialog
            line.display = True
            if exc.field in _BOXES:
                self.point_at(self.query_one(f"#fan-filter-{_BOXES[exc.field]}", Input))
            return
        self.dismiss(flt)

    def action_clear(self) -> None:
        self.dismiss(FanFilter(search=self.flt.search))
