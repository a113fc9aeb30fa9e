"""An export's notes imported on a team database: a manager's import keeps each note's
author and time; a chatter writes notes in its own name only (the team's policy), so
its import keeps their times and takes them as its own, where it was refused whole."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from ofcrm_tui.core.fans import csv_format
from ofcrm_tui.core.fans.csv_import import import_fans
from ofcrm_tui.store.models import Fan, Note
from tests.security.conftest import NOW, Team

NOTES = [("ann", NOW, "met at con"), ("bob", NOW, "likes cats")]


def _notes(team: Team, username: str) -> list[tuple[str, str]]:
    with team.owner.read() as session:
        rows = session.execute(select(Note.author, Note.body, Note.created_at)
                               .join(Fan, Fan.id == Note.fan_id)
                               .where(Fan.username == username).order_by(Note.id)).all()
    assert all(at == NOW for _, _, at in rows)
    return [(author, body) for author, body, _ in rows]


def test_a_managers_import_keeps_the_authors_a_chatters_takes_them(team: Team, tmp_path: Path) -> None:
    mia = team.accounts["mia"]
    path = tmp_path / "fans.csv"
    path.write_text(f'username,notes\nnew_one,"{csv_format.notes_cell(NOTES)}"\n', encoding="utf-8")
    assert import_fans(team.owner, mia, path, author="owner").written
    assert _notes(team, "new_one") == [("ann", "met at con"), ("bob", "likes cats")]
    role = team.chatter("ana", "mia")
    path.write_text(f'username,notes\nnew_two,"{csv_format.notes_cell(NOTES)}"\n', encoding="utf-8")
    assert import_fans(team.connect(role), mia, path, author=role).written
    assert _notes(team, "new_two") == [(role, "met at con"), (role, "likes cats")]
