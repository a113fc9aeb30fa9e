"""A poll the database failed (a deadlock's victim) is a failed poll for monitoring: a QA
walk saw ``poll of account mia failed | DeadlockDetected`` in a worker's log and "0
failed" polls in the last hour."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from ofcrm_tui.config import Settings
from ofcrm_tui.core import health, metrics
from ofcrm_tui.core.accounts import AccountRef
from ofcrm_tui.core.outbox.work import SenderConfig
from ofcrm_tui.core.sync import InboundSync
from ofcrm_tui.jobs.runs import AccountRuns
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account
from tests.support.databases import sqlite_url

NOW = datetime(2026, 11, 20, 10, tzinfo=UTC)


def test_a_poll_the_database_failed_is_counted_and_still_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(sqlite_url(tmp_path, migrated=True))
    try:
        with db.write() as session:
            account = Account(name="mia", base_url="http://mia.invalid")
            session.add(account)
            session.flush()
            ref = AccountRef(account.id, account.name, account.base_url)
        deadlock = OperationalError("INSERT INTO conversations …", {},
                                    psycopg.errors.DeadlockDetected("deadlock detected"))

        def victim(_sync: InboundSync) -> None:
            raise deadlock

        monkeypatch.setattr(InboundSync, "poll", victim)
        runs = AccountRuns(db, Settings(), SenderConfig(), emit=lambda _event: None,
                           drain_at=lambda _at: None, stopping=threading.Event(),
                           clock=lambda: NOW, client_factory=lambda _account: object())
        with pytest.raises(OperationalError) as raised:  # the jobs log it and tell the app
            runs.poll(ref)
        assert raised.value is deadlock
        (found,) = health.check(db, failed_threshold=10, keyless=True).accounts
        assert (found.last_hour[metrics.POLL], found.last_hour[metrics.POLL_FAILED]) == (0, 1)
    finally:
        db.dispose()
