"""The app follows its database: what other processes write shows as its own jobs' news.

In team mode the workers poll and send, and an app beside ``ofcrm worker`` or another
app on one SQLite file has the same problem: nothing of it is a job event of this app.
So every status read also looks at the account (``core.watch.look``), and what moved is
published as the ``DataChanged`` a poll or a drain would have made.

Nothing is shown twice. A new fan message is announced once, whichever tells of it
first, the app's own poll or the look (``fresh``). And a topic the app published after
the previous read started is not published again: the screens read it after that,
so they show what the look found, if the read came right after the publish (the app
asks for one at every publish, ``StatusReads.published``). Sent messages only count as
shown after a publish of sends: a thread reads its page and its queued rows apart, and
one drawn while a send commits may show neither.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from ofcrm_tui.core import watch
from ofcrm_tui.core.sync import NewInbound
from ofcrm_tui.tui.messages import DataChanged, Topic

# Fan messages remembered as announced; a poll or a look brings far fewer at once.
REMEMBERED = 1024


class Follow:
    def __init__(self) -> None:
        self.mark: watch.Mark | None = None
        self._reads = 0  # status reads started
        # topic (or "sent") -> reads started when last published
        self._published: dict[str, int] = {}
        self._announced: set[int] = set()
        self._order: deque[int] = deque()

    def reset(self) -> None:
        """Another account: its first look only sets where to look from."""
        self.mark = None

    def read_started(self) -> tuple[watch.Mark | None, int]:
        """A status read starts: the mark to look from, and the read's number."""
        self._reads += 1
        return self.mark, self._reads

    def published(self, change: DataChanged) -> None:
        for topic in change.topics | ({"sent"} if change.sent else set()):
            self._published[topic] = self._reads

    def fresh(self, items: Iterable[NewInbound]) -> tuple[NewInbound, ...]:
        """The fan messages of ``items`` not announced yet (now announced)."""
        found = []
        for item in items:
            key = item.platform_message_id
            if key is not None:
                if key in self._announced:
                    continue
                self._announced.add(key)
                self._order.append(key)
                if len(self._order) > REMEMBERED:
                    self._announced.discard(self._order.popleft())
            found.append(item)
        return tuple(found)

    def looked(self, read: int, mark: watch.Mark, moves: watch.Moves | None) -> DataChanged | None:
        """Read number ``read`` found ``mark`` and ``moves``: what to publish."""
        self.mark = mark
        if not moves:
            return None

        def shown(topic: str) -> bool:
            since = max(self._published.get(topic, -1), self._published.get("account", -1))
            return since >= read - 1

        topics: set[Topic] = set()
        if (moves.messages or moves.paid) and not shown("inbox"):
            topics.add("inbox")
        if moves.queue and not shown("outbox"):
            topics.add("outbox")
        sent = moves.sent and not shown("sent")
        if sent:
            topics |= {"inbox", "outbox"}
        inbound = self.fresh(moves.inbound)
        if not topics and not inbound:
            return None
        return DataChanged.of(*topics, inbound=inbound, sent=sent)
