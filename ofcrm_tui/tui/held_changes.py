"""What the background jobs change, held back and published together.

Job events come in bursts (a drain reports each claim, several lanes at once): what they
change is published, and the status read, at once when nothing was for
``JOB_REFRESH_SECONDS``, else once that long after the last time, for everything that
came meanwhile.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual.timer import Timer

from ofcrm_tui.tui.messages import DataChanged

if TYPE_CHECKING:
    from ofcrm_tui.tui.app import OfcrmApp

JOB_REFRESH_SECONDS = 0.5


class HeldChanges:
    def __init__(self, app: OfcrmApp) -> None:
        self._app = app
        self._change: DataChanged | None = None
        self._timer: Timer | None = None
        self._published_at = -JOB_REFRESH_SECONDS

    def add(self, change: DataChanged | None) -> None:
        """Publish ``change`` and read the status: now if nothing was for
        ``JOB_REFRESH_SECONDS``, else then, with whatever else comes meanwhile."""
        if change is not None:
            pending = self._change
            self._change = change if pending is None else pending.merge(change)
        if self._timer is not None:
            return
        wait = self._published_at + JOB_REFRESH_SECONDS - time.monotonic()
        if wait > 0:
            self._timer = self._app.set_timer(wait, self._publish)
        else:
            self._publish()

    def _publish(self) -> None:
        self._timer = None
        self._published_at = time.monotonic()
        change, self._change = self._change, None
        if change is not None:
            self._app.changes.publish(change)  # (and the status is read: ``StatusReads``)
        else:
            self._app.status_reads.load()

    @property
    def pending(self) -> bool:
        """Changes wait to be published (for tests: ``settle`` waits for them)."""
        return self._timer is not None
