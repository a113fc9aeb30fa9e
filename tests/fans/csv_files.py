"""What the CSV tests share: the export's header, its order by name, an import as the
tests run it, a fan's id by username."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from ofcrm_tui.core.fans import csv_import, listing
from ofcrm_tui.core.fans.csv_format import HEADER
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Fan


CSV_HEADER = ",".join(HEADER)
BY_NAME = listing.FanSort.NAME


def _import(db: Database, account: int, path: Path, **options: object) -> csv_import.ImportReport:
    return csv_import.import_fans(db, account, path, author="importer", **options)  # type: ignore[arg-type]


def _fan_id(db: Database, account: int, username: str) -> int:
    with db.read() as session:
        return int(session.scalar(select(Fan.id).where(Fan.account_id == account, Fan.username == username)))
