"""Fan text is shown literally: markup does not style, escape sequences do not escape."""

from __future__ import annotations

import asyncio

import pytest
from rich.text import Text

from ofcrm_tui.jobs.events import PollCompleted
from ofcrm_tui.tui.sanitize import clean, literal
from tests.tui.conftest import HOSTILE, World
from tests.tui.pilot import conversations, lines, press, settle, thread, wait_for

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred\x1b[0m", "␛[31mred␛[0m"),
        ("\x1b]8;;http://evil\x07link", "␛]8;;http://evil␇link"),
        ("bell\x07 del\x7f c1\x9b", "bell␇ del␡ c1\ufffd"),
        ("\u202etxt.exe", "\ufffdtxt.exe"),
        ("[bold]hi[/bold] :smile:", "[bold]hi[/bold] :smile:"),
        ("שלום 👋 привет", "שלום 👋 привет"),
    ],
)
def test_clean_makes_controls_visible_and_keeps_the_rest(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_single_line_folds_whitespace_and_multi_line_keeps_newlines() -> None:
    assert clean("a\r\nb\n\tc", single_line=True) == "a b c"
    assert clean("a\r\nb\tc") == "a\nb    c"
    assert clean("a\rb") == "a␍b"


def test_literal_never_parses_markup() -> None:
    text = literal("[red]x[/red]")
    assert isinstance(text, Text) and text.plain == "[red]x[/red]" and not text.spans


async def test_hostile_fan_text_is_literal_in_list_thread_and_toasts(world: World) -> None:
    world.context.settings = world.context.settings.model_copy(update={"notify_inbound": "all"})
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        fan = conversations(pilot).row_at(3)
        world.sim.add_inbound_message(fan.platform_user_id, HOSTILE)
        report = await asyncio.to_thread(world.poll)
        app.job_event(PollCompleted(world.account.id, report))
        await settle(pilot)

        shown = clean(HOSTILE, single_line=True)
        preview = lines(conversations(pilot))[1]
        assert preview.strip().startswith(shown[:30])
        assert "\x1b" not in preview and "␛[31m" in preview
        # The toast: the same neutralised text, cut to one short line.
        await wait_for(pilot, lambda: bool(app._notifications))
        assert any(shown.startswith(n.message.removesuffix("…")) and "␛[31m" in n.message
                   for n in app._notifications)

        await press(pilot, "g", "enter")
        body = "\n".join(lines(thread(pilot)))
        pieces = ("[bold red]look[/bold red]", "␛[31mred␛[0m", "␇bell", "[link=http://x]x[/link]")
        for piece in pieces:
            assert piece in body
        assert "\x1b" not in body and "\x07" not in body


UNBALANCED = "[/bold]oops [link=x]"


@pytest.mark.parametrize("which", ["choice", "period", "owned", "collision"])
async def test_dialog_titles_show_fan_and_chatter_names_literally(
    world: World, which: str
) -> None:
    """A title holding a name is text, not markup: unbalanced tags used to crash the
    app (MarkupError) when ``@`` asked whom to assign such a fan to."""
    from datetime import UTC, datetime

    from textual.containers import Vertical
    from textual.content import Content

    from ofcrm_tui.core.analytics.period import last_days
    from ofcrm_tui.core.team import Collision
    from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
    from ofcrm_tui.tui.dialogs.collision import CollisionDialog
    from ofcrm_tui.tui.dialogs.owned import OwnedDialog
    from ofcrm_tui.tui.dialogs.period import PeriodDialog

    now = datetime(2026, 11, 20, tzinfo=UTC)
    dialogs = {
        "choice": lambda: ChoiceDialog(f"Assign {UNBALANCED} to", list),
        "period": lambda: PeriodDialog(last_days(7, tz=UTC, now=now), UTC, now=now,
                                       title=UNBALANCED),
        "owned": lambda: OwnedDialog(UNBALANCED, UNBALANCED),
        "collision": lambda: CollisionDialog(Collision([], [UNBALANCED], now), UNBALANCED, now),
    }
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.push_screen(dialogs[which]())
        await settle(pilot)
        assert app.is_running
        # The title's markup, read back, is the name escaped: shown as typed.
        title = app.screen.query(".dialog").first(Vertical).border_title or ""
        assert Content.from_markup(title).plain.count(UNBALANCED) == 1
