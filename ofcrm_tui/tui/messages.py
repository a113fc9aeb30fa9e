"""What the app tells its screens when data changes under them.

The scheduler's threads call ``OfcrmApp.job_event``; the app turns each event into a
``DataChanged`` and publishes it on ``OfcrmApp.changes`` (a Textual ``Signal``), and
every screen that shows affected data refreshes itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from ofcrm_tui.core.sync import NewInbound


@dataclass(frozen=True)
class DataChanged:
    inbound: tuple[NewInbound, ...] = ()  # new fan messages, for toasts
    conversations: bool = False  # order, previews or unread counts may differ
    outbox: bool = False  # send states may differ
    account: bool = False  # another account is open: start over
