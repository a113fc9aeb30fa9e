"""This app's presence: what it tells the other apps and what it hears back.

Every ``presence_interval_seconds`` the app beats (one statement in a thread worker,
``core.team.presence.beat``), and again at once when its chatter opens or leaves a
conversation or starts or stops typing. Beats run one at a time, so an older one never
lands after a newer one. What comes back is posted to the app as ``TeamSeen``; the app
publishes it to the screens only when it changed. Typing is a key in the composer
within the last ``TYPING_SECONDS``. A beat the database refuses (the chatter was taken
off the team) tells the app, which stops the beats.

The fans version (every fan edit moves it once) moving under another chatter's edit is
published as this app's own edits are, ``DataChanged("fans", "inbox")``: the screens
showing fans read them again. This app's own edits it counts (each ``DataChanged`` of
"fans" it publishes is one, ``fans_edited``), so a beat that brings back only those
reloads nothing: their screens read them already. An edit of its own published while a
beat was under way may or may not be in that beat's number: when the number moved by
more than the edits published before the beat started, the screens reload (and read
those too), so another chatter's edit is never taken for this app's own.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from textual.message import Message
from textual.timer import Timer

from ofcrm_tui.core import team
from ofcrm_tui.core.team import TeamView
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.status_read import access_lost

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
        self._beats = 0  # beats started
        self._fans_version: int | None = None  # None: no beat came back yet
        # This app's fan edits not yet in a beat's number: the beats started before each.
        self._own_edits: list[int] = []
        self._publishing = False

    def start(self) -> None:
        self._timer = self.app.set_interval(
            self.app.context.settings.presence_interval_seconds, self.beat)
        self.app.changes.subscribe(self.app, self.fans_edited, immediate=True)

    def pause(self) -> None:
        """Access was lost: no more beats, and no row to delete when the app quits."""
        self._stopped = True
        if self._timer is not None:
            self._timer.pause()

    def resume(self) -> None:
        """Another account was opened after access was lost: beats again, as a new app
        (the row of the account lost is out of reach: it expires)."""
        self.app_id = uuid.uuid4().hex
        self._stopped = False
        if self._timer is not None:
            self._timer.resume()

    # -- what the chatter does -----------------------------------------------------

    def account_opened(self) -> None:
        """Another account: nothing of it is open yet; the others' rows are read anew."""
        self.conversation_id = None
        self.view = None
        self._fans_version = None
        self._own_edits.clear()
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
        self._beats += 1
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
            denied = access_lost(self.app.context.db, report.account_id, exc)
            if denied is not None:
                self.app.post_message(denied)
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
        answered = self._beats  # (beats run one at a time: the last one started)
        if self._again:
            self._again = False
            self.beat()
        account = self.app.account
        if view is None or account is None or view.account_id != account.id:
            return False
        self._follow_fans(view.fans_version, answered)
        changed, self.view = view != self.view, view
        return changed

    def fans_edited(self, change: DataChanged) -> None:
        """(every change the app publishes) One of "fans" is an edit of this app's own,
        but for those published here of the others' edits."""
        if change.touches("fans") and not self._publishing:
            self._own_edits.append(self._beats)

    def _follow_fans(self, version: int, answered: int) -> None:
        """Beat number ``answered`` brought back the fans ``version``: when other
        chatters' edits moved it, the screens showing fans read them again."""
        before, self._fans_version = self._fans_version, version
        if before is None:  # the first beat: the screens have just read the fans
            self._own_edits.clear()
            return
        mine = [edit for edit in self._own_edits if edit < answered]  # surely in it
        if version - before == len(mine):
            del self._own_edits[:len(mine)]
            return
        self._own_edits.clear()  # the screens read them again too
        self._publishing = True
        try:
            self.app.changes.publish(DataChanged.of("fans", "inbox"))
        finally:
            self._publishing = False

    def leave(self) -> None:
        """(thread) The app quits: its row goes."""
        account = self.app.account
        if account is not None and not self._stopped:
            team.leave(self.app.context.db, self.app_id, account.id, now=self.app.now_utc())
