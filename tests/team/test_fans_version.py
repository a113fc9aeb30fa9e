"""The fans version: every fan edit by hand, and an import that changed fans, moves it
once in its own transaction (a failed edit not at all); the beat brings it back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ofcrm_tui.core import team
from ofcrm_tui.core.fans import edits, profile
from ofcrm_tui.core.fans.csv_import import import_fans
from ofcrm_tui.core.team import Beat
from ofcrm_tui.errors import OfcrmError
from tests.team.conftest import NOW, Team


def _versions(crew: Team) -> tuple[int, int]:
    """(assignments, fans), as another app's beat reads them."""
    view = team.beat(crew.db, "watcher", Beat(crew.account.id, "watcher"), now=NOW,
                     expiry_seconds=6)
    return view.assignments_version, view.fans_version


def test_each_fan_edit_moves_the_fans_version_once(crew: Team) -> None:
    db, account = crew.db, crew.account.id
    fan = crew.fans[crew.conversations[0]]
    assert _versions(crew) == (0, 0)
    steps: list[Callable[[], object]] = [
        lambda: edits.set_nickname(db, account, fan, "Bee"),
        lambda: edits.add_tags(db, account, fan, ["vip", "new"]),
        lambda: edits.remove_tags(db, account, fan, ["new"]),
        lambda: edits.remove_tags(db, account, fan, ["never-had"]),  # an edit all the same
        lambda: edits.add_note(db, account, fan, "likes cats", author="ana"),
    ]
    for done, step in enumerate(steps, start=1):
        step()
        assert _versions(crew) == (0, done)
    note = edits.add_note(db, account, fan, "second", author="ana")
    edits.edit_note(db, account, note.id, "second, edited", by="ana", was="second")
    edits.delete_note(db, account, note.id, by="ana")
    new = edits.create_fan(db, account, username="met_at_expo")
    assert _versions(crew) == (0, 9)
    edits.delete_fan(db, account, new)
    assert _versions(crew) == (0, 10)
    team.assign(db, account, crew.conversations[0], "sam", by="ana", now=NOW)
    assert _versions(crew) == (1, 10)  # each version its own


def test_a_failed_edit_leaves_the_version(crew: Team) -> None:
    db, account = crew.db, crew.account.id
    fan = crew.fans[crew.conversations[0]]
    note = edits.add_note(db, account, fan, "theirs", author="sam")
    before = _versions(crew)
    with pytest.raises(edits.NoteChanged):
        edits.edit_note(db, account, note.id, "mine", by="sam", was="what I read")
    with pytest.raises(edits.FanEditError):
        edits.set_nickname(db, account, 999_999, "Nobody")
    with pytest.raises(edits.FanEditError, match="already has"):
        edits.create_fan(db, account, username=profile.fan_profile(db, account, fan).username)
    with pytest.raises(OfcrmError):
        edits.delete_note(db, account + 1, note.id, by="sam")  # another account's
    assert _versions(crew) == before


def test_the_version_moves_in_the_edit_s_transaction(
    crew: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit failing after the version moved takes the move back with it."""
    db, account = crew.db, crew.account.id
    fan = crew.fans[crew.conversations[0]]
    before = _versions(crew)

    def broken(*_: object) -> object:
        raise RuntimeError("the edit fails late")

    monkeypatch.setattr(edits.NoteView, "of", broken)
    monkeypatch.setattr(edits, "fan_tags", broken)
    with pytest.raises(RuntimeError):
        edits.add_note(db, account, fan, "lost", author="ana")
    with pytest.raises(RuntimeError):
        edits.add_tags(db, account, fan, ["lost"])
    assert _versions(crew) == before
    monkeypatch.undo()
    assert "lost" not in edits.add_tags(db, account, fan, [])
    assert _versions(crew) == (before[0], before[1] + 1)


def test_an_import_moves_the_version_once_when_it_changed_fans(
    crew: Team, tmp_path: Path
) -> None:
    db, account = crew.db, crew.account.id

    def imported(name: str, text: str, **options: bool) -> int:
        (tmp_path / name).write_text(text, encoding="utf-8")
        import_fans(db, account, tmp_path / name, author="ana", **options)
        return _versions(crew)[1]

    rows = "username,nickname,tags\nnew_a,A,vip\nnew_b,B,\nnew_c,C,x\n"
    assert imported("dry.csv", rows, dry_run=True) == 0
    assert imported("bad.csv", rows + "new_d,D,\n,nobody,\n") == 0  # a bad row: nothing kept
    assert imported("fans.csv", rows) == 1  # three fans, one move
    assert imported("same.csv", rows) == 1  # nothing changed: no move
    assert imported("more.csv", "username,nickname\nnew_a,Ay\nnew_e,E\n") == 2
