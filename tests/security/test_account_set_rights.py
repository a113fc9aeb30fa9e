"""``ofcrm account set`` and ``ofcrm account token`` on a team database: an account's
address, send limit and token are a worker's or a manager's to change (the database's
``settings`` right); a chatter is refused in one line before the platform is asked (and
before a token is read or stored), and a change (address, limit, token) is audited."""

from __future__ import annotations

import io
import re
import sys

import pytest
from sqlalchemy import update

from ofcrm_tui.cli.main import main
from ofcrm_tui.core import access
from ofcrm_tui.core.access import AuditSpan
from ofcrm_tui.core.accounts import get_account, replace_token
from ofcrm_tui.secrets import SERVICE
from ofcrm_tui.store.enums import AuditAction
from ofcrm_tui.store.models import Account
from tests.security.conftest import Team
from tests.support.memory_keyring import MemoryKeyring


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


def _token(url: str, token: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str, str]:
    """``ofcrm account token zoe`` as ``url``'s role, the token piped on stdin: the exit
    code, stdout, stderr and what was left unread on stdin."""
    sys.stdin = stdin = io.StringIO(token + "\n")
    try:
        code = main(["--db", url, "account", "token", "zoe"])
    finally:
        sys.stdin = sys.__stdin__
    return (code, *capsys.readouterr(), stdin.read())


def test_a_chatter_may_not_replace_a_token_a_worker_may(
    team: Team, simulator, memory_keyring: MemoryKeyring,  # noqa: ANN001
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The chatter's key was stored in its keyring, then the database refused it the
    account's row (the auth error cleared)."""
    sim, base_url = simulator
    zoe = team.accounts["zoe"]

    def set_zoe(**values: object) -> None:
        with team.owner.write() as session:
            session.execute(update(Account).where(Account.id == zoe).values(**values))

    set_zoe(base_url=base_url, creator_platform_id=sim.creator.id)
    chatter = team.chatter("tia", "zoe", export=True, campaign=True, delete=True)
    why = (f"refused by the database: {team.role('tia')} may not change the token of "
           "account 'zoe' (it is a manager's or a worker's)")
    # The platform refused the old token (sends stopped), or nothing is wrong with it;
    # then the platform does not answer: refused by the right, not by the address.
    for auth_error, url in [("GET /chats: HTTP 401: revoked", base_url), (None, base_url),
                            (None, "http://127.0.0.1:9")]:
        set_zoe(auth_error=auth_error, base_url=url)
        before = get_account(team.owner, "zoe")
        answer = _token(team.url_of(chatter), sim.config.token, capsys)
        assert memory_keyring.store == {}
        # Refused before the token was asked for (a terminal's prompt): left unread.
        assert answer == (1, "", f"ofcrm: error: {why}\n", sim.config.token + "\n")
        with pytest.raises(access.AccessDenied, match=re.escape(why)):
            replace_token(team.connect(chatter), "zoe", sim.config.token, timeout_seconds=5)
        assert memory_keyring.store == {}
        assert get_account(team.owner, "zoe") == before

    set_zoe(auth_error="GET /chats: HTTP 401: revoked", base_url=base_url)
    worker = team.worker("wes")
    answer = _token(team.url_of(worker), sim.config.token, capsys)
    assert answer == (0, "zoe: new token checked, in keyring; sends resume\n", "", "")
    assert memory_keyring.store == {(SERVICE, "zoe"): sim.config.token}
    assert get_account(team.owner, "zoe").auth_error is None
    # Audited as ``account set`` is (it was not), the token itself nowhere in the trail;
    # the chatter's refusals left no line.
    assert _token(team.url_of(worker), sim.config.token, capsys)[0] == 0  # nothing refused
    trail = [(r.actor, r.action, r.account_name, r.detail)
             for r in access.audit_window(team.owner, AuditSpan(), 0, 1000)
             if r.action == AuditAction.ACCOUNT_CHANGED and r.account_name == "zoe"]
    replaced = "zoe: token replaced, checked with the platform"
    assert sorted(trail) == [
        (worker, AuditAction.ACCOUNT_CHANGED, "zoe", replaced),
        (worker, AuditAction.ACCOUNT_CHANGED, "zoe",
         replaced + "; the old one was refused: sends resume")]
    assert not any(sim.config.token in row.detail
                   for row in access.audit_window(team.owner, AuditSpan(), 0, 1000))
