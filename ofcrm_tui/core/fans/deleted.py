"""Platform fans deleted here stay deleted: the record the sync leaves them out by.

Deleting a fan of the platform records its user id (``remember``); the sync's fans
refresh, transactions and chats skip those users (``when_deleted``) until one writes
again, a message newer than the deletion, which brings them back as a new fan with it
(``forget``, in the sync's write). Adding the fan again, by hand (by user id or
username, any case) or by import, forgets the record too.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from ofcrm_tui.core.fans.tag_names import named
from ofcrm_tui.store.bounds import IN_CHUNK
from ofcrm_tui.store.models import DeletedFan
from ofcrm_tui.store.types import utcnow
from ofcrm_tui.store.upsert import upsert


def remember(session: Session, account_id: int, platform_user_id: int, username: str) -> None:
    """The platform user was deleted now (again: the later deletion counts)."""
    upsert(
        session, DeletedFan,
        [{"account_id": account_id, "platform_user_id": platform_user_id,
          "username": username, "deleted_at": utcnow()}],
        key=("account_id", "platform_user_id"), update=("username", "deleted_at"),
    )


def when_deleted(
    session: Session, account_id: int, platform_user_ids: Collection[int]
) -> dict[int, datetime]:
    """Those of ``platform_user_ids`` deleted here, and when."""
    ids = list(platform_user_ids)
    found: dict[int, datetime] = {}
    for start in range(0, len(ids), IN_CHUNK):
        found.update(session.execute(
            select(DeletedFan.platform_user_id, DeletedFan.deleted_at).where(
                DeletedFan.account_id == account_id,
                DeletedFan.platform_user_id.in_(ids[start : start + IN_CHUNK]),
            )
        ).all())
    return found


def forget(
    session: Session, account_id: int, *,
    platform_user_ids: Collection[int] = (), usernames: Collection[str] = (),
) -> None:
    """The records of these users (by id, or by username in any case): they are back."""
    ids, names = list(platform_user_ids), list(usernames)
    for start in range(0, max(len(ids), len(names)), IN_CHUNK):
        some_ids, some_names = ids[start : start + IN_CHUNK], names[start : start + IN_CHUNK]
        session.execute(delete(DeletedFan).where(
            DeletedFan.account_id == account_id,
            or_(DeletedFan.platform_user_id.in_(some_ids),
                *([named(DeletedFan.username, some_names)] if some_names else ())),
        ))
