"""Finding out whether a send with no clear answer was delivered, by reading the chat.

The contract has no idempotency keys: after a timeout, a broken connection, a 5xx or
a worker that died mid-send, the only way to know is to look. A row in ``unknown`` is
matched against the fan's chat, newest first: an outbound message (from the creator)
with the same plain text and price, created after the row's first attempt, that no
other outbound row has already claimed as its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.platform.wire import Message as WireMessage

# How far a server's clock may be behind ours when comparing "created after".
CLOCK_TOLERANCE = timedelta(seconds=10)
# A chat busier than this many messages since the first attempt is not read further.
MAX_PAGES = 10


@dataclass(frozen=True)
class Unsettled:
    """What matching needs to know about one ``unknown`` row."""

    outbound_id: int
    text: str
    price_cents: int
    first_attempt_at: datetime


def same_text(wire_text: str, text: str) -> bool:
    """Plain texts equal, ignoring how a server may have reflowed whitespace."""
    return wire_text == text or " ".join(wire_text.split()) == " ".join(text.split())


def read_since(
    client: PlatformClient, platform_user_id: int, since: datetime
) -> list[WireMessage]:
    """The fan's messages created from ``since`` (less the clock tolerance), newest first."""
    floor = since - CLOCK_TOLERANCE
    found: list[WireMessage] = []
    before: int | None = None
    for _ in range(MAX_PAGES):
        page = client.messages_page(platform_user_id, before_id=before)
        for message in page.items:
            if message.created_at < floor:
                return found
            found.append(message)
        if not page.has_more or not page.items:
            return found
        oldest = min(message.id for message in page.items)
        if before is not None and oldest >= before:
            return found
        before = oldest
    return found


def match(
    rows: Sequence[Unsettled],
    chat: Iterable[WireMessage],
    *,
    creator_id: int | None,
    taken: set[int],
) -> dict[int, WireMessage]:
    """Outbound row id -> the chat message that is its delivery, for the rows found.

    Rows are matched oldest first, each to the oldest fitting message not ``taken``
    (platform ids already settling another row), so two rows with the same text get
    two different messages.
    """
    outbound = sorted(
        (m for m in chat if creator_id is None or m.from_user.id == creator_id),
        key=lambda m: m.id,
    )
    used = set(taken)
    found: dict[int, WireMessage] = {}
    for row in sorted(rows, key=lambda r: (r.first_attempt_at, r.outbound_id)):
        floor = row.first_attempt_at - CLOCK_TOLERANCE
        for message in outbound:
            if message.id in used or message.created_at < floor:
                continue
            if message.price_cents == row.price_cents and same_text(message.text, row.text):
                found[row.outbound_id] = message
                used.add(message.id)
                break
    return found
