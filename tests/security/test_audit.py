"""The audit trail records every sensitive action: who (the role), when, which account,
how many rows; and no team role can read it or take a line out."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text

from ofcrm_tui.cli.main import main
from ofcrm_tui.core import access, campaigns
from ofcrm_tui.core.access import AuditSpan
from ofcrm_tui.core.accounts import remove_account
from ofcrm_tui.core.analytics import period
from ofcrm_tui.core.analytics.export import write_csv
from ofcrm_tui.core.analytics.figures import dashboard
from ofcrm_tui.core.campaigns import CampaignSpec
from ofcrm_tui.core.fans import edits
from ofcrm_tui.core.fans.csv_export import export_fans
from ofcrm_tui.core.fans.csv_import import import_fans
from ofcrm_tui.devdata.generate import generate
from ofcrm_tui.store.enums import AuditAction, TeamKind
from ofcrm_tui.store.models import Fan
from tests.security.conftest import NOW, Team


def _trail(team: Team, actor: str) -> list[tuple[str, str | None, int | None]]:
    """(action, account, rows) of ``actor``'s events, oldest first."""
    rows = access.audit_window(team.owner, AuditSpan(), 0, 1000)
    return [(r.action, r.account_name, r.rows) for r in reversed(rows) if r.actor == actor]


def test_every_sensitive_action_is_recorded(team: Team, tmp_path: Path) -> None:
    role = team.chatter("ana", "mia", export=True, campaign=True, delete=True)
    ana, mia = team.connect(role), team.accounts["mia"]
    export_fans(ana, mia, tmp_path / "fans.csv")
    write_csv(ana, dashboard(ana, mia, period.last_days(30, now=NOW)), tmp_path / "a.csv")
    (tmp_path / "new.csv").write_text("username,name,nickname\nnew_one,New One,\n"
                                      "new_two,New Two,Two\n")
    assert import_fans(ana, mia, tmp_path / "new.csv", author=role).written
    with ana.read() as session:
        new = session.scalars(select(Fan.id).where(Fan.username.like("new_%"))).all()
    edits.delete_fan(ana, mia, new[0])
    with ana.write() as session:  # behind the app's back: the trigger records it anyway
        session.execute(text("DELETE FROM fans WHERE id = :f"), {"f": new[1]})
    launched = campaigns.create(ana, mia, CampaignSpec("now", "hi"), created_by=role, now=NOW)
    scheduled = campaigns.create(ana, mia, CampaignSpec("later", "hi", at=NOW + timedelta(days=1)),
                                 created_by=role, now=NOW)
    assert _trail(team, role) == [
        (AuditAction.FANS_EXPORTED, "mia", 30),
        (AuditAction.ANALYTICS_EXPORTED, "mia", 30),  # a row a day
        (AuditAction.FANS_IMPORTED, "mia", 2),
        (AuditAction.FANS_DELETED, "mia", 1),
        (AuditAction.FANS_DELETED, "mia", 1),
        (AuditAction.CAMPAIGN_LAUNCHED, "mia", launched.recipients),
        (AuditAction.CAMPAIGN_SCHEDULED, "mia", scheduled.recipients),
    ]
    assert launched.recipients > 0
    deleted = [r.detail for r in access.audit_window(team.owner, AuditSpan(), 0, 1000)
               if r.actor == role and r.action == AuditAction.FANS_DELETED]
    assert deleted == ["Two (@new_two)", "New One (@new_one)"]  # newest first: who went

    # The managers' own: the team's changes, an account removed with its fans.
    owner = access.identity(team.owner).role
    before = len(_trail(team, owner))
    access.add_chatter(team.owner, role, ["mia", "zoe"], groups=team.groups)
    access.remove_member(team.owner, role, TeamKind.CHATTER, team.groups)
    generate(team.owner, account="gone", fans=3, messages=6, now=NOW)
    remove_account(team.owner, "gone")
    assert _trail(team, owner)[before:] == [
        (AuditAction.MEMBER_CHANGED, None, None),
        (AuditAction.MEMBER_REMOVED, None, None),
        (AuditAction.ACCOUNT_REMOVED, None, None),  # named in its detail
        (AuditAction.FANS_DELETED, None, 3),
    ]
    details = [r.detail for r in access.audit_window(team.owner, AuditSpan(), 0, 4)]
    assert details[-1] == f"chatter {role}: mia, zoe; no export, no campaigns, no deleting fans"


def test_the_trail_on_the_command_line(team: Team, capsys) -> None:  # noqa: ANN001
    role = team.chatter("ola", "zoe")
    url = team.url_of(role)
    assert main(["--db", team.url, "team", "audit", "--since", "1h", "--account", "zoe"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("no audit events")
    assert main(["--db", team.url, "team", "audit", "--limit", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "member added" in lines[0] and role in lines[0] and "older events" in lines[1]
    assert main(["--db", team.url, "team", "audit", "--limit", "0"]) == 2  # one line, as the others
    assert capsys.readouterr().err == "ofcrm: error: --limit must be at least 1, not 0\n"
    assert main(["--db", url, "team", "audit"]) == 1  # not a chatter's to read
    assert "only a manager" in capsys.readouterr().err


def test_a_note_changed_or_deleted_by_another_than_its_author_is_recorded(team: Team) -> None:
    """A manager's edit and delete of a chatter's note: in the trail, naming whose note on
    which fan (never its words); the note says who edited it, and its author, who may not
    write that mark, still edits it. The author's own changes are not recorded."""
    role = team.chatter("nia", "mia")
    nia, mia = team.connect(role), team.accounts["mia"]
    owner = access.identity(team.owner).role
    with team.owner.read() as session:
        fan, username = session.execute(select(Fan.id, Fan.username).where(
            Fan.account_id == mia).order_by(Fan.id).limit(1)).one()
    note = edits.add_note(nia, mia, fan, "calls on sundays", author=role)
    edits.edit_note(nia, mia, note.id, "calls on sundays only", by=role)
    before = len(_trail(team, owner))
    edited = edits.edit_note(team.owner, mia, note.id, "calls on sundays only, ok", by=owner)
    assert (edited.author, edited.edited_by) == (role, owner)
    again = edits.edit_note(nia, mia, note.id, "calls on sundays, ok", by=role)
    assert (again.body, again.edited_by) == ("calls on sundays, ok", owner)
    edits.delete_note(team.owner, mia, note.id, by=owner)
    assert _trail(team, role) == []
    assert _trail(team, owner)[before:] == [
        (AuditAction.NOTE_EDITED, "mia", 1),
        (AuditAction.NOTE_DELETED, "mia", 1),
    ]
    details = [r.detail for r in access.audit_window(team.owner, AuditSpan(), 0, 2)]
    assert details == [f"{role}'s note #{note.id} on @{username}"] * 2
