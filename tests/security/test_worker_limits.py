"""A worker's role does through SQL only a worker's work (``security.WORKER_PRIVILEGES``):
it syncs, sends and keeps its own bookkeeping, and may not delete an account, a fan, a
note, a campaign or the history, nor write what only the chatters' apps write. Its own
work (a sync, a fan back from a deletion, a drain through its outcomes, a due campaign
started, read marks carried, an outage, refused credentials) still goes through. And
``ofcrm team init`` run again takes back what an earlier one granted and this one
does not."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from ofcrm_tui.core import access, accounts, campaigns, inbox, metrics, outage, outbox
from ofcrm_tui.core.fans import edits
from ofcrm_tui.core.inbox.read_marks import queue_read_mark
from ofcrm_tui.core.outbox.reconcile import expire_leases
from ofcrm_tui.core.outbox.sender import Sender, SenderConfig
from ofcrm_tui.core.sync import InboundSync
from ofcrm_tui.simulator import Simulator, SimulatorConfig
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import (
    Campaign,
    DeletedFan,
    Fan,
    OutboundMessage,
    SyncCursor,
)
from ofcrm_tui.store.types import utcnow
from tests.outbox.scripted import ScriptedClient
from tests.security.conftest import NOW, Team
from tests.support.accounts import add_simulated_account

TOKEN = "sim-token-worker"


def _denied(table: str) -> str:
    return f"permission denied for table {table}"


# Each run in a transaction rolled back (without the limits, the first would delete
# every account of the module's team).
REFUSED: list[tuple[str, str]] = [
    ("DELETE FROM accounts", _denied("accounts")),
    ("UPDATE accounts SET name = name || 'x'", _denied("accounts")),
    ("UPDATE accounts SET creator_platform_id = 1", _denied("accounts")),
    ("DELETE FROM fans", _denied("fans")),
    ("UPDATE fans SET ppv_purchases = 0", _denied("fans")),
    ("DELETE FROM campaigns", _denied("campaigns")),
    ("UPDATE campaigns SET text = 'evil'", _denied("campaigns")),
    ("UPDATE campaigns SET created_by = 'someone'", _denied("campaigns")),
    ("DELETE FROM notes", _denied("notes")),
    ("UPDATE notes SET body = 'forged'", _denied("notes")),
    (("INSERT INTO notes (account_id, fan_id, author, body, created_at, updated_at)"
      " SELECT account_id, id, 'w', 'as w', now(), now() FROM fans LIMIT 1"), _denied("notes")),
    ("DELETE FROM messages", _denied("messages")),
    ("UPDATE messages SET text = 'other'", _denied("messages")),
    ("DELETE FROM transactions", _denied("transactions")),
    ("UPDATE transactions SET amount_cents = 0", _denied("transactions")),
    ("DELETE FROM conversations", _denied("conversations")),
    ("DELETE FROM outbound_messages", _denied("outbound_messages")),
    ("UPDATE outbound_messages SET text = 'FREE STUFF'", _denied("outbound_messages")),
    ("UPDATE outbound_messages SET created_by = 'someone'", _denied("outbound_messages")),
    ("DELETE FROM media", _denied("media")),
    ("DELETE FROM sync_cursors", _denied("sync_cursors")),
    ("DELETE FROM tags", _denied("tags")),
    ("DELETE FROM fan_tags", _denied("fan_tags")),
    ("DELETE FROM drafts", _denied("drafts")),
    ("DELETE FROM saved_replies", _denied("saved_replies")),
    ("DELETE FROM team_presence", _denied("team_presence")),
    ("DELETE FROM conversation_assignments", _denied("conversation_assignments")),
    ("UPDATE team_versions SET fans = 0", _denied("team_versions")),
    ("DELETE FROM analytics_fan_spend", _denied("analytics_fan_spend")),
    ("DELETE FROM audit_events", _denied("audit_events")),
]


@pytest.fixture(scope="module")
def worker(team: Team) -> Database:
    return team.connect(team.worker("wlim"))


@pytest.mark.parametrize(("statement", "refusal"), REFUSED)
def test_a_worker_cannot_do_through_sql_what_its_work_does_not(
    worker: Database, statement: str, refusal: str
) -> None:
    with pytest.raises(DBAPIError) as caught, worker.engine.connect() as connection:
        connection.execute(text(statement))  # closed unfinished: rolled back
    denied = access.refusal(caught.value)
    assert denied is not None and refusal in str(denied), caught.value


def test_a_worker_is_told_the_rights_its_privileges_hold(team: Team, worker: Database) -> None:
    """``ofcrm_whoami`` and ``ofcrm_granted_accounts``: every account to serve, export
    and campaigns (it starts the due ones), and no fan deleted: a worker's privileges
    delete none (they said it could)."""
    me = access.identity(worker)
    every = tuple(sorted(account.id for account in accounts.list_accounts(team.owner)))
    assert (me.kind, me.account_ids) == (access.Kind.WORKER, every)
    assert (me.can_export, me.can_campaign, me.can_delete) == (True, True, False)
    with worker.read() as session:
        granted = {right: tuple(session.scalar(text(f"SELECT ofcrm_granted_accounts({right})")))
                   for right in ("NULL", "'export'", "'campaign'", "'settings'", "'delete'")}
    assert granted == {"NULL": every, "'export'": every, "'campaign'": every,
                       "'settings'": every, "'delete'": ()}
    with pytest.raises(access.AccessDenied, match="may not delete fans of account"):
        access.check(worker, access.Right.DELETE, every[0])


def test_the_worker_s_own_work_goes_through(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = Simulator(SimulatorConfig(fans=8, seed=3, token=TOKEN, now=NOW))
    worker = team.connect(team.worker("wwork"))
    with sim.serve() as base_url:
        live = add_simulated_account(team.owner, sim, base_url, monkeypatch, name="wlive")
        with ScriptedClient(base_url, TOKEN, ["ok", "clear", "lost", "429"], timeout=5) as client:
            InboundSync(worker, live.id, client).full()
            # A fan deleted here writes again (and tips): back with the next poll.
            with team.owner.read() as session:
                fans = session.execute(select(Fan.id, Fan.platform_user_id).where(
                    Fan.account_id == live.id, Fan.subscription_status == "active",
                ).order_by(Fan.id)).all()
            gone_id, gone_user = fans[0]
            edits.delete_fan(team.owner, live.id, gone_id)
            sim.add_inbound_message(gone_user, "back again", tip_cents=500)
            with team.owner.write() as session:  # every slower stream due again
                session.execute(update(SyncCursor).where(SyncCursor.account_id == live.id)
                                .values(value=(utcnow() - timedelta(days=1)).isoformat()))
            InboundSync(worker, live.id, client).poll()
            # Read marks queued by a keyless app, carried.
            with team.owner.write() as session:
                queue_read_mark(session, live.id, fans[1].platform_user_id, NOW)
            assert inbox.pending_read_marks(worker, live.id) == [fans[1].platform_user_id]
            inbox.read_marks_done(worker, live.id, [fans[1].platform_user_id])
            # A drain through sent, retried, lost (reconciled: sent) and a 429.
            queued = [outbox.enqueue(team.owner, live.id, fan_id, f"hi {n}", created_by="boss")
                      for n, (fan_id, _) in enumerate(fans[1:6])]
            report = Sender(worker, live.id, client, SenderConfig(reconcile_grace=timedelta(0))
                            ).drain()
            assert [step for _, step in client.sends] == ["ok", "clear", "lost", "429"]
            assert len(report.sent) == 2 and report.retried and report.blocked_until
        # A worker that died mid-send: its row to settle.
        with team.owner.write() as session:
            session.execute(update(OutboundMessage).where(OutboundMessage.id == queued[4])
                            .values(state="sending", lease_owner="dead",
                                    lease_expires_at=utcnow() - timedelta(minutes=1)))
        assert expire_leases(worker, live.id, utcnow()) == [queued[4]]
        # A due campaign started, then one with nothing left marked done.
        with team.owner.write() as session:
            campaign = Campaign(account_id=live.id, name="due", text="hi {name}",
                                created_by="boss", status="scheduled",
                                scheduled_at=utcnow() - timedelta(minutes=1))
            session.add(campaign)
        tended = campaigns.start_due_campaigns(worker, live.id)
        assert tended.started and not tended.refused
        with team.owner.write() as session:
            session.execute(update(OutboundMessage).where(
                OutboundMessage.campaign_id == campaign.id).values(state="cancelled"))
        assert campaigns.start_due_campaigns(worker, live.id).done == 1
        outbox.record_depth(worker, live.id)
        with worker.write() as session:  # the platform away, then back; then a bad token
            outage.unreachable(session, live.id, utcnow(), random.Random(1))
            assert outage.reachable(session, live.id)
            metrics.prune(session, live.id, utcnow())
            accounts.set_auth_error(session, live.id, "HTTP 401 (test)")
    with team.owner.read() as session:
        back = session.scalar(select(Fan.id).where(Fan.account_id == live.id,
                                                   Fan.platform_user_id == gone_user))
        assert back is not None and back != gone_id
        assert session.scalar(select(DeletedFan.platform_user_id).where(
            DeletedFan.account_id == live.id)) is None
        states = dict(session.execute(select(OutboundMessage.id, OutboundMessage.state)
                                      .where(OutboundMessage.id.in_(queued))).all())
        assert sorted(states.values()) == ["queued", "queued", "sent", "sent", "unknown"]
    assert len(sim.ledger()) == 2


def test_team_init_again_takes_back_what_is_no_longer_granted(team: Team) -> None:
    """A team set up by an earlier version (the worker group could delete accounts, a
    column privilege given since): ``ofcrm team init`` leaves only what it grants."""
    chatter, worker = team.groups.chatter, team.groups.worker
    with team.owner.write() as session:
        session.execute(text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON accounts, fans, notes,'
                             f' campaigns, messages TO "{worker}"'))
        session.execute(text(f'GRANT UPDATE (name) ON accounts TO "{worker}"'))
        session.execute(text(f'GRANT DELETE ON messages TO "{chatter}"'))
    access.init_team(team.owner, team.groups)
    held = text("SELECT has_table_privilege(:role, :table, :what)")
    with team.owner.read() as session:
        for role, table, what in ((worker, "accounts", "DELETE"), (worker, "fans", "DELETE"),
                                  (worker, "notes", "UPDATE"), (worker, "campaigns", "DELETE"),
                                  (worker, "messages", "DELETE"), (chatter, "messages", "DELETE")):
            assert not session.scalar(held, {"role": role, "table": table, "what": what}), (
                role, table, what)
        assert not session.scalar(text(
            "SELECT has_column_privilege(:role, 'accounts', 'name', 'UPDATE')"), {"role": worker})
        assert session.scalar(text(
            "SELECT has_column_privilege(:role, 'accounts', 'auth_error', 'UPDATE')"),
            {"role": worker})
