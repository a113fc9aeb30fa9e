"""The creator's vault media, newest first, for the PPV picker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Media


@dataclass(frozen=True)
class MediaItem:
    id: int  # the platform's media id (what a send names)
    type: str
    created_at: datetime


def vault_media(db: Database, account_id: int) -> list[MediaItem]:
    """The creator's vault, newest first, for the PPV picker."""
    with db.read() as session:
        rows = session.execute(
            select(Media.platform_media_id, Media.type, Media.created_at)
            .where(Media.account_id == account_id)
            .order_by(Media.created_at.desc(), Media.platform_media_id.desc())
        ).all()
    return [MediaItem(id=row[0], type=row[1], created_at=row[2]) for row in rows]
