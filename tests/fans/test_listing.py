"""The fans list's orders: jumps by offset, positions, empty dates, the sort indexes;
search by notes. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from ofcrm_tui.core.fans import FanFilter, edits, fan_ids, listing
from ofcrm_tui.store.database import Database
from tests.fans.conftest import NOW, add_fan, make_account


def _fans(db: Database, account: int) -> list[int]:
    made = []
    for i in range(9):
        seen = None if i % 3 == 0 else NOW - timedelta(days=i)
        made.append(add_fan(db, account, 200 + i, f"f{i}", name=["Zoe", "adam", "", "Émile"][i % 4],
                            nickname="Bo" if i == 5 else "", last_seen_at=seen,
                            subscribed_at=None if i % 2 else NOW - timedelta(days=30 + i),
                            total_spent_cents=(i % 3) * 500))
    return made


def test_offsets_and_positions_agree_with_the_whole_list_in_each_order(db: Database, account: int) -> None:
    _fans(db, account)
    add_fan(db, make_account(db, "other"), 1, "elsewhere")
    for sort in listing.FanSort:
        whole = [r.fan_id for r in listing.fans_window(db, account, sort=sort, limit=100)]
        assert len(whole) == 9
        for offset in range(9):
            window = listing.fans_window(db, account, sort=sort, offset=offset, limit=3)
            assert [r.fan_id for r in window] == whole[offset:offset + 3]
            assert listing.fan_position(db, account, whole[offset], sort=sort) == offset
        assert listing.fans_window(db, account, sort=sort, offset=9) == []
    names = [r.display_name.lower() for r in listing.fans_window(db, account, sort=listing.FanSort.NAME)]
    assert names == sorted(names)
    seen = listing.fans_window(db, account, sort=listing.FanSort.LAST_ACTIVE)
    assert [r.last_seen_at is None for r in seen] == [False] * 6 + [True] * 3  # never seen: last


def test_position_is_none_outside_the_filter(db: Database, account: int) -> None:
    made = _fans(db, account)
    rich = fan_ids(db, account, FanFilter(min_spent_cents=1000))
    assert listing.fan_position(db, account, made[0], fan_ids=rich) is None
    assert listing.fan_position(db, account, made[2], fan_ids=rich) is not None


def test_each_order_reads_its_index_on_sqlite(db: Database, account: int) -> None:
    if not db.is_sqlite:
        return
    for sort in listing.FanSort:
        key, descending = listing.sort_key(db, sort)
        query = (
            listing.select(listing._F.id).where(listing._F.account_id == account)
            .order_by(*listing._order(key, descending)).limit(100)
        )
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        with db.engine.connect() as connection:
            plan = " ".join(row[3] for row in connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert "USING" in plan and "TEMP B-TREE" not in plan, (sort, plan)


def test_search_finds_fans_by_their_notes(db: Database, account: int) -> None:
    made = _fans(db, account)
    edits.add_note(db, account, made[4], "Loves Red Roses, ask about 50%_off", author="ann")
    other = make_account(db, "other")
    edits.add_note(db, other, add_fan(db, other, 1, "x"), "red roses", author="ann")
    found = listing.fans_window(db, account, fan_ids=fan_ids(db, account, FanFilter(search="roses RED")))
    assert [r.fan_id for r in found] == [made[4]]
    literal = fan_ids(db, account, FanFilter(search="50%_"))  # LIKE wildcards are literal
    assert [r.fan_id for r in listing.fans_window(db, account, fan_ids=literal)] == [made[4]]
    assert listing.fans_window(db, account, fan_ids=fan_ids(db, account, FanFilter(search="5%x"))) == []
