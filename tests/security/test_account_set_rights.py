"""``ofcrm account set`` on a team database: an account's address and send limit are a
worker's or a manager's to change (the database's ``settings`` right), as its token is;
a chatter is refused in one line before the platform is asked, and the change is audited."""

from __future__ import annotations

import pytest

from ofcrm_tui.cli.main import main
from ofcrm_tui.core import access
from ofcrm_tui.core.access import AuditSpan
from ofcrm_tui.core.accounts import get_account
from ofcrm_tui.store.enums import AuditAction
from tests.security.conftest import Team


def test_a_chatter_may_not_change_an_account_a_worker_may(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    before = get_account(team.owner, "mia")
    chatter = team.url_of(team.chatter("cal", "mia", export=True, campaign=True, delete=True))
    for options in (("--send-limit", "3"), ("--base-url", "http://127.0.0.1:9")):
        code = main(["--db", chatter, "account", "set", "mia", *options])
        out, err = capsys.readouterr()
        assert code == 1 and out == "" and err.count("\n") == 1
        # Refused by the right, not by an unreachable address asked first.
        assert err == (f"ofcrm: error: refused by the database: {team.role('cal')} may not "
                       "change account 'mia' (its address and send limit are a manager's or a "
                       "worker's)\n")
    assert get_account(team.owner, "mia") == before

    worker = team.worker("wil")
    assert main(["--db", team.url_of(worker), "account", "set", "mia", "--send-limit", "3"]) == 0
    line = f"mia: send limit {before.send_limit_per_minute} -> 3/min"
    assert capsys.readouterr().out == line + "\n"
    assert get_account(team.owner, "mia").send_limit_per_minute == 3
    trail = [(r.action, r.account_name, r.detail)
             for r in access.audit_window(team.owner, AuditSpan(), 0, 1000) if r.actor == worker]
    assert trail == [(AuditAction.ACCOUNT_CHANGED, "mia", line)]
