"""A count and its noun (``1 note``, ``2 notes``): every message of the CRM that counts
things says it through here."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``1 note``, ``1,200 notes``; ``plural`` for a noun not made plural by an s."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
