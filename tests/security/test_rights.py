"""Export and campaigns are rights the database checks: a chatter without them is
refused in one line, through the app's paths and through plain SQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from ofcrm_tui.cli.main import main
from ofcrm_tui.core import access, campaigns
from ofcrm_tui.core.access import AccessDenied
from ofcrm_tui.core.analytics import period
from ofcrm_tui.core.analytics.export import write_csv
from ofcrm_tui.core.analytics.figures import dashboard
from ofcrm_tui.core.campaigns import CampaignSpec
from ofcrm_tui.core.fans.csv_export import export_fans
from ofcrm_tui.store.models import Campaign
from tests.security.conftest import NOW, Team


@pytest.fixture(scope="module")
def roles(team: Team) -> dict[str, str]:
    """On mia: ben may export and launch campaigns, eve may do neither."""
    return {"ben": team.chatter("ben", "mia", export=True, campaign=True),
            "eve": team.chatter("eve", "mia")}


def test_exports_need_the_export_right(team: Team, roles: dict[str, str],
                                       tmp_path: Path) -> None:
    mia = team.accounts["mia"]
    ben, eve = team.connect(roles["ben"]), team.connect(roles["eve"])
    assert export_fans(ben, mia, tmp_path / "ben.csv") == 30
    with pytest.raises(AccessDenied) as refused:
        export_fans(eve, mia, tmp_path / "eve.csv")
    assert str(refused.value) == (
        f"refused by the database: {roles['eve']} may not export from account 'mia'")
    assert not (tmp_path / "eve.csv").exists()
    shown = dashboard(eve, mia, period.last_days(30, now=NOW))  # on screen: yes
    with pytest.raises(AccessDenied, match="may not export"):
        write_csv(eve, shown, tmp_path / "analytics.csv")  # to a file: no
    assert write_csv(ben, shown, tmp_path / "analytics.csv") > 0
    # Nor another account's, with the right on this one.
    with pytest.raises(AccessDenied, match="may not export from account #"):
        export_fans(ben, team.accounts["zoe"], tmp_path / "zoe.csv")


def test_the_command_line_says_a_refusal_in_one_line(
    team: Team, roles: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--db", team.url_of(roles["eve"]), "export", "fans", str(tmp_path / "x.csv"),
                 "--account", "mia"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("ofcrm: error: refused by the database: ")
    code = main(["--db", team.url_of(roles["eve"]), "account", "remove", "mia", "--yes"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert f"only a manager (the owner of the tables, or a superuser) may do this; this is role {roles['eve']!r} (chatter)" in err


def test_campaigns_need_the_campaign_right(team: Team, roles: dict[str, str]) -> None:
    mia = team.accounts["mia"]
    ben, eve = team.connect(roles["ben"]), team.connect(roles["eve"])
    spec = CampaignSpec(name="weekend", text="hi {name}")
    # A draft is anyone's to write; starting, scheduling, cancelling or deleting it is a
    # right.
    draft = campaigns.save_draft(eve, mia, spec, created_by=roles["eve"])
    for attempt in (
        lambda: campaigns.create(eve, mia, spec, created_by=roles["eve"], now=NOW),
        lambda: campaigns.create(eve, mia, CampaignSpec("later", "hi", at=NOW + timedelta(days=1)),
                                 created_by=roles["eve"], now=NOW),
        lambda: campaigns.launch(eve, mia, draft, now=NOW),
        lambda: campaigns.cancel(eve, mia, draft, now=NOW),
        lambda: campaigns.delete(eve, mia, draft),
    ):
        with pytest.raises(AccessDenied, match="may not run campaigns on account 'mia'"):
            attempt()
    with eve.read() as session:
        assert session.scalar(select(Campaign.status).where(Campaign.id == draft)) == "draft"
    # Plain SQL cannot do it either: no campaign leaves draft, no recipient is queued.
    for statement in (
        "UPDATE campaigns SET status = 'running' WHERE id = :c",
        "INSERT INTO outbound_messages (account_id, fan_id, campaign_id, kind, priority, text,"
        " price_cents, media_ids, preview_ids, state, attempts, tries, max_attempts,"
        " next_attempt_at, created_by, created_at, updated_at) SELECT account_id, id, :c,"
        " 'campaign', 2, 'hi', 0, '[]', '[]', 'queued', 0, 0, 5, now(), 'eve', now(), now()"
        " FROM fans",
    ):
        with pytest.raises(DBAPIError) as caught, eve.write() as session:
            session.execute(text(statement), {"c": draft})
        assert "row-level security" in str(access.refusal(caught.value))
    assert campaigns.launch(ben, mia, draft, now=NOW) > 0


def test_a_chatter_with_the_campaign_right_deletes_a_draft_and_nothing_else(
    team: Team, roles: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The database deletes what the app's ``D`` does (a draft, or a campaign cancelled
    before it started) for a chatter with the campaign right on its account: through
    the app and the command line; a campaign that started, or another account's, stays,
    through plain SQL too (the chatters could delete none: the app offered ``D``)."""
    mia, zoe = team.accounts["mia"], team.accounts["zoe"]
    ben = team.connect(roles["ben"])
    draft = campaigns.save_draft(ben, mia, CampaignSpec(name="gone", text="hi"),
                                 created_by=roles["ben"])
    assert campaigns.deletable(ben, mia, draft) == "gone"
    assert campaigns.delete(ben, mia, draft) == "gone"
    cancelled = campaigns.save_draft(ben, mia, CampaignSpec(name="off", text="hi"),
                                     created_by=roles["ben"])
    campaigns.cancel(ben, mia, cancelled, now=NOW)
    code = main(["--db", team.url_of(roles["ben"]), "campaign", "delete", str(cancelled),
                 "--account", "mia", "--yes"])
    assert (code, capsys.readouterr().err) == (0, "")
    started = campaigns.create(ben, mia, CampaignSpec("on", "hi {name}"),
                               created_by=roles["ben"], now=NOW).campaign_id
    with pytest.raises(campaigns.CampaignError, match="is running: only a draft"):
        campaigns.delete(ben, mia, started)
    with team.owner.read() as session:
        theirs = session.scalar(select(Campaign.id).where(Campaign.account_id == zoe))
    with pytest.raises(AccessDenied, match="may not run campaigns on account #"):
        campaigns.delete(ben, zoe, theirs)
    with team.owner.write() as session:  # a draft no more, with its messages
        session.execute(text("UPDATE campaigns SET status = 'draft' WHERE id = :c"),
                        {"c": started})
    for kept in (started, theirs):
        with ben.write() as session:
            assert session.execute(text("DELETE FROM campaigns WHERE id = :c"),
                                   {"c": kept}).rowcount == 0
    with team.owner.read() as session:
        ids = set(session.scalars(select(Campaign.id)))
    assert {started, theirs} <= ids and not {draft, cancelled} & ids
