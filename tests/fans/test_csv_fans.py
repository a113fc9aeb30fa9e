"""Which fan a CSV row is and what the import writes on it: platform ids linking fans made
by hand, the platform's fields and the team's, one username rule, usernames in any
case, a new fan's defaults."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from ofcrm_tui.core.fans import edits, listing, profile
from ofcrm_tui.core.fans.fields import FanFieldError
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Fan, FanTag, Tag
from tests.fans.conftest import add_fan, counts
from tests.fans.csv_files import _import


def test_a_row_with_a_platform_id_links_a_fan_created_by_hand(db: Database, account: int, tmp_path: Path) -> None:
    hand = add_fan(db, account, None, "ghost")
    other = add_fan(db, account, 5, "taken")
    path = tmp_path / "a.csv"
    path.write_text("user_id,username\n9,ghost\n6,taken\n", encoding="utf-8")
    report = _import(db, account, path)
    assert (report.created, report.updated) == (1, 1)
    with db.read() as session:
        assert session.get(Fan, hand).platform_user_id == 9
        assert session.get(Fan, other).platform_user_id == 5


def test_fans_the_platform_knows_keep_what_it_says_and_take_the_teams_fields(
    db: Database, account: int, tmp_path: Path
) -> None:
    """A synced fan keeps the platform's name, status, dates and spend (the sync would put
    them back at its next refresh, and a send or a campaign reads them meanwhile); the
    import gives it nickname, tags and notes, and fills everything for the other fans."""
    since = datetime(2025, 3, 1, tzinfo=UTC)
    synced = add_fan(db, account, 100001, "u100001", name="محمد", subscription_status="active",
                     subscribed_at=since, total_spent_cents=14497, tips_cents=4497)
    by_name = add_fan(db, account, 100020, "u100020", name="Zed", subscription_status="active")
    hand = add_fan(db, account, None, "by_hand", name="Old")
    path = tmp_path / "a.csv"
    path.write_text(
        "user_id;username;name;nickname;tags;notes;total spent;tips;subscribed since;status\n"
        "100001;renamed;Mo;Moey;vip;met in May;$1,234.50;1.00;2025-01-02;expired\n"
        ";u100020;;;;;;;;expired\n"  # by username, the platform's status only
        ";by_hand;Hand Made;Hm;expo;;12.50;;2024-05-05;expired\n"
        "100099;newbie;New One;;;;3.00;;;expired\n",
        encoding="utf-8",
    )
    dry = _import(db, account, path, dry_run=True)
    report = _import(db, account, path)
    for done in (dry, report):
        # u100020's row gives nothing the import takes: unchanged
        assert (done.created, done.updated, done.unchanged, done.platform_kept) == (1, 2, 1, 2)
        assert done.platform_line().startswith("2 rows named fans the platform knows: their name")
    with db.read() as session:
        got = {fan.id: (fan.username, fan.name, fan.nickname, fan.subscription_status,
                        fan.subscribed_at, fan.total_spent_cents, fan.tips_cents)
               for fan in session.scalars(select(Fan).where(Fan.account_id == account))}
    assert got.pop(synced) == ("u100001", "محمد", "Moey", "active", since, 14497, 4497)
    assert got.pop(by_name) == ("u100020", "Zed", "", "active", None, 0, 0)
    assert got.pop(hand) == ("by_hand", "Hand Made", "Hm", "expired", datetime(2024, 5, 5, tzinfo=UTC),
                             1250, 0)
    assert list(got.values()) == [("newbie", "New One", "", "expired", None, 300, 0)]
    assert profile.fan_profile(db, account, synced).tags == ("vip",)
    assert [n.body for n in profile.notes_page(db, account, synced)] == ["met in May"]


def test_a_fan_made_by_hand_linked_by_the_import_takes_the_platform_fields(
    db: Database, account: int, tmp_path: Path
) -> None:
    """The platform did not know the fan yet: the row's fields are the best there are."""
    hand = add_fan(db, account, None, "ghost", name="G")
    path = tmp_path / "a.csv"
    path.write_text("user_id,username,name,status\n9,ghost,Ghost,expired\n", encoding="utf-8")
    report = _import(db, account, path)
    assert (report.updated, report.platform_kept, report.platform_line()) == (1, 0, "")
    with db.read() as session:
        fan = session.get(Fan, hand)
        assert (fan.platform_user_id, fan.name, fan.subscription_status) == (9, "Ghost", "expired")


# Usernames as the platform makes them (letters of any alphabet, digits, _ . -) and what
# is not one: every way a username enters (the import, the new-fan dialog and ``fans add``
# through ``edits.create_fan``) takes the first and refuses the others, for one reason.
USERNAMES_TAKEN = ["lena_s", "mia.starlight", "u4101", "jean-luc", "tom_müller12", "@zoe_b"]
USERNAMES_REFUSED = {
    "bob@@example..com": "username 'bob@@example..com' contains '@'",
    "bob@example.com": "username 'bob@example.com' contains '@'",
    "lena/s": "contains '/'",
    "o'brien": "contains \"'\"",
    "#vip": "contains '#'",
    "lena,s": "contains ','",
    "x🔥": "contains '🔥'",
    "bad name": "contains spaces",
}


def test_one_username_rule_for_the_import_and_fans_made_by_hand(
    db: Database, account: int, tmp_path: Path,
) -> None:
    path = tmp_path / "fans.csv"
    lines = "".join(f'"{name}"\n' if "," in name else f"{name}\n" for name in USERNAMES_REFUSED)
    path.write_text("username\n" + lines, encoding="utf-8")
    report = _import(db, account, path)
    assert not report.written and report.problem_count == len(USERNAMES_REFUSED)
    for problem, (name, reason) in zip(report.problems, USERNAMES_REFUSED.items(), strict=True):
        assert reason in problem.reason, (name, problem.reason)
        with pytest.raises(FanFieldError, match=re.escape(reason)):
            edits.create_fan(db, account, username=name)
    assert counts(db, account) == (0, 0, 0, 0)
    path.write_text("username\n" + "\n".join(USERNAMES_TAKEN[:3]) + "\n", encoding="utf-8")
    assert _import(db, account, path).created == 3
    for name in USERNAMES_TAKEN[3:]:
        edits.create_fan(db, account, username=name)
    stored = {fan.username for fan in listing.fans_window(db, account)}
    assert stored == {name.removeprefix("@") for name in USERNAMES_TAKEN}


def test_a_new_fan_gets_the_defaults_of_the_columns_the_file_lacks(
    db: Database, account: int, tmp_path: Path
) -> None:
    path = tmp_path / "a.csv"
    path.write_text("username,tips\nann,\nbob,2.50\n", encoding="utf-8")
    assert _import(db, account, path).created == 2
    with db.read() as session:
        fans = session.scalars(select(Fan).where(Fan.account_id == account).order_by(Fan.username)).all()
        got = [(f.platform_user_id, f.username, f.name, f.nickname, f.subscription_status,
                f.subscribed_at, f.expires_at, f.last_seen_at, f.renewed_at, f.tips_cents,
                f.total_spent_cents, f.posts_cents, f.created_at == f.updated_at) for f in fans]
    assert got == [
        (None, "ann", "", "", "active", None, None, None, None, 0, 0, 0, True),
        (None, "bob", "", "", "active", None, None, None, None, 250, 0, 0, True),
    ]


def test_a_username_names_one_fan_whatever_its_case(db: Database, account: int, tmp_path: Path) -> None:
    """As ``ofcrm send`` reads a username: a row in another case updates the fan (the
    oldest of two spellings), and a file naming one fan twice in two cases says so."""
    synced = add_fan(db, account, 77, "lena_sato")
    oldest = add_fan(db, account, None, "Twice")
    add_fan(db, account, None, "twice")
    path = tmp_path / "a.csv"
    path.write_text("username,tags\nLENA_Sato,vip\nTWICE,new\nNewFan,\nnewfan,\n", encoding="utf-8")
    report = _import(db, account, path, skip_invalid=True)
    assert [(p.line, p.reason) for p in report.problems] == [(5, "the same fan as line 4")]
    assert (report.created, report.updated) == (1, 2)
    assert counts(db, account)[0] == 4
    with db.read() as session:
        tagged = session.execute(
            select(Fan.id, Tag.name).join(FanTag, FanTag.fan_id == Fan.id).join(Tag, Tag.id == FanTag.tag_id)
            .where(Fan.account_id == account).order_by(Fan.id)
        ).all()
    assert [tuple(row) for row in tagged] == [(synced, "vip"), (oldest, "new")]
