"""A chatter's app edits only the chatter's own notes: picking another's with ``e`` is
refused in one line before the editor opens; its own opens as before. A manager's app
edits any, and the note and the audit trail say so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ofcrm_tui.core import access
from ofcrm_tui.core.access import AuditSpan
from ofcrm_tui.store.enums import AuditAction
from ofcrm_tui.store.models import Conversation, Fan, Note
from ofcrm_tui.tui.dialogs.fan_note import NoteDialog
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from tests.security.conftest import NOW, Team
from tests.tui.pilot import press, settle, wait_for

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_the_app_refuses_another_chatter_s_note_before_the_editor(team: Team) -> None:
    sam, kim = team.chatter("notesam", "zoe"), team.chatter("notekim", "zoe")
    with team.owner.write() as session:  # on every fan with a chat: the inbox's top one too
        fans = session.scalars(select(Fan.id).join(Conversation, Conversation.fan_id == Fan.id)
                               .where(Fan.account_id == team.accounts["zoe"])).all()
        for fan in fans:
            session.add_all([
                Note(account_id=team.accounts["zoe"], fan_id=fan, author=sam, body="sam note 3",
                     created_at=NOW - timedelta(hours=1), updated_at=NOW - timedelta(hours=1)),
                Note(account_id=team.accounts["zoe"], fan_id=fan, author=kim, body="kim's own",
                     created_at=NOW, updated_at=NOW),
            ])
    app = team.app(kim, "zoe")
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await press(pilot, "enter", "i")
            detail = app.screen
            assert isinstance(detail, FanDetailScreen)
            await wait_for(pilot, lambda: len(detail.notes) == 2)
            await press(pilot, "e", "enter")  # the newest: kim's own
            assert isinstance(app.screen, NoteDialog)
            await press(pilot, "escape")
            assert app.screen is detail
            before = len(app._notifications)  # noqa: SLF001
            await press(pilot, "e", "down", "enter")  # sam's
            assert app.screen is detail  # no editor
            notes = [str(n.message) for n in list(app._notifications)[before:]]  # noqa: SLF001
            assert notes == [f"{sam}'s note: only {sam} can edit it; `a` adds one of yours"]
    finally:
        app.context.close()
    with team.owner.read() as session:
        assert set(session.scalars(select(Note.body).where(Note.author == sam))) == {"sam note 3"}


async def test_a_manager_s_edit_of_a_chatter_s_note_shows_and_is_recorded(team: Team) -> None:
    """The walk: the manager opens a fan, ``e`` on sam's note, types, ctrl+s: saved, and
    the note reads who edited it (under sam's name), as the trail does."""
    sam, mia = team.chatter("mgrsam", "mia"), team.accounts["mia"]
    manager = access.identity(team.owner).role
    with team.owner.write() as session:  # on every fan with a chat: the inbox's top one too
        fans = session.scalars(select(Fan.id).join(Conversation, Conversation.fan_id == Fan.id)
                               .where(Fan.account_id == mia)).all()
        session.add_all([Note(account_id=mia, fan_id=fan, author=sam, body="sam's words",
                              created_at=NOW, updated_at=NOW) for fan in fans])
    app = team.app(manager, "mia")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "enter", "i")
            detail = app.screen
            assert isinstance(detail, FanDetailScreen)
            await wait_for(pilot, lambda: len(detail.notes) == 1)
            await press(pilot, "e")
            assert isinstance(app.screen, NoteDialog)
            await press(pilot, "end", "!", "ctrl+s")
            await wait_for(pilot, lambda: detail.notes[0].edited_by == manager)
            assert detail.notes[0].author == sam
            await settle(pilot)
            assert f"edited by {manager} " in str(detail.query_one("#fan-notes").render())
    finally:
        app.context.close()
    [event] = [r for r in access.audit_window(team.owner, AuditSpan(account_id=mia), 0, 50)
               if r.action == AuditAction.NOTE_EDITED]
    assert (event.actor, event.detail.startswith(f"{sam}'s note #")) == (manager, True)
