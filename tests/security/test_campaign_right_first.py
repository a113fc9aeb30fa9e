"""The campaign right is asked before anything that needs it is shown: a chatter without
it is told in one line, naming the command a manager runs to grant it, before the
composer opens (``n``), before the plan and its question (``ctrl+l`` in a draft,
``campaign create``), before a draft's delete is asked (``D``, ``campaign delete``). A
chatter with the right composes (and deletes its drafts) as before."""

from __future__ import annotations

import pytest

from ofcrm_tui.cli.main import main
from ofcrm_tui.core import campaigns
from ofcrm_tui.core.access import AccessDenied, Identity, Kind
from ofcrm_tui.core.campaigns import CampaignSpec
from ofcrm_tui.core.campaigns.right import grant_command
from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.screens.campaigns import CampaignsScreen
from ofcrm_tui.tui.widgets.campaign_list import CampaignList
from tests.security.conftest import Team
from tests.tui.pilot import press, settle, show, wait_for


@pytest.fixture(scope="module")
def roles(team: Team) -> dict[str, str]:
    """sam works on mia and zoe and may export, not run campaigns; kim may, on mia."""
    return {"sam": team.chatter("rightsam", "mia", "zoe", export=True),
            "kim": team.chatter("rightkim", "mia", campaign=True)}


def _told(sam: str) -> str:
    return (f"You may not run campaigns on mia: a manager can grant it (ofcrm team "
            f"add-chatter {sam} --account mia --account zoe --can-export --can-campaign)")


def _notes(app: OfcrmApp) -> list[str]:
    return [str(n.message) for n in app._notifications]  # noqa: SLF001


def test_the_grant_keeps_the_chatters_accounts_and_rights() -> None:
    me = Identity("sam", Kind.CHATTER, (1, 2), can_export=False, can_campaign=False,
                  can_delete=True)
    assert grant_command(me, ["mia", "zoe's"]) == (
        "ofcrm team add-chatter sam --account mia --account 'zoe'\"'\"'s' --can-campaign "
        "--can-delete")


def test_may_run_names_the_grant_to_a_chatter_without_the_right(
    team: Team, roles: dict[str, str]
) -> None:
    mia, zoe = team.accounts["mia"], team.accounts["zoe"]
    with pytest.raises(AccessDenied) as refused:
        campaigns.may_run(team.connect(roles["sam"]), mia)
    assert str(refused.value) == _told(roles["sam"])
    kim = team.connect(roles["kim"])
    campaigns.may_run(kim, mia)
    campaigns.may_run(team.owner, mia)
    with pytest.raises(AccessDenied, match=f"{roles['kim']} may not run campaigns on account #"):
        campaigns.may_run(kim, zoe)  # not its account: the database's words


def test_the_command_line_refuses_before_the_plan(
    team: Team, roles: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    sam = roles["sam"]
    create = ["campaign", "create", "--account", "mia", "--name", "weekend", "--text", "hi",
              "--yes"]
    assert main(["--db", team.url_of(sam), *create]) == 1
    out, err = capsys.readouterr()
    assert out == ""  # no plan, no preview
    assert err == f"ofcrm: error: {_told(sam)}\n"
    draft = campaigns.save_draft(team.connect(sam), team.accounts["mia"],
                                 CampaignSpec("mine", "hi"), created_by=sam)
    delete = ["campaign", "delete", str(draft), "--account", "mia", "--yes"]
    assert main(["--db", team.url_of(sam), *delete]) == 1
    assert capsys.readouterr() == ("", f"ofcrm: error: {_told(sam)}\n")
    assert main(["--db", team.url_of(roles["kim"]), *create]) == 0
    assert capsys.readouterr().out.startswith("Campaign 'weekend' on mia: ")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_n_opens_no_composer_for_a_chatter_without_the_right(
    team: Team, roles: dict[str, str]
) -> None:
    app = team.app(roles["sam"], "mia")
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            screen = await show(pilot, "4", CampaignsScreen)
            before = len(_notes(app))
            await press(pilot, "n")
            await wait_for(pilot, lambda: len(_notes(app)) > before)
            assert _notes(app)[before:] == [_told(roles["sam"])]
            assert app.screen is screen
    finally:
        app.context.close()


@pytest.mark.anyio
async def test_n_opens_the_composer_for_a_chatter_with_the_right(
    team: Team, roles: dict[str, str]
) -> None:
    app = team.app(roles["kim"], "mia")
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            await show(pilot, "4", CampaignsScreen)
            await press(pilot, "n")
            await wait_for(pilot, lambda: isinstance(app.screen, CampaignComposer))
    finally:
        app.context.close()


async def _drafts_screen(pilot, team: Team, sam: str) -> CampaignsScreen:  # noqa: ANN001
    """The campaigns screen of sam's app, its newest campaign (a draft of sam's) under the
    cursor."""
    draft = campaigns.save_draft(team.connect(sam), team.accounts["mia"],
                                 CampaignSpec("sams", "hi {name|you}"), created_by=sam)
    await settle(pilot)
    screen = await show(pilot, "4", CampaignsScreen)
    listing = screen.query_one(CampaignList)
    await wait_for(pilot, lambda: listing.cursor_row is not None)
    assert listing.cursor_row.id == draft  # the newest
    return screen


@pytest.mark.anyio
async def test_a_drafts_delete_is_refused_before_the_question(
    team: Team, roles: dict[str, str]
) -> None:
    """Deleting a draft takes the campaign right: said first, naming its grant."""
    app = team.app(roles["sam"], "mia")
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            screen = await _drafts_screen(pilot, team, roles["sam"])
            before = len(_notes(app))
            await press(pilot, "D")
            await wait_for(pilot, lambda: len(_notes(app)) > before)
            assert _notes(app)[before:] == [_told(roles["sam"])]
            assert app.screen is screen
    finally:
        app.context.close()


@pytest.mark.anyio
async def test_a_drafts_start_is_refused_before_the_plan(
    team: Team, roles: dict[str, str]
) -> None:
    app = team.app(roles["sam"], "mia")
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await _drafts_screen(pilot, team, roles["sam"])
            await press(pilot, "e")
            await wait_for(pilot, lambda: isinstance(app.screen, CampaignComposer))
            composer = app.screen
            before = len(_notes(app))
            await press(pilot, "ctrl+l")
            await wait_for(pilot, lambda: len(_notes(app)) > before)
            assert _notes(app)[before:] == [_told(roles["sam"])]
            assert app.screen is composer and not isinstance(app.screen, ChoiceDialog)
    finally:
        app.context.close()
