"""Monitoring: everything ``ofcrm health`` reports, read again every few seconds in a
worker, the problems that need a person first (one line each); below, a team database's
audit trail (to its managers)."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from ofcrm_tui.core import access, health, metrics
from ofcrm_tui.tui.keymap import key_named
from ofcrm_tui.tui.pieces import Pieces
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.screens.base import OfcrmScreen
from ofcrm_tui.tui.timefmt import age, stamp
from ofcrm_tui.tui.widgets.audit_list import AuditList, AuditSource
from ofcrm_tui.tui.widgets.footer import KeyFooter
from ofcrm_tui.tui.widgets.screen_header import ScreenHeader
from ofcrm_tui.tui.widgets.status_bar import StatusBar

EVERY_SECONDS = 3.0
# The last hour's counts, as shown: (label, metric).
LAST_HOUR = (
    ("sent", metrics.SENT), ("failed", metrics.SEND_FAILED), ("retried", metrics.SEND_RETRIED),
    ("manual retries", metrics.MANUAL_RETRY), ("429 waits", metrics.RATE_LIMITED),
    ("ambiguous", metrics.AMBIGUOUS), ("reconciled", metrics.RECONCILED),
    ("requeued", metrics.RECONCILE_REQUEUED), ("lease expired", metrics.LEASE_EXPIRED),
)
LABELS = len("Credentials")  # the widest label: the database's and each account's align
# The audit trail's box at its smallest: two entries between its borders.
AUDIT_LEAST = 4


def labelled() -> Table:
    """A grid of dim labels (one line each) and their values."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True, min_width=LABELS)
    # A word wider than the line folds, nothing of it lost.
    grid.add_column(overflow="fold")
    return grid


def seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def ago(moment: datetime | None, now: datetime) -> str:
    return "never" if moment is None else f"{age((now - moment).total_seconds())} ago"


def size(count: int | None) -> str:
    if count is None:
        return "unknown"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"


def size_of(report: health.Health) -> str:
    """``12.3 MB``, and on PostgreSQL what it counts (ofcrm's tables in its schema)."""
    of = report.database_size_of
    shown = size(report.database_bytes)
    return f"{shown} ({clean(of, single_line=True)})" if of else shown


def problems(report: health.Health, failed_key: str) -> RenderableType:
    """One line per problem (cut to the width), warnings in yellow, or that all is well.
    A line about failed messages starts with the key of the Failed screen (``failed_key``),
    where the chatter retries or discards them (first, so a cut line keeps it), and names
    no command: ``ofcrm health`` names its own (``Problem.told``)."""
    if not report.problems:
        return Text("✓ healthy: nothing needs a person", style="bold green")
    return Group(*(
        Text.assemble(("! " if p.warning else "✗ ", "bold yellow" if p.warning else "bold red"),
                      (f"press {failed_key}: " if p.about_failed else "", "bold"),
                      (clean(p.message, single_line=True), "yellow" if p.warning else "red"),
                      no_wrap=True, overflow="ellipsis")
        for p in report.problems
    ))


def database_line(report: health.Health, checked: datetime) -> RenderableType:
    """The database, its size and when it was read, beside its label: a path wider than
    the line cut in its middle (folded, it took lines the accounts need at 80x24;
    ``ofcrm health`` prints it whole)."""
    grid = labelled()
    grid.add_row("Database", Pieces([
        clean(report.database, single_line=True), size_of(report),
        Text(f"checked {checked:%H:%M:%S}", "dim")], cut=True))
    return grid


def account_block(a: health.AccountHealth, now: datetime) -> RenderableType:
    """One account: queue, sends, last hour, latency, polls, credentials (``now`` in the
    user's zone)."""
    grid = labelled()
    grid.add_row("Queue", Pieces(f"{state} {count:,}" for state, count in a.queue.items()))
    sends = [Text(f"{a.sends_last_minute} of {a.send_limit} in the last minute",
                  "yellow" if a.sends_last_minute >= a.send_limit else "")]
    if a.blocked_until is not None:
        sends.append(Text(f"blocked (429) for {age((a.blocked_until - now).total_seconds())}",
                          "bold yellow"))
    grid.add_row("Sends", Pieces(sends, "  "))
    hour = a.last_hour
    counts = [f"{label} {hour[name]:,}" for label, name in LAST_HOUR]
    counts[4] += f" ({a.rate_limited_seconds:.0f} s)"
    grid.add_row("Last hour", Pieces(counts))
    grid.add_row("Latency", Pieces([
        f"send p50 {seconds(a.send_latency.p50)} p95 {seconds(a.send_latency.p95)}",
        f"queue p50 {seconds(a.queue_latency.p50)} p95 {seconds(a.queue_latency.p95)}",
        a.depth_as_of(lambda at: stamp(at, now), "–")]))
    polls: list[str | Text] = [f"last {ago(a.last_poll_at, now)}",
                               f"lag {seconds(a.poll_lag_seconds)}",
                               f"{hour[metrics.POLL]:,} ok / {hour[metrics.POLL_FAILED]:,} "
                               "failed last hour"]
    if a.last_poll_failed_at is not None:
        polls.append(f"last failure {ago(a.last_poll_failed_at, now)}")
    polls.append(Text("running" if a.running else "not running", "dim"))
    grid.add_row("Polls", Pieces(polls))
    if a.auth_error:
        credentials = Text(f"rejected: {clean(a.auth_error, single_line=True)}", "red")
    elif a.key_missing:
        credentials = Text(f"no key here ({clean(a.key_missing)})", "red")
    else:
        credentials = Text("ok", "green")
    grid.add_row("Credentials", credentials)
    grid.add_row("Failed 24 h", f"{a.recent_failed:,}")
    title = Text(clean(a.name, single_line=True), style="bold")
    return Group(title, grid)


class Lower(Vertical):
    """The body, as tall as it shows, and the audit trail in the lines left, at least
    ``AUDIT_LEAST`` (each half of them, the body scrolled at 80x24 with one account)."""

    def on_resize(self) -> None:
        body = self.query_one("#monitoring-body")
        body.styles.max_height = max(1, self.size.height - AUDIT_LEAST)


class MonitoringScreen(OfcrmScreen):
    CSS_PATH = "../styles/monitoring.tcss"
    BINDINGS = [
        Binding("r", "reload", "Refresh", id="monitoring.refresh"),
        Binding("escape", "app.switch_mode('inbox')", "Inbox", id="monitoring.inbox"),
    ]

    class Checked(Message):
        def __init__(self, report: health.Health) -> None:
            super().__init__()
            self.report = report

    def __init__(self) -> None:
        super().__init__()
        self.report: health.Health | None = None

    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        yield Static("Checking…", id="monitoring-problems")
        with Lower(id="monitoring-lower"):
            with VerticalScroll(id="monitoring-body"):
                yield Static(id="monitoring-accounts")
            yield AuditList(self.ofcrm.clock, id="monitoring-audit")
        yield StatusBar(clock=self.ofcrm.clock)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Monitoring"
        self._show_audit()
        self.timer = self.set_interval(EVERY_SECONDS, self.action_reload)
        self.action_reload()

    def _show_audit(self) -> None:
        """The audit trail of a team database, to its managers."""
        audit = self.query_one(AuditList)
        audit.border_title = "Audit trail"
        context = self.ofcrm.context
        if context.db.is_sqlite:
            audit.note = "The audit trail is kept on team databases (PostgreSQL)"
        elif context.identity.kind is not access.Kind.MANAGER:
            audit.note = "The audit trail is shown to managers"
        else:
            audit.show(AuditSource(context.db, access.AuditSpan()))
            return
        audit.add_class("-note")  # one line says why there is none here

    def on_screen_suspend(self) -> None:
        self.timer.pause()

    def on_screen_resume(self) -> None:
        self.timer.resume()
        self.action_reload()

    def action_reload(self) -> None:
        self._check(self.ofcrm.now_utc())
        self.query_one(AuditList).refresh_rows()

    @work(thread=True, exclusive=True, group="monitoring", exit_on_error=False)
    def _check(self, now: datetime) -> None:
        context = self.ofcrm.context
        threshold = context.settings.health_failed_threshold
        try:
            report = health.check(context.db, failed_threshold=threshold,
                                  keyless=self.ofcrm.keyless, now=now)
        except SQLAlchemyError as exc:
            report = health.database_problem(context.db.url_for_display,
                                             getattr(exc, "orig", None) or exc)
        self.post_message(self.Checked(report))

    def on_monitoring_screen_checked(self, message: Checked) -> None:
        self.report = report = message.report
        top = self.query_one("#monitoring-problems", Static)
        top.update(problems(report, key_named(self.app, type(self.app), "app.failed")))
        top.set_class(not report.problems, "-healthy")
        top.set_class(bool(report.problems) and all(p.warning for p in report.problems),
                      "-warning")
        now = report.checked_at.astimezone(self.ofcrm.clock().tzinfo)
        shown: list[RenderableType] = [database_line(report, now)]
        for account in report.accounts:  # a blank line before each: none below the last
            shown += [Text(), account_block(account, now)]
        self.query_one("#monitoring-accounts", Static).update(Group(*shown))
