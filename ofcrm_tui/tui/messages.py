"""What the app tells its screens when data changes under them.

The scheduler's threads call ``OfcrmApp.job_event``; the app turns each event into a
``DataChanged`` and publishes it on ``OfcrmApp.changes`` (a Textual ``Signal``), and
every screen that shows data of one of its topics refreshes itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ofcrm_tui.core.sync import NewInbound

# "account": another account is open, start over; "inbox": conversations' order,
# previews or unread counts may differ; "outbox": send states may differ; "fans": fans
# were created, edited (nickname, tags, notes), imported or deleted. A "fans" change
# the app's screens publish is one edit of the app's own, one that moved the fans
# version (``tui.presence`` counts them); "access": the database no longer lets this
# role read the account (``OfcrmApp.cut_off``), nothing of it stays shown.
Topic = Literal["account", "inbox", "outbox", "fans", "access"]


@dataclass(frozen=True)
class DataChanged:
    topics: frozenset[Topic]
    inbound: tuple[NewInbound, ...] = ()  # new fan messages, for toasts
    sent: bool = False  # replies went out (their conversations moved up)

    @classmethod
    def of(
        cls, *topics: Topic, inbound: tuple[NewInbound, ...] = (), sent: bool = False
    ) -> DataChanged:
        return cls(frozenset(topics), inbound, sent)

    def touches(self, *topics: Topic) -> bool:
        """Whether any of ``topics`` changed."""
        return not self.topics.isdisjoint(topics)

    def merge(self, other: DataChanged) -> DataChanged:
        """This change and ``other`` (a later one) as one."""
        return DataChanged(self.topics | other.topics, self.inbound + other.inbound,
                           self.sent or other.sent)
