"""The ofcrm Textual app: screens, keys, status, and what the background jobs report.

The scheduler (``jobs``) runs in its own threads, started a second after the first
screen is up, and calls ``job_event``; the app turns the events into a ``DataChanged``
published on ``changes`` and reloads the status bar, held back and published together
(``held_changes``: a drain reports every send). Database reads and HTTP calls run in
thread workers that post messages; only the handlers change widget state.
Workers get what they need (the account, the database) as arguments, taken on the
event loop.

What other processes write (the workers of a team, ``ofcrm worker``, another app) the
status reads find (``status_read.StatusReads``), and ``follow`` publishes it like job
events. A role taken off the team (or an account taken from it) is told once, and the
app stops asking the database on its own: for good off the team (a switch of account is
refused), until another account is opened when only the account was taken.
"""

from __future__ import annotations

import gc
import logging
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import App, ScreenStackError
from textual.binding import Binding
from textual.message import Message
from textual.reactive import var
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from ofcrm_tui.config import save_setting
from ofcrm_tui.context import AppContext
from ofcrm_tui.core import access, outbox
from ofcrm_tui.core.accounts import AccountInfo, AccountRef, account_ref, list_accounts
from ofcrm_tui.core.team import TeamView
from ofcrm_tui.jobs import events
from ofcrm_tui.platform.clients import ClientCache, client_for
from ofcrm_tui.secrets import get_token, tokens_stamp
from ofcrm_tui.tui import styles_cache  # noqa: F401  (Textual#6665: freed render caches)
from ofcrm_tui.tui.commands import OfcrmCommands
from ofcrm_tui.tui.follow import Follow
from ofcrm_tui.tui.held_changes import HeldChanges
from ofcrm_tui.tui.key_order import KeysInOrder
from ofcrm_tui.tui.keymap import Section, clash_refused, typing_refused, unknown_ids
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.notices import FailedSends
from ofcrm_tui.tui.presence import Presence, TeamSeen
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.screens import registry
from ofcrm_tui.tui.screens.base import OfcrmScreen
from ofcrm_tui.tui.status_read import JUDGED, AccessLost, StatusLoaded, StatusReads
from ofcrm_tui.tui.team_notes import NO_SWITCH, lost_access_note, team_mode_note
from ofcrm_tui.tui.timefmt import Clock, local_now
from ofcrm_tui.tui.toast_rack import drop_gone
from ofcrm_tui.tui.widgets.status_bar import StatusInfo
from ofcrm_tui.tui.worker_threads import use_on_running_loop

if TYPE_CHECKING:
    from ofcrm_tui.jobs.scheduler import BackgroundJobs
    from ofcrm_tui.platform.client import PlatformClient

log = logging.getLogger(__name__)

LOST_ACCESS_TOAST_SECONDS = 60.0
# The background jobs start this long after the first screen is up (see ``on_ready``).
JOBS_AFTER_SECONDS = 1.0
STYLES = Path(__file__).parent / "styles"


class OfcrmApp(KeysInOrder):
    TITLE = "ofcrm"
    # A screen covered by another (a dialog over it) hides its notices: the one on top
    # shows them, once (app.tcss).
    SUSPENDED_SCREEN_CLASS = "-suspended"
    CSS_PATH = [STYLES / "app.tcss", STYLES / "inbox.tcss", STYLES / "dialogs.tcss",
                STYLES / "fans.tcss"]
    COMMANDS = App.COMMANDS | {OfcrmCommands}
    MODES = registry.modes()
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+p", "command_palette", "Commands", id="app.commands", show=False),
        *registry.switch_bindings(),
        Binding("A", "switch_account", "Switch account", id="app.switch_account", show=False),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]
    # The quit dialog (with messages still to send), the help, the account choice, the
    # palette: shown once their key has come back up to the app (``KeysInOrder``).
    ASKS_LATER = frozenset({"quit", "help", "switch_account", "command_palette"})

    # A ``var``: a repainting reactive of the app would repaint the whole screen on every
    # change; the status bar and the thread view watch it and repaint themselves.
    status: var[StatusInfo] = var(StatusInfo)

    class JobHappened(Message):
        def __init__(self, event: events.JobEvent) -> None:
            super().__init__()
            self.event = event

    class QueueBeforeQuit(Message):
        def __init__(self, waiting: outbox.Waiting) -> None:
            super().__init__()
            self.waiting = waiting

    def __init__(
        self,
        context: AppContext,
        account: AccountInfo | None,
        *,
        clock: Clock = local_now,
        jobs: BackgroundJobs | None = None,
        demo: bool = False,
    ) -> None:
        if account is not None:
            # Opened on an account, the app starts on its home screen: no empty default
            # screen first, and no switch from it (Textual restyles everything twice on
            # the switch, and parses the CSS twice).
            self.DEFAULT_MODE = registry.HOME
        super().__init__()
        if account is not None:  # in the home screen's first frame
            self.sub_title = _title(account)
        self.context = context
        self.demo = demo  # a database made afresh each start: nothing queued survives
        self.account = account
        self.clock = clock
        self.changes: Signal[DataChanged] = Signal(self, "changes")
        self.jobs = jobs
        # Team mode: workers poll and send with the platform keys; this app has none.
        self.keyless = context.keyless
        # Made again at its next use once the account's address or a token here changed.
        self._clients: ClientCache[AccountRef] = ClientCache(self._make_client,
                                                             tokens=tokens_stamp)
        # What this app tells the other chatters' apps, and what they do (``team``).
        self.presence = Presence(self)
        self.team: Signal[TeamView] = Signal(self, "team")
        self.held_changes = HeldChanges(self)  # what job events change, published together
        self.failed_sends = FailedSends(self)  # the one notice of sends given up on
        # What other processes write, seen at each status read.
        self.follow = Follow()
        self.status_reads = StatusReads(self)
        # Set when the database refused this role the account: what the app says (until
        # another account is opened); ``off_team``: it refused the role the team.
        self.cut_off: str | None = None
        self.off_team = False

    # -- start and stop ------------------------------------------------------------

    def on_load(self) -> None:
        use_on_running_loop()  # before any thread worker runs

    def on_mount(self) -> None:
        settings = self.context.settings
        if settings.theme in self.available_themes:
            self.theme = settings.theme
        else:
            self.notify(f"Unknown theme {settings.theme!r}; using {self.theme}",
                        severity="warning", markup=False)
        keymap = settings.keymap
        if keymap:  # only with a keymap to check: the check loads every screen
            sections = self.help_sections()
            unknown = unknown_ids(keymap, sections)
            if unknown:
                self.notify("Unknown binding ids in [keymap]: " + ", ".join(unknown),
                            severity="warning", markup=False, timeout=10)
            refused = {**clash_refused(keymap, registry.reaches(sections, type(self))),
                       **typing_refused(keymap, sections)}
            for line in refused.values():
                self.notify(line, severity="warning", markup=False, timeout=10)
            keymap = {key: value for key, value in keymap.items() if key not in refused}
        self.set_keymap(keymap)
        self.theme_changed_signal.subscribe(self, lambda theme: self._save_theme(theme.name))
        self.changes.subscribe(self, self.status_reads.published, immediate=True)
        self.status_reads.start()
        self.presence.start()
        if self.keyless:
            self.notify(team_mode_note(self.context.identity, self.context.settings.chatter_name),
                        title="Team mode", markup=False, timeout=10)
        if self.account is None:
            self.action_switch_account()
        else:  # the home screen, mounted already, reads the account itself
            self._account_opened(self.account)
            self.status_reads.load()

    def on_ready(self) -> None:
        """The first screen is up: what exists now (the modules, the screen's widgets
        and styles, SQLAlchemy's mappers) lives as long as the app. Frozen out of the
        cyclic collector, it is no longer walked by every full collection: ~190k objects
        took 100-250 ms, with every thread stopped (the worst stalls of a drain).

        The background jobs start ``JOBS_AFTER_SECONDS`` later: their first poll and
        drain (and the modules they load: APScheduler, the platform client with httpx,
        the sender) would otherwise compete for the interpreter with the first screen's
        rows, status and drawing (the terminal got its last lines ~0.3 s later)."""
        gc.freeze()
        if self.jobs is not None:
            self.set_timer(JOBS_AFTER_SECONDS, self.jobs.start)

    def on_unmount(self) -> None:
        # Back under the collector: in a process that runs several apps (the tests),
        # what this one leaves behind must be collectable.
        gc.unfreeze()

    def _refresh_notifications(self) -> None:
        """Textual's: the screen's rack shows the notices that are up (later, in a
        callback); then the holders of the toasts it took away go too (``toast_rack``)."""
        super()._refresh_notifications()
        try:
            screen = self.screen
        except ScreenStackError:
            return
        self.call_later(drop_gone, screen, self._notifications)

    def open_account(self, account: AccountInfo) -> None:
        """Show ``account`` on the home screen (picked in the account dialog); every
        screen starts over on it, the ones hidden once shown again. The account open
        picked again changes nothing (the conversation open, the list's place kept),
        unless its access was lost: then it is opened again."""
        if self._switch_refused():
            return
        if self.account is not None and self.account.id == account.id and self.cut_off is None:
            return
        self._account_opened(account)
        if self.current_mode != registry.HOME:
            self.switch_mode(registry.HOME)
        self.changes.publish(DataChanged.of("account"))
        self.status_reads.load()

    def _switch_refused(self) -> bool:
        """Off the team, no account is readable: the switch is refused, in one line.
        (One account taken away, the others may be opened.)"""
        if self.cut_off is None or not self.off_team:
            return False
        self.notify(NO_SWITCH, title="No access", severity="error", markup=False)
        return True

    def _account_opened(self, account: AccountInfo) -> None:
        """What the app keeps of the open account: the title, the status, what others do;
        access to another account lost, reads start again."""
        if self.cut_off is not None:
            self.cut_off, self.off_team = None, False
            self.status_reads.resume()
            self.presence.resume()
        self.account = account
        self.sub_title = _title(account)
        self.status_reads.sync_error = None
        self.status = StatusInfo(account=account.name)
        self.follow.reset()
        self.presence.account_opened()

    async def action_quit(self) -> None:
        """Save the draft being typed; with messages still to go out, ask first."""
        for screen in self.screen_stack:
            if isinstance(screen, OfcrmScreen):
                await screen.flush()
        if self.keyless:  # the workers send what waits, whether this app runs or not
            self._leave()
        else:
            self._check_queue_before_quit()

    @work(thread=True, exclusive=True, group="quit", exit_on_error=False)
    def _check_queue_before_quit(self) -> None:
        self.post_message(self.QueueBeforeQuit(self._waiting()))

    def _waiting(self) -> outbox.Waiting:
        """What this app's accounts still have to send (in thread workers only)."""
        db = self.context.db
        if self.jobs is not None:
            ids = self.jobs.account_ids()
        else:
            ids = [self.account.id] if self.account is not None else []
        return outbox.waiting(
            db, ids, reply_reserve_per_minute=self.context.settings.reply_reserve_per_minute,
            now=self.now_utc(),
        )

    def on_ofcrm_app_queue_before_quit(self, message: QueueBeforeQuit) -> None:
        from ofcrm_tui.tui.dialogs.quit import QUIT, QuitDialog

        if message.waiting.count == 0:
            self._leave()
        elif not isinstance(self.screen, QuitDialog):
            dialog = QuitDialog(message.waiting, self._waiting, demo=self.demo, clock=self.clock)
            self.push_screen(dialog, lambda choice: self._leave() if choice == QUIT else None)

    def _leave(self) -> None:
        self._clients.close_all()
        self._depart()

    @work(thread=True, exclusive=True, group="depart", exit_on_error=False)
    def _depart(self) -> None:
        """Tell the other chatters this app is gone, then quit."""
        try:
            self.presence.leave()
        finally:
            self.call_from_thread(self.exit)

    def on_team_seen(self, message: TeamSeen) -> None:
        if self.presence.seen(message.view) and self.presence.view is not None:
            self.team.publish(self.presence.view)

    def _make_client(self, account: AccountRef) -> PlatformClient:
        timeout = self.context.settings.http_timeout_seconds
        return client_for(account, get_token(account.name), timeout=timeout)

    def platform(self, account: AccountInfo) -> PlatformClient:
        """The account's platform client, for its address as the database has it now (in
        thread workers only: reads the database, may read the keyring). ``account`` was
        read when it was opened: its address may have changed since."""
        return self._clients.get(account_ref(self.context.db, account.id))

    def now_utc(self) -> datetime:
        """The app's clock in UTC, for core's ``now`` arguments (frozen in tests like
        everything the app shows)."""
        return self.clock().astimezone(UTC)

    # -- screens and commands ------------------------------------------------------

    def help_sections(self, first: list[Section] | None = None) -> list[Section]:
        """Every section of the help: ``first`` (the keys of the screen shown), then the
        keys of every screen, then the other screens'."""
        from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
        from ofcrm_tui.tui.dialogs.help import HelpScreen

        first = first or []
        return [
            *first,
            ("Everywhere", type(self)),
            *(section for section in registry.help_sections() if section not in first),
            ("Choosing an account or a tag", ChoiceDialog),
            ("This help", HelpScreen),
        ]

    def action_help(self) -> None:
        from ofcrm_tui.tui.dialogs.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            shown = registry.sections_shown(type(s) for s in reversed(self.screen_stack))
            self.push_screen(HelpScreen(self.help_sections(shown), self._keymap))

    def action_switch_account(self) -> None:
        from ofcrm_tui.tui.dialogs.choice import ChoiceDialog

        if self._switch_refused():
            return
        db = self.context.db

        def load() -> list[tuple[Text, AccountInfo]]:
            return [(_account_label(account), account) for account in list_accounts(db)]

        def picked(account: AccountInfo | None) -> None:
            if account is not None:
                self.open_account(account)
            elif self.account is None:
                self.exit()

        self.push_screen(
            ChoiceDialog("Accounts", load, current=self.account, empty="No accounts yet"), picked
        )

    @work(thread=True, group="save-theme", exit_on_error=False)
    def _save_theme(self, name: str) -> None:
        """The theme picked in the palette is the next start's theme too."""
        if name == self.context.settings.theme:
            return
        self.context.settings = self.context.settings.model_copy(update={"theme": name})
        save_setting("theme", name)

    # -- status --------------------------------------------------------------------

    def on_status_loaded(self, message: StatusLoaded) -> None:
        change = self.status_reads.loaded(message)
        if change is not None:
            self.held_changes.add(change)

    def on_access_lost(self, message: AccessLost) -> None:
        """Said once, where it stays (the status bar); nothing more is read on a timer
        until another account is opened (none, off the team)."""
        account = self.account
        if self.cut_off is not None or account is None or message.account_id != account.id:
            return
        log.warning("access to account %s lost: %s", account.name, message.reason)
        self.cut_off = lost_access_note(account.name, team=message.team)
        self.off_team = message.team
        self.status_reads.pause()
        self.presence.pause()
        self.status = replace(self.status, cut_off=self.cut_off)
        self.notify(self.cut_off, title="No access", severity="error", markup=False,
                    timeout=LOST_ACCESS_TOAST_SECONDS)
        self.changes.publish(DataChanged.of("access"))

    def queue_changed(self) -> None:
        """The chatter queued, retried or discarded something: refresh (the status is
        read with it; the inbox too, whose rows mark a failed message ✗) and send soon."""
        self.changes.publish(DataChanged.of("outbox", "inbox"))
        if self.jobs is not None:
            self.jobs.drain_now()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker runs with ``exit_on_error=False``: a failed query or call is
        logged and shown in one line, and the app carries on. A refusal of the database
        is no bug: one line in the log; none more once access is known lost."""
        if event.worker.group == "status" and event.worker.is_finished:
            self.status_reads.finished()
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            denied = access.refusal(error)
            if (denied is None and access.unfound(error) and event.worker.group != JUDGED
                    and self.account is not None):
                if self.cut_off is None:  # a schema refused, or a table really missing?
                    self.status_reads.judge(error)
                return
            if denied is None:
                log.error("worker %s failed", event.worker.name, exc_info=error)
            elif self.cut_off is None:
                log.warning("worker %s: %s", event.worker.name, denied)
            else:
                return  # the status bar says it
            error = denied or error
            reason = clean(str(error) or type(error).__name__, single_line=True)[:200]
            self.notify(reason, title="Something went wrong", severity="error", markup=False)

    # -- background jobs -----------------------------------------------------------

    def job_event(self, event: events.JobEvent) -> None:
        """Called from the scheduler's threads (``post_message`` is thread-safe)."""
        if self.is_running:
            self.post_message(self.JobHappened(event))

    def on_ofcrm_app_job_happened(self, message: JobHappened) -> None:
        event = message.event
        if self.account is None or event.account_id != self.account.id:
            return
        change = None
        match event:
            case events.MessagesClaimed():
                change = DataChanged.of("outbox")  # ``sending``: shown while in flight
            case events.PollCompleted(report=report):
                self.status_reads.sync_error = None
                if report.changed():
                    change = DataChanged.of("inbox", inbound=self.follow.fresh(report.new_inbound))
            case events.PollFailed(error=error):
                self.status_reads.sync_error = error
            case events.MessagesSent():
                change = DataChanged.of("outbox", "inbox", sent=True)
            case events.MessagesFailed(outbound_ids=ids):
                change = DataChanged.of("outbox", "inbox")  # (their rows are marked ✗)
                self.failed_sends.add(len(ids), listed=self.current_mode == "failed")
            case events.QueueChanged():
                change = DataChanged.of("outbox")
            case events.AccountAuthFailed(error=error):
                self.status_reads.sync_error = f"credentials refused: {error}"
                self.notify(self.status_reads.sync_error, severity="error", markup=False)
            case events.DrainFailed(error=error):
                self.notify(f"sending stopped for now: {error}", severity="warning", markup=False)
        self.held_changes.add(change)

    @property
    def jobs_refresh_pending(self) -> bool:
        """Job events wait to be published (for tests: ``settle`` waits for them)."""
        return self.held_changes.pending


def _title(account: AccountInfo) -> str:
    """The app's subtitle while ``account`` is open."""
    return clean(account.name, single_line=True)


def _account_label(account: AccountInfo) -> Text:
    label = Text(clean(account.name, single_line=True), style="bold")
    creator = account.creator_username or account.creator_name
    if creator:
        label.append(f"  @{clean(creator, single_line=True)}", "dim")
    if account.auth_error:
        label.append("  credentials refused", "red")
    return label
