"""A count and its noun (``1 note``, ``2 notes``): every message of the CRM that counts
things says it through here."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``1 note``, ``1,200 notes``; ``plural`` for a noun not made plural by an s."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def counted_list(*counts: tuple[int, str] | tuple[int, str, str]) -> str:
    """The ``counted`` of each count that is not zero, listed: ``1 note and 2 tags``,
    ``1 note, 2 tags and 1 draft``; empty when all are zero. A count is ``(count, noun)``
    or ``(count, noun, plural)``."""
    parts = [counted(*count) for count in counts if count[0]]
    return f"{', '.join(parts[:-1])} and {parts[-1]}" if len(parts) > 1 else "".join(parts)
