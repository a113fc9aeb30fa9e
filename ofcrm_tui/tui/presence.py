"""This app's presence: what it tells the other apps and what it hears back.

Every ``presence_interval_seconds`` the app beats (one statement in a thread worker,
``core.team.presence.beat``), and again at once when its chatter opens or leaves a
conversation or starts or stops typing. Beats run one at a time, so an older one never
lands after a newer one. What comes back is posted to the app as ``TeamSeen``; the app
publishes it to the screens only when it changed. Typing is a key in the composer
within the last ``TYPING_SECONDS``. A beat the database refuses (the chatter was taken
off the team) tells the app, which stops the beats.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from textual.message import Message
from textual.timer import Timer

from ofcrm_tui.core import access, team
from ofcrm_tui.core.team import TeamView
from ofcrm_tui.tui.status_read import AccessLost

if TYPE_CHECKING:
    from ofcrm_tui.tui.app import OfcrmApp

log = logging.getLogger(__name__)

TYPING_SECONDS = 4.0


class TeamSeen(Message):
    """(to the app) A beat's answer; ``view`` None: the beat failed."""

    def __init__(self, view: TeamView | None) -> None:
        super().__init__()
        self.view = view


class Presence:
    def __init__(self, app: OfcrmApp) -> None:
        self.app = app
        self.app_id = uuid.uuid4().hex
        self.conversation_id: int | None = None
        self.typing_since: datetime | None = None
        self.view: TeamView | None = None
        self._last_key: datetime | None = None
        self._typing_timer: Timer | None = None
        self._busy = False
        self._again = False
        self._failing = False
        self._timer: Timer | None = None
        self._stopped = False

    def start(self) -> None:
        self._timer = self.app.set_interval(
            self.app.context.settings.presence_interval_seconds, self.beat)

    def stop(self) -> None:
        """Access was lost: no more beats, and no row to delete when the app quits."""
        self._stopped = True
        if self._timer is not None:
            self._timer.stop()

    # -- what the chatter does -----------------------------------------------------

    def account_opened(self) -> None:
        """Another account: nothing of it is open yet; the others' rows are read anew."""
        self.conversation_id = None
        self.view = None
        self._stop_typing(beat=False)
        self.beat()

    def viewing(self, conversation_id: int | None) -> None:
        """The chatter opened ``conversation_id`` (None: left it)."""
        if conversation_id == self.conversation_id:
            return
        self.conversation_id = conversation_id
        self._stop_typing(beat=False)
        self.beat()

    def typed(self) -> None:
        """A key in the composer: typing starts (told at once) or goes on."""
        self._last_key = self.app.now_utc()
        if self.typing_since is None and self.conversation_id is not None:
            self.typing_since = self._last_key
            self.beat()
        if self._typing_timer is None:
            self._typing_timer = self.app.set_timer(TYPING_SECONDS, self.check_typing)

    def stopped_typing(self) -> None:
        """The reply went (or was put away): not typing any more."""
        self._stop_typing(beat=True)

    def check_typing(self) -> None:
        """Typing ends ``TYPING_SECONDS`` after the last key (by the app's clock)."""
        if self._typing_timer is not None:
            self._typing_timer.stop()
            self._typing_timer = None
        if self._last_key is None or self.typing_since is None:
            return
        quiet = (self.app.now_utc() - self._last_key).total_seconds()
        if quiet >= TYPING_SECONDS:
            self._stop_typing(beat=True)
        else:
            wait = max(0.1, TYPING_SECONDS - quiet)
            self._typing_timer = self.app.set_timer(wait, self.check_typing)

    def _stop_typing(self, *, beat: bool) -> None:
        if self._typing_timer is not None:
            self._typing_timer.stop()
            self._typing_timer = None
        if self.typing_since is not None:
            self.typing_since: datetime | None = None
            if beat:
                self.beat()

    # -- beats ---------------------------------------------------------------------

    def beat(self) -> None:
        account = self.app.account
        if account is None or self._stopped:
            return
        if self._busy:
            self._again = True
            return
        self._busy = True
        report = team.Beat(account.id, self.app.context.settings.chatter_name,
                           self.conversation_id, self.typing_since)
        self.app.run_worker(
            lambda: self._beat(report), thread=True, group="presence", exit_on_error=False
        )

    def _beat(self, report: team.Beat) -> None:
        """(thread) Write this app's row, read the others'."""
        settings = self.app.context.settings
        try:
            view = team.beat(self.app.context.db, self.app_id, report, now=self.app.now_utc(),
                             expiry_seconds=settings.presence_expiry_seconds)
        except SQLAlchemyError as exc:
            denied = access.refusal(exc)
            if denied is not None:
                self.app.post_message(AccessLost(report.account_id, str(denied)))
            elif not self._failing:
                # A busy or unreachable database: the next beat tries again, quietly.
                log.warning("presence beat failed: %s", exc)
            self._failing = True
            view = None
        else:
            self._failing = False
        self.app.post_message(TeamSeen(view))

    def seen(self, view: TeamView | None) -> bool:
        """A beat came back: True when what the others do changed."""
        self._busy = False
        if self._again:
            self._again = False
            self.beat()
        account = self.app.account
        if view is None or account is None or view.account_id != account.id:
            return False
        changed, self.view = view != self.view, view
        return changed

    def leave(self) -> None:
        """(thread) The app quits: its row goes."""
        account = self.app.account
        if account is not None and not self._stopped:
            team.leave(self.app.context.db, self.app_id, account.id, now=self.app.now_utc())
