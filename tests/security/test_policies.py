"""Every table that holds an account's rows has row-level security: none can be
forgotten, now or when a table is added."""

from __future__ import annotations

from sqlalchemy import text

from ofcrm_tui.core import access
from ofcrm_tui.store import security
from ofcrm_tui.store.models import Base
from tests.security.conftest import Team


def _account_tables_of_the_models() -> set[str]:
    return {
        name for name, table in Base.metadata.tables.items()
        if "account_id" in table.c or name == "accounts"
    }


def test_every_table_with_an_account_is_listed_once() -> None:
    """A new model with ``account_id`` must join ``ACCOUNT_TABLES`` (one policy each)
    or ``OWNER_TABLES`` (no team role at all): this fails until it does."""
    listed = set(security.ACCOUNT_TABLES)
    owners = set(security.OWNER_TABLES)
    assert not listed & owners
    assert _account_tables_of_the_models() - listed - owners == set()
    assert listed <= set(Base.metadata.tables)
    assert set(security.CHATTER_PRIVILEGES) <= listed


def test_the_migrated_schema_has_a_policy_on_every_account_table(team: Team) -> None:
    """The database itself: every table with an ``account_id`` column (whatever the
    models say) has row-level security and a policy, or is the owner's alone."""
    with team.owner.read() as session:
        assert access.unprotected_tables(session) == []
        policies = {(table, policy) for table, policy in session.execute(text(
            "SELECT tablename, policyname FROM pg_policies WHERE schemaname = current_schema()"
        ))}
        secured = set(session.scalars(text(
            "SELECT relname FROM pg_class WHERE relrowsecurity "
            "AND relnamespace = current_schema()::regnamespace"
        )))
    assert {(table, security.POLICY) for table in security.ACCOUNT_TABLES} <= policies
    assert set(security.OWNER_TABLES) <= secured
    assert not {table for table, _ in policies} & set(security.OWNER_TABLES)
