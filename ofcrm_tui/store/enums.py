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


class TeamKind(StrEnum):
    """What a team member's PostgreSQL role is for (``ofcrm team``)."""

    CHATTER = "chatter"  # sees and works on the accounts granted to it
    WORKER = "worker"  # holds the platform keys: polls and sends for every account


class AuditAction(StrEnum):
    """Sensitive actions the audit trail records (team databases)."""

    FANS_EXPORTED = "fans_exported"
    ANALYTICS_EXPORTED = "analytics_exported"
    FANS_IMPORTED = "fans_imported"
    FANS_DELETED = "fans_deleted"  # written by a trigger: any delete, psql's too
    ACCOUNT_REMOVED = "account_removed"
    # Its address or send limit (``account set``), its token (``account token``).
    ACCOUNT_CHANGED = "account_changed"
    CAMPAIGN_LAUNCHED = "campaign_launched"
    CAMPAIGN_SCHEDULED = "campaign_scheduled"
    # A note changed or deleted by someone other than its author (a manager).
    NOTE_EDITED = "note_edited"
    NOTE_DELETED = "note_deleted"
    TEAM_INITIALISED = "team_initialised"
    MEMBER_ADDED = "member_added"
    MEMBER_CHANGED = "member_changed"
    MEMBER_REMOVED = "member_removed"


def check_in(column: str, enum: type[StrEnum]) -> str:
    """SQL for a CHECK constraint keeping ``column`` inside ``enum``."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"
