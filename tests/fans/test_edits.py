"""Notes, tags, nicknames, fans by hand and deletion, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from ofcrm_tui.core import inbox
from ofcrm_tui.core.fans import FanError, FanFilter, csv_import, edits, fan_ids, listing, profile, resolve_fan
from ofcrm_tui.core.fans.fields import FanFieldError
from ofcrm_tui.core.fans.filter import tags_as_stored
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation, Draft, Fan, Tag
from tests.fans.conftest import add_fan, counts, make_account
from tests.support.log_records import LogRecords, records_fixture  # noqa: F401 - the fixture


def test_nickname_tags_and_notes_are_saved_and_read_back(db: Database, account: int) -> None:
    fan = add_fan(db, account, 1, "lena", name="Lena")
    assert edits.set_nickname(db, account, fan, "  Lee ") == "Lee"
    assert edits.add_tags(db, account, fan, ["vip", "whale", "vip"]) == ("vip", "whale")
    assert edits.remove_tags(db, account, fan, ["whale", "never-had"]) == ("vip",)
    assert edits.tag_completions(db, account, "WH") == ["whale"]  # the tag stays for completion
    assert edits.tag_completions(db, account, "i") == ["vip"]
    first = edits.add_note(db, account, fan, "likes cats\nand dogs", author="ann")
    second = edits.add_note(db, account, fan, "second", author="bob")
    edited = edits.edit_note(db, account, first.id, "likes cats only", by="ann")
    assert edited.body == "likes cats only" and edited.created_at == first.created_at
    shown = profile.fan_profile(db, account, fan)
    assert (shown.display_name, shown.nickname, shown.tags, shown.by_hand) == ("Lee", "Lee", ("vip",), False)
    page = profile.notes_page(db, account, fan, limit=1)
    assert [n.id for n in page] == [second.id]
    assert [n.author for n in profile.notes_page(db, account, fan, after=page[0])] == ["ann"]
    edits.delete_note(db, account, second.id, by="bob")
    assert [n.body for n in profile.notes_page(db, account, fan)] == ["likes cats only"]
    assert inbox.tags(db, account) == ["vip", "whale"]


def test_bad_input_and_other_accounts_are_refused(db: Database, account: int) -> None:
    fan = add_fan(db, account, 1, "lena")
    other = make_account(db, "other")
    with pytest.raises(edits.FanEditError, match="no fan"):
        edits.set_nickname(db, other, fan, "x")
    with pytest.raises(edits.FanEditError, match="no fan"):
        edits.add_tags(db, other, fan, ["x"])
    note = edits.add_note(db, account, fan, "mine", author="ann")
    with pytest.raises(edits.FanEditError, match="no note"):
        edits.delete_note(db, other, note.id, by="ann")
    for bad in ("", "a|b", "x" * 65, "t\x1bag"):
        with pytest.raises(FanFieldError):
            edits.add_tags(db, account, fan, [bad])
    with pytest.raises(FanFieldError, match="empty note"):
        edits.add_note(db, account, fan, "  \n", author="ann")
    with pytest.raises(FanFieldError, match="255"):
        edits.set_nickname(db, account, fan, "n" * 256)
    assert counts(db, other) == (0, 0, 0, 0)


def test_fans_by_hand_are_created_once_and_deleted_with_what_goes_with_them(db: Database, account: int) -> None:
    fan = edits.create_fan(db, account, username="@met_at_expo", name="Joe")
    assert profile.fan_profile(db, account, fan).by_hand
    with pytest.raises(edits.FanEditError, match="already has a fan @met_at_expo"):
        edits.create_fan(db, account, username="met_at_expo")
    other = edits.create_fan(db, account, username="second_by_hand")  # many fans without platform id
    edits.add_tags(db, account, fan, ["friend"])
    edits.add_note(db, account, fan, "n1", author="ann")
    summary = edits.deletion_summary(db, account, fan)
    assert (summary.notes, summary.tags, summary.drafts, summary.from_platform) == (1, 1, 0, False)
    # Only what there is, named: not "1 note, 1 tag, 0 drafts, 0 stored messages".
    assert summary.describe() == "Delete Joe (@met_at_expo) with 1 note and 1 tag?"
    edits.delete_fan(db, account, fan)
    assert counts(db, account) == (1, 1, 0, 0)
    with pytest.raises(profile.FanNotFound):
        profile.fan_profile(db, account, fan)
    assert profile.fan_profile(db, account, other).username == "second_by_hand"
    # A fan with no name but the username is named once; with nothing, nothing is listed.
    assert edits.deletion_summary(db, account, other).describe() == "Delete @second_by_hand?"


def test_usernames_are_one_whatever_their_case(db: Database, account: int) -> None:
    """``U100001`` was made beside @u100001, and ``Lena_S`` found no fan @lena_s: platform
    usernames are case-insensitive. The exact spelling wins; two old spellings are refused."""
    lena = add_fan(db, account, 1, "lena_s")
    add_fan(db, make_account(db, "other"), 2, "sam")
    with pytest.raises(edits.FanEditError, match="already has a fan @lena_s$"):
        edits.create_fan(db, account, username="LENA_S")
    assert resolve_fan(db, account, "@Lena_S").id == lena
    with pytest.raises(FanError, match="no fan 'SAM'"):  # another account's fan
        resolve_fan(db, account, "SAM")
    older = add_fan(db, account, 3, "Sam")  # two spellings made before the rule
    newer = add_fan(db, account, 4, "SAM")
    assert (resolve_fan(db, account, "Sam").id, resolve_fan(db, account, "SAM").id) == (older, newer)
    with pytest.raises(FanError, match="@Sam and @SAM both match 'sam'"):
        resolve_fan(db, account, "sam")


def test_deleting_a_platform_fan_says_they_come_back_only_if_they_write(
    db: Database, account: int
) -> None:
    fan = add_fan(db, account, 42, "synced")
    with db.write() as session:
        conversation = Conversation(account_id=account, fan_id=fan)
        session.add(conversation)
        session.flush()
        session.add(Draft(account_id=account, conversation_id=conversation.id, text="hi"))
    summary = edits.deletion_summary(db, account, fan)
    assert summary.drafts == 1 and summary.from_platform
    assert summary.describe().startswith("Delete @synced with 1 draft? ")
    assert summary.describe().endswith(
        " The fan is on the platform: the sync leaves them out from now on; they come back,"
        " as a new fan, only if they write again.")
    edits.delete_fan(db, account, fan)
    with db.read() as session:
        assert session.scalar(select(Conversation.id)) is None and session.scalar(select(Fan.id)) is None


def test_list_windows_page_by_keyset_in_each_order(db: Database, account: int) -> None:
    for i in range(7):
        add_fan(db, account, 100 + i, f"fan{i}", name=f"N{i % 3}", total_spent_cents=(i % 4) * 100)
    add_fan(db, make_account(db, "other"), 1, "elsewhere")
    for sort in listing.FanSort:
        whole = listing.fans_window(db, account, sort=sort, limit=100)
        paged, after = [], None
        while rows := listing.fans_window(db, account, sort=sort, after=after, limit=3):
            paged += rows
            after = rows[-1]
        assert [r.fan_id for r in paged] == [r.fan_id for r in whole] and len(whole) == 7
    spend = [r.total_spent_cents for r in listing.fans_window(db, account, limit=100)]
    assert spend == sorted(spend, reverse=True)
    assert listing.count_fans(db, account) == 7
    rich = select(Fan.id).where(Fan.total_spent_cents >= 200)
    assert listing.count_fans(db, account, rich) == 3


def test_a_note_changed_meanwhile_is_not_overwritten(db: Database, account: int) -> None:
    """Two chatters edit one note: the second save, started from the old text, is
    refused (NoteChanged) and the first one's words stay."""
    fan = add_fan(db, account, 1, "lena")
    note = edits.add_note(db, account, fan, "hold firm", author="ana")
    edits.edit_note(db, account, note.id, "hold firm (sam agrees)", by="ana",
                    was="hold firm")
    with pytest.raises(edits.NoteChanged, match="changed by someone else"):
        edits.edit_note(db, account, note.id, "hold firm - ana v2", by="ana", was="hold firm")
    assert [n.body for n in profile.notes_page(db, account, fan)] == ["hold firm (sam agrees)"]
    # Nor deleted, asked about as it was: deleted once asked about as it is.
    with pytest.raises(edits.NoteChanged, match="changed by someone else"):
        edits.delete_note(db, account, note.id, by="ana", was="hold firm")
    assert [n.body for n in profile.notes_page(db, account, fan)] == ["hold firm (sam agrees)"]
    edits.delete_note(db, account, note.id, by="ana", was="hold firm (sam agrees)")
    assert profile.notes_page(db, account, fan) == []


def test_a_note_saved_by_someone_else_says_who_and_keeps_it(db: Database, account: int) -> None:
    """Saved by another (a manager): who and when on the note; the author saving again
    keeps it (the other's words may still be there); the author's own saves leave none."""
    fan = add_fan(db, account, 1, "lena")
    note = edits.add_note(db, account, fan, "calls on sundays", author="sam")
    own = edits.edit_note(db, account, note.id, "calls on sundays only", by="sam")
    assert (own.edited_by, own.edited_at) == (None, None)
    theirs = edits.edit_note(db, account, note.id, "calls on sundays only (boss: ok)", by="boss")
    assert (theirs.edited_by, theirs.edited_at) == ("boss", theirs.updated_at)
    again = edits.edit_note(db, account, note.id, "calls on sundays, boss ok", by="sam")
    assert (again.author, again.edited_by, again.edited_at) == ("sam", "boss", theirs.edited_at)
    [read] = profile.notes_page(db, account, fan)
    assert (read.edited_by, read.edited_at) == ("boss", theirs.edited_at)


def _tag_names(db: Database, account: int) -> list[str]:
    with db.read() as session:
        return sorted(session.scalars(select(Tag.name).where(Tag.account_id == account)))


def _tagged(db: Database, account: int, flt: FanFilter) -> set[int]:
    with db.read() as session:
        return set(session.scalars(fan_ids(db, account, flt)))


def test_a_tag_in_another_case_is_the_same_tag(db: Database, account: int, tmp_path: Path) -> None:
    """``VIP`` given where the account has ``vip`` is ``vip`` (by hand, in an import);
    the filters find it whatever the case; a removal too."""
    lena, sam, ann = (add_fan(db, account, i, name) for i, name in ((1, "lena"), (2, "sam"), (3, "ann")))
    edits.add_tags(db, account, lena, ["vip"])
    assert edits.add_tags(db, account, sam, ["VIP", "Whale", "WHALE"]) == ("Whale", "vip")
    path = tmp_path / "fans.csv"
    path.write_text("id,username,tags\n3,ann,Vip|whale\n4,bob,WHALE\n", encoding="utf-8")
    report = csv_import.import_fans(db, account, path, author="x")
    assert (report.created, report.updated, report.problem_count) == (1, 1, 0)
    with db.read() as session:
        bob = session.scalar(select(Fan.id).where(Fan.account_id == account, Fan.username == "bob"))
    assert _tag_names(db, account) == ["Whale", "vip"]
    assert profile.fan_profile(db, account, ann).tags == ("Whale", "vip")
    assert _tagged(db, account, FanFilter(tags_in=("VIP",))) == {lena, sam, ann}
    assert _tagged(db, account, FanFilter(tags_in=("nobody", "wHaLe"))) == {sam, ann, bob}
    assert _tagged(db, account, FanFilter(tags_out=("Vip",))) == {bob}
    assert edits.remove_tags(db, account, sam, ["Vip"]) == ("Whale",)


def test_two_spellings_already_there_stay_and_no_third_is_made(db: Database, account: int) -> None:
    lena, sam = add_fan(db, account, 1, "lena"), add_fan(db, account, 2, "sam")
    with db.write() as session:  # as an older version could leave them
        session.add_all([Tag(account_id=account, name="vip"), Tag(account_id=account, name="VIP")])
    assert edits.add_tags(db, account, lena, ["VIP"]) == ("VIP",)  # the exact spelling
    assert edits.add_tags(db, account, sam, ["Vip"]) == ("vip",)  # else the oldest
    assert _tag_names(db, account) == ["VIP", "vip"]
    assert _tagged(db, account, FanFilter(tags_in=("vip",))) == {lena, sam}


def test_a_filter_names_its_tags_as_the_account_spells_them(db: Database, account: int) -> None:
    """``vip`` typed in a filter is the account's ``VIP`` (the fans title showed ``#vip``);
    of two spellings the exact one, else the oldest; a name it has not stays as typed.
    The filter finds the same fans after."""
    lena, sam = add_fan(db, account, 1, "lena"), add_fan(db, account, 2, "sam")
    edits.add_tags(db, account, lena, ["VIP", "Whale"])
    edits.add_tags(db, account, sam, ["blocked"])
    typed = FanFilter(tags_in=("vip", "WHALE", "nobody"), tags_out=("Blocked",))
    named = tags_as_stored(db, account, typed)
    assert named == replace(typed, tags_in=("VIP", "Whale", "nobody"), tags_out=("blocked",))
    assert _tagged(db, account, named) == _tagged(db, account, typed) == {lena}
    with db.write() as session:  # a second spelling, as an older version could leave
        session.add(Tag(account_id=account, name="vip"))
    assert tags_as_stored(db, account, typed).tags_in[0] == "vip"  # the exact one
    assert tags_as_stored(db, account, FanFilter(tags_in=("Vip",))).tags_in == ("VIP",)
    assert tags_as_stored(db, account, FanFilter(search="x")) == FanFilter(search="x")


def test_a_fan_deleted_and_an_import_are_logged_by_id_and_counts(
    db: Database, account: int, tmp_path: Path, records: LogRecords
) -> None:
    """What a person did to the fans, in the log: ids and counts, no names or notes."""
    path = tmp_path / "fans.csv"
    path.write_text("username,notes\nsecret_ann,private words\nsecret_bo,\n", encoding="utf-8")
    assert csv_import.import_fans(db, account, path, author="x").created == 2
    fan = add_fan(db, account, None, "secret_cy")
    edits.delete_fan(db, account, fan)
    logged = records.at(logging.INFO)
    assert any(f"account {account}: fans imported from fans.csv: 2 rows, 2 created" in line
               for line in logged), logged
    assert f"account {account}: fan #{fan} deleted" in logged
    assert not any("secret" in line or "private" in line for line in logged)
