from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database, DatabaseUrlError, _foreign_keys_back_on, parse_url
from ofcrm_tui.store.models import Account, Fan


def test_sqlite_runs_in_wal_with_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15_000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()


def test_sqlite_file_in_missing_directory_is_created(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'deep' / 'er' / 'x.db'}")
    db.dispose()
    assert (tmp_path / "deep" / "er" / "x.db").exists()


def test_write_units_begin_immediate_on_sqlite(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    statements: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with db.write() as session:
        session.execute(select(1))
    with db.read() as session:
        session.execute(select(1))
    assert "BEGIN IMMEDIATE" in statements
    assert statements.count("BEGIN") == 1
    db.dispose()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "not a database URL"),
        ("mysql://root@localhost/x", "unsupported database 'mysql'"),
    ],
)
def test_bad_urls_are_refused_with_a_reason(url: str, message: str) -> None:
    with pytest.raises(DatabaseUrlError, match=message):
        parse_url(url)


def test_plain_postgresql_urls_use_psycopg3() -> None:
    assert parse_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


def test_times_round_trip_as_aware_utc(db: Database) -> None:
    local = datetime(2026, 11, 20, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    with db.write() as session:
        session.add(Account(name="a", base_url="http://x", send_blocked_until=local))
    with db.read() as session:
        stored = session.scalar(select(Account.send_blocked_until))
    assert stored == local
    assert stored.tzinfo == UTC


def test_naive_times_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), db.write() as session:
        session.add(Account(name="a", base_url="http://x", send_blocked_until=datetime(2026, 1, 1)))


def test_fans_are_unique_per_account_and_platform_id(db: Database) -> None:
    with db.write() as session:
        first, second = Account(name="a", base_url="http://x"), Account(name="b", base_url="http://x")
        session.add_all([first, second])
        session.flush()
        session.add_all(
            [
                Fan(account_id=first.id, platform_user_id=7, username="u7"),
                Fan(account_id=second.id, platform_user_id=7, username="u7"),
            ]
        )
    with pytest.raises(IntegrityError), db.write() as session:
        session.add(Fan(account_id=first.id, platform_user_id=7, username="again"))


def test_deleting_an_account_deletes_its_rows(db: Database) -> None:
    with db.write() as session:
        account = Account(name="a", base_url="http://x")
        session.add(account)
        session.flush()
        session.add(Fan(account_id=account.id, platform_user_id=1, username="u1"))
    with db.write() as session:
        session.delete(session.get(Account, account.id))
    with db.read() as session:
        assert session.scalars(select(Fan)).all() == []



def test_a_bulk_write_checks_references_before_the_commit(db: Database) -> None:
    with db.write() as session:
        account = Account(name="a", base_url="http://x")
        session.add(account)
    with db.bulk_write(["fans"]) as session:
        session.add(Fan(account_id=account.id, platform_user_id=1, username="u1"))
    with pytest.raises(IntegrityError, match="FOREIGN KEY|foreign key"), db.bulk_write(["fans"]) as session:
        session.add(Fan(account_id=account.id, platform_user_id=2, username="u2"))
        session.add(Fan(account_id=account.id + 1, platform_user_id=3, username="u3"))
    with db.read() as session:
        assert session.scalars(select(Fan.username)).all() == ["u1"]


def test_sqlite_checks_a_bulk_write_once_then_row_by_row_again(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    migrate.upgrade(db)
    with db.write() as session:
        session.add(Account(name="a", base_url="http://x"))
    note = ("INSERT INTO notes (account_id, fan_id, author, body, created_at, updated_at) "
            "VALUES (1, 99, 'ana', 'hi', '2026-01-01', '2026-01-01')")
    with pytest.raises(IntegrityError, match="a notes row refers to no fans row"):
        with db.bulk_write(["fans", "notes"]) as session:
            connection = session.connection()
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
            session.add(Fan(account_id=1, platform_user_id=1, username="u1"))
            session.flush()
            connection.exec_driver_sql(note)  # taken here, refused before the commit
    with db.write() as session:
        assert session.scalars(select(Fan.username)).all() == []
        with pytest.raises(IntegrityError, match="FOREIGN KEY"):
            session.connection().exec_driver_sql(note)
    db.dispose()


def test_a_connection_whose_foreign_keys_cannot_come_back_is_not_pooled(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.engine.connect() as connection:
        raw = connection.connection.driver_connection
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("BEGIN")  # the setting cannot change inside a transaction
        _foreign_keys_back_on(connection)
        assert connection.invalidated
    with db.engine.connect() as connection:  # a new one, checking row by row
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()
