"""The database schema as SQLAlchemy 2 models, one module per domain.

Every row that belongs to a creator account carries ``account_id``; money is integer
cents; times are aware UTC (see ``types.UTCDateTime``). The schema itself is created
and changed only by the Alembic migrations in ``store/migrations``.
"""

from ofcrm_tui.store.models.base import Base
from ofcrm_tui.store.models.crm import Account, DeletedFan, Fan, FanTag, Note, Tag, fan_display_name
from ofcrm_tui.store.models.messaging import Conversation, Media, Message, SavedReply, Transaction
from ofcrm_tui.store.models.ops import Draft, MetricEvent, SyncCursor
from ofcrm_tui.store.models.outbox import Campaign, OutboundMessage, SendAttempt
from ofcrm_tui.store.models.rollups import FanDay, FanSpend, ReplyDay, RevenueHour, SentHour
from ofcrm_tui.store.models.security import AuditEvent, ReadMark, TeamGrant, TeamMember
from ofcrm_tui.store.models.team import Assignment, TeamPresence, TeamVersion

__all__ = [
    "Account", "Assignment", "AuditEvent", "Base", "Campaign", "Conversation", "DeletedFan", "Draft", "Fan",
    "FanDay", "FanSpend", "FanTag", "Media", "Message", "MetricEvent", "Note",
    "OutboundMessage", "ReadMark", "ReplyDay", "RevenueHour", "SavedReply", "SendAttempt",
    "SentHour", "SyncCursor", "Tag", "TeamGrant", "TeamMember", "TeamPresence", "TeamVersion",
    "Transaction", "fan_display_name",
]
