"""The outbound queue: what the app and the command line call to send, retry and look.

- ``rules``: what a message may be (offer checks), priorities, states, a fan's turn;
- ``commands``: enqueue, retry, discard (every state change a person asks for);
- ``views``: messages as shown, failed views, the queue's status, what waits to go;
- ``limiter``: the sliding send log and the ``SendPolicy``;
- ``sender``: claim, send, record; ``reconcile``: settling sends with no clear answer.

The scheduler that runs the sender lives in ``jobs/``. ``sender`` and ``reconcile`` are
not imported here (they need the platform client): import them by name.
"""

from ofcrm_tui.core.outbox.commands import (
    DiscardResult,
    ManualRetries,
    MessageOptions,
    NotActionable,
    RetryResult,
    discard,
    discard_detailed,
    enqueue,
    enqueue_many,
    manual_retries,
    needs_right,
    retry,
    retry_detailed,
)
from ofcrm_tui.core.outbox.limiter import SendPolicy, next_send_at
from ofcrm_tui.core.outbox.rules import (
    ACTIVE_STATES,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_REPLY_RESERVE_PER_MINUTE,
    DISCARDABLE_STATES,
    EXPIRED_REASON,
    MANUAL_RETRIES_PER_MINUTE,
    MAX_CREATED_BY,
    MAX_PRICE_CENTS,
    MAX_TEXT_CHARS,
    MIN_PRICE_CENTS,
    PENDING_STATES,
    PRIORITY,
    NoAccount,
    OutboxError,
    check_offer,
    normalise_text,
)
from ofcrm_tui.core.outbox.views import (
    FailedSpan,
    FailedSpread,
    OutboundView,
    QueueStatus,
    count_failed,
    failed,
    failed_among,
    failed_position,
    failed_spread,
    failed_window,
    get,
    Waiting,
    queue_counts,
    queue_status,
    record_depth,
    waiting,
)

__all__ = [
    "ACTIVE_STATES",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_REPLY_RESERVE_PER_MINUTE",
    "DISCARDABLE_STATES",
    "EXPIRED_REASON",
    "MANUAL_RETRIES_PER_MINUTE",
    "MAX_CREATED_BY",
    "MAX_PRICE_CENTS",
    "MAX_TEXT_CHARS",
    "MIN_PRICE_CENTS",
    "PENDING_STATES",
    "PRIORITY",
    "DiscardResult",
    "FailedSpan",
    "FailedSpread",
    "ManualRetries",
    "MessageOptions",
    "OutboundView",
    "NoAccount",
    "NotActionable",
    "OutboxError",
    "QueueStatus",
    "RetryResult",
    "Waiting",
    "SendPolicy",
    "check_offer",
    "count_failed",
    "discard",
    "discard_detailed",
    "enqueue",
    "enqueue_many",
    "failed",
    "failed_among",
    "failed_position",
    "failed_spread",
    "failed_window",
    "get",
    "manual_retries",
    "needs_right",
    "next_send_at",
    "normalise_text",
    "queue_counts",
    "queue_status",
    "record_depth",
    "retry",
    "retry_detailed",
    "waiting",
]
