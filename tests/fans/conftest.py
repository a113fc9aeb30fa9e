"""Accounts with fans written straight into the database (no simulator needed)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from ofcrm_tui.core.fans import edits
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account, Fan, FanTag, Note, Tag

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def make_account(db: Database, name: str) -> int:
    with db.write() as session:
        account = Account(name=name, base_url="http://x.invalid")
        session.add(account)
        session.flush()
        return account.id


def add_fan(db: Database, account_id: int, platform_id: int | None, username: str, **values: object) -> int:
    with db.write() as session:
        fan = Fan(account_id=account_id, platform_user_id=platform_id, username=username, **values)
        session.add(fan)
        session.flush()
        return fan.id


def counts(db: Database, account_id: int) -> tuple[int, int, int, int]:
    """fans, tags, fan tags, notes of the account."""
    with db.read() as session:
        return tuple(  # type: ignore[return-value]
            int(session.scalar(select(func.count()).select_from(m).where(m.account_id == account_id)) or 0)
            for m in (Fan, Tag, FanTag, Note)
        )


@pytest.fixture
def account(db: Database) -> int:
    return make_account(db, "mia")


@pytest.fixture
def populated(db: Database, account: int) -> Callable[[], None]:
    """A few fans with hostile text, tags, notes, one created by hand."""
    def fill() -> None:
        a = add_fan(db, account, 4101, "lena_sato42", name="=HYPERLINK(\"x\")", nickname="Lee",
                    total_spent_cents=12345, tips_cents=4000, messages_cents=6000,
                    subscriptions_cents=2345, subscription_status="active",
                    subscribed_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                    last_seen_at=datetime(2026, 11, 1, tzinfo=UTC))
        b = add_fan(db, account, 4102, "-minus", name="+plus\ttab", nickname="@at",
                    subscription_status="expired", expires_at=datetime(2027, 1, 1, tzinfo=UTC))
        c = add_fan(db, account, None, "by_hand", name="'=quoted", nickname="[bold]x[/]")
        edits.add_tags(db, account, a, ["vip", "whale"])
        edits.add_tags(db, account, c, ["met at expo"])
        edits.add_note(db, account, a, "likes cats\nasks for PPV on fridays", author="ann")
        edits.add_note(db, account, a, "second, \"quoted\" note", author="bob")
        edits.add_note(db, account, b, "=1+1", author="ann")
    return fill
