"""Another chatter edits a fan: this app's screens follow at its next beat (the fan's
detail, the fans list, the inbox rows), keeping the cursor and what is typed; its own
edits are not read twice."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from ofcrm_tui.core.fans import edits
from ofcrm_tui.tui.dialogs.fan_note import NoteDialog
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from ofcrm_tui.tui.screens.inbox import InboxScreen
from ofcrm_tui.tui.widgets.fan_list import FanList
from tests.team.conftest import Team
from tests.team.test_apps import SIZE, beats, row_lines
from tests.tui.pilot import conversations, lines, press, type_text, wait_for

pytestmark = pytest.mark.anyio


def notes_shown(detail: FanDetailScreen) -> str:
    return "\n".join(lines(detail.query_one("#fan-notes")))


async def open_detail(pilot: Pilot[object]) -> FanDetailScreen:
    await press(pilot, "enter", "i")  # the top conversation, then its fan
    detail = pilot.app.screen
    assert isinstance(detail, FanDetailScreen)
    await wait_for(pilot, lambda: detail.detail is not None)
    return detail


def record_fans_changes(pilot: Pilot[object]) -> list[DataChanged]:
    """The app's published changes of fans, from now on."""
    found: list[DataChanged] = []
    pilot.app.changes.subscribe(  # type: ignore[attr-defined]
        pilot.app, lambda change: change.touches("fans") and found.append(change),
        immediate=True)
    return found


async def test_the_open_fan_follows_another_chatter_s_note_keeping_the_typed_tag(
    crew: Team,
) -> None:
    db, account = crew.db, crew.account.id
    fan = crew.fans[crew.conversations[0]]
    ana = crew.app("ana")
    async with ana.run_test(size=SIZE) as a:
        detail = await open_detail(a)
        await beats(a)  # the first beat: the version as it is, nothing read again
        changes = record_fans_changes(a)
        await press(a, "t")
        await type_text(a, "vi")
        line = detail.query_one("#fan-edit", Input)
        line.cursor_position = 1  # between the letters
        edits.add_note(db, account, fan, "sam: prefers mornings", author="sam")  # sam's app
        await beats(a)
        await wait_for(a, lambda: "prefers mornings" in notes_shown(detail))
        assert a.app.screen is detail and line.has_focus
        assert (line.value, line.cursor_position) == ("vi", 1)
        assert len(changes) == 1
        await beats(a)  # nothing moved since: nothing read again
        assert len(changes) == 1


async def test_this_app_s_own_edit_is_not_read_again_at_the_beat(crew: Team) -> None:
    ana = crew.app("ana")
    async with ana.run_test(size=SIZE) as a:
        detail = await open_detail(a)
        await beats(a)
        changes = record_fans_changes(a)
        await press(a, "a")
        await type_text(a, "my own note")
        await press(a, "ctrl+s")
        await wait_for(a, lambda: "my own note" in notes_shown(detail))
        assert len(changes) == 1  # the save's own
        await beats(a)
        assert len(changes) == 1


async def test_lists_follow_and_a_fan_deleted_elsewhere_closes_its_detail(crew: Team) -> None:
    db, account = crew.db, crew.account.id
    first, second = crew.conversations[:2]
    ana = crew.app("ana")
    async with ana.run_test(size=SIZE) as a:
        await press(a, "j")  # the cursor on the second conversation
        await beats(a)
        edits.set_nickname(db, account, crew.fans[first], "Renamed By Sam")
        await beats(a)
        await wait_for(a, lambda: "Renamed By Sam" in row_lines(a, 0))
        assert conversations(a).cursor_row.conversation_id == second
        await a.app.switch_mode("fans")
        fans = a.app.screen.query_one(FanList)
        await wait_for(a, lambda: fans.count > 0)
        await press(a, "j", "j")
        kept = fans.cursor_row.fan_id
        edits.add_tags(db, account, kept, ["sam-tagged"])
        await beats(a)
        await wait_for(a, lambda: "sam-tagged" in "\n".join(lines(fans)))
        assert fans.cursor_row.fan_id == kept
        await a.app.switch_mode("inbox")
        await press(a, "k")
        detail = await open_detail(a)
        await press(a, "a")  # a note begun: the detail goes once its dialog is closed
        edits.delete_fan(db, account, detail.fan_id)
        await beats(a)
        said = "This fan was deleted meanwhile"
        await wait_for(a, lambda: said in [n.message for n in a.app._notifications])
        assert isinstance(a.app.screen, NoteDialog)
        await press(a, "escape")
        await wait_for(a, lambda: isinstance(a.app.screen, InboxScreen))
