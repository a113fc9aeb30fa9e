"""One press read twice: a double Enter by habit, a bounce, or keys read in one burst.

A key that changes what the same key does next remembers what it did (``Twice.did``):
Enter picks a choice and the list closes (the app's ``choice_picked``), ctrl+s applies a
price to the reply under the dialog (the composer), Enter warns that an export replaces
a file (``FileBox``). The same key again before the user can have seen the outcome (in
the same burst, or within a few tenths of a second: ``Twice.again``) is that press
twice: it is dropped, or asks again.

A question's key pressed this soon after the question showed (the quitting ``q`` pressed
twice) was pressed before the user could have read it: ``UNSEEN_SECONDS``.
"""

from __future__ import annotations

import math
import time

# A key this soon after a question showed (the quitting ``q`` pressed twice) was typed
# before the user could have read the question.
UNSEEN_SECONDS = 0.5


class Twice:
    """What was just acted on (a key, a path), and when."""

    def __init__(self) -> None:
        self._what: object = None
        self._at = -math.inf

    def did(self, what: object = True) -> None:
        """``what`` was just acted on (None: nothing to tell a second press by)."""
        self._what, self._at = what, time.monotonic()

    def forget(self) -> None:
        """Whatever comes next is a new press."""
        self._what = None

    def since(self, what: object = True) -> float | None:
        """Seconds since ``what`` was acted on; None when it is not what was, or was
        forgotten since."""
        if what is None or what != self._what:
            return None
        return time.monotonic() - self._at

    def again(self, what: object = True, *, within: float = math.inf) -> bool:
        """``what`` again, less than ``within`` seconds after it was acted on (without a
        limit: until ``forget``)."""
        since = self.since(what)
        return since is not None and since < within
