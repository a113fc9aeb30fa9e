"""Closed sets of values stored as short strings (checked in the schema)."""

from __future__ import annotations

from enum import StrEnum


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"


class Direction(StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"


class OutboundKind(StrEnum):
    """Why a message is being sent; decides its priority in the queue."""

    REPLY = "reply"
    MANUAL = "manual"
    CAMPAIGN = "campaign"


class OutboundState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    UNKNOWN = "unknown"
    FAILED = "failed"
    PAUSED = "paused"
    CANCELLED = "cancelled"


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # starts by itself at ``scheduled_at``
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"


class TransactionType(StrEnum):
    SUBSCRIPTION = "subscription"
    TIP = "tip"
    MESSAGE = "message"
    POST = "post"
    STREAM = "stream"


def check_in(column: str, enum: type[StrEnum]) -> str:
    """SQL for a CHECK constraint keeping ``column`` inside ``enum``."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"
