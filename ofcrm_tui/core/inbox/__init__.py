"""The inbox: conversation windows and search, threads, drafts and saved replies, over SQL.

``from ofcrm_tui.core import inbox`` gives the list and thread API below; drafts and
saved replies are the modules ``inbox.drafts`` and ``inbox.saved_replies``.
"""

from ofcrm_tui.core.fans.filter import Status
from ofcrm_tui.core.inbox.filter import InboxError, InboxFilter, tags
from ofcrm_tui.core.inbox.read_marks import pending_read_marks, read_marks_done
from ofcrm_tui.core.inbox.rows import ConversationRow, conversation_header, conversation_rows
from ofcrm_tui.core.inbox.thread import (
    ThreadMessage,
    mark_read_locally,
    mark_unread_locally,
    pending_in_thread,
    thread_page,
)
from ofcrm_tui.core.inbox.vault import MediaItem, vault_media
from ofcrm_tui.core.inbox.windows import (
    conversations_window,
    count_conversations,
    next_unread,
    position_of,
)

__all__ = [
    "ConversationRow",
    "InboxError",
    "InboxFilter",
    "MediaItem",
    "Status",
    "ThreadMessage",
    "conversation_header",
    "conversation_rows",
    "conversations_window",
    "count_conversations",
    "mark_read_locally",
    "mark_unread_locally",
    "next_unread",
    "pending_in_thread",
    "pending_read_marks",
    "position_of",
    "read_marks_done",
    "tags",
    "thread_page",
    "vault_media",
]
