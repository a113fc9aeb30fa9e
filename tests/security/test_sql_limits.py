"""A chatter's role does through SQL only what the app does: privileges by command and
column, drafts its author's, its own name on what it writes, a sent message kept as
sent, the history never deleted, a campaign's rows changed only with the campaign
right, fans deleted (and recorded as deleted) only with the delete right. And the app's own work as a chatter
(without any right) still goes through."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import DBAPIError

from ofcrm_tui.core import access, campaigns, inbox, outbox, team as team_work
from ofcrm_tui.core.campaigns import CampaignSpec
from ofcrm_tui.core.fans import edits
from ofcrm_tui.core.fans.csv_import import import_fans
from ofcrm_tui.core.inbox import drafts, saved_replies
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import (
    Assignment,
    Conversation,
    Draft,
    Fan,
    Note,
    OutboundMessage,
)
from tests.security.conftest import NOW, Team

_RLS = "row-level security"
_SENT = "it stays sent"
_OUTBOUND = (
    "INSERT INTO outbound_messages (account_id, fan_id, campaign_id, kind, priority, text,"
    " price_cents, media_ids, preview_ids, state, attempts, tries, max_attempts,"
    " next_attempt_at, created_by, created_at, updated_at) VALUES (:mia, :fan, NULL, 'reply',"
    " 0, 'as kim', 0, '[]', '[]', 'queued', 0, 0, 5, now(), :kim, now(), now())"
)

# qa gives kim's chat to itself in kim's name.
_ASSIGNED = (
    "INSERT INTO conversation_assignments (conversation_id, account_id, chatter, assigned_by,"
    " assigned_at) VALUES (:kims_chat, :mia, :me, :kim, now()"
)


def _denied(table: str) -> str:
    return f"permission denied for table {table}"


# (statement, the refusal's words; None: no row is there for it to change)
REFUSED: list[tuple[str, str | None]] = [
    # Drafts are their author's.
    ("UPDATE drafts SET text = 'mine' WHERE chatter = :kim", _denied("drafts")),
    ("DELETE FROM drafts WHERE chatter = :kim", None),
    ("INSERT INTO drafts (account_id, conversation_id, chatter, text, price_cents, media_ids,"
     " preview_ids, updated_at) VALUES (:mia, :conversation, :kim, 'as kim', 0, '[]', '[]',"
     " now())", _RLS),
    # Another chatter's running campaign.
    ("UPDATE outbound_messages SET text = 'FREE STUFF http://evil', price_cents = 300"
     " WHERE campaign_id = :campaign AND state = 'queued'", _denied("outbound_messages")),
    ("UPDATE outbound_messages SET state = 'cancelled' WHERE campaign_id = :campaign", None),
    ("UPDATE campaigns SET text = 'evil' WHERE id = :campaign", None),
    ("UPDATE campaigns SET status = 'draft' WHERE id = :campaign", None),
    # What was sent, and the history.
    ("UPDATE outbound_messages SET state = 'queued' WHERE id = :sent", _SENT),
    ("UPDATE outbound_messages SET text = 'other', state = 'queued' WHERE id = :sent",
     _denied("outbound_messages")),
    ("UPDATE outbound_messages SET created_by = :me", _denied("outbound_messages")),
    ("DELETE FROM outbound_messages", _denied("outbound_messages")),
    ("DELETE FROM send_attempts", _denied("send_attempts")),
    # A campaign is deleted only with the campaign right (kim's running one, never).
    ("DELETE FROM campaigns", None),
    ("DELETE FROM messages", _denied("messages")),
    ("DELETE FROM transactions", _denied("transactions")),
    ("DELETE FROM audit_events", _denied("audit_events")),
    ("UPDATE messages SET sent_by = :me", _denied("messages")),
    ("DELETE FROM conversations", _denied("conversations")),
    ("DELETE FROM tags", _denied("tags")),
    # Spend.
    ("UPDATE fans SET total_spent_cents = 0", _denied("fans")),
    ("UPDATE fans SET tips_cents = 0, messages_cents = 0, posts_cents = 0", _denied("fans")),
    # Its own name on what it writes.
    ("UPDATE notes SET author = :me WHERE id = :note", _denied("notes")),
    # Nor takes off the mark another's edit of its own note left.
    ("UPDATE notes SET edited_by = NULL, edited_at = NULL WHERE author = :me", _denied("notes")),
    # Another chatter's note stays as its author wrote it.
    ("UPDATE notes SET body = 'forged' WHERE id = :note", None),
    ("DELETE FROM notes WHERE id = :note", None),
    # An assignment is given in the giver's own name.
    (_ASSIGNED + ")", _RLS),
    (_ASSIGNED + ") ON CONFLICT (conversation_id) DO UPDATE SET chatter = excluded.chatter,"
     " assigned_by = excluded.assigned_by", _RLS),
    ("UPDATE conversation_assignments SET chatter = :me, assigned_by = :kim"
     " WHERE conversation_id = :kims_chat", _RLS),
    ("INSERT INTO notes (account_id, fan_id, author, body, created_at, updated_at)"
     " VALUES (:mia, :fan, :kim, 'as kim', now(), now())", _RLS),
    (_OUTBOUND, _RLS),
    ("INSERT INTO campaigns (account_id, name, text, price_cents, media_ids, preview_ids,"
     " segment, status, created_by, created_at, recipients) VALUES (:mia, 'x', 'x', 0, '[]',"
     " '[]', '{}', 'draft', :kim, now(), 0)", _RLS),
    ("UPDATE campaigns SET created_by = :me", _denied("campaigns")),
    # Fans go only with the delete right, and so does the record the sync leaves a
    # deleted one out by (forgetting one stays open: a fan added again).
    ("DELETE FROM fans WHERE account_id = :mia", None),
    ("INSERT INTO deleted_fans (account_id, platform_user_id, username, deleted_at)"
     " VALUES (:mia, 424242, 'hidden', now())", _RLS),
    ("UPDATE deleted_fans SET deleted_at = now() WHERE account_id = :mia", None),
]


@dataclass(frozen=True)
class Scene:
    qa: Database  # a chatter on mia without rights
    params: dict[str, object]


@pytest.fixture(scope="module")
def scene(team: Team) -> Scene:
    """qa (no rights) and kim (campaigns) on mia: kim's draft, note, sent message,
    running campaign and the chats kim took (two: one stays kim's)."""
    mia = team.accounts["mia"]
    qa, kim = team.chatter("qa", "mia"), team.chatter("kimr", "mia", campaign=True)
    with team.owner.write() as session:
        fans = session.scalars(select(Fan).where(
            Fan.account_id == mia, Fan.subscription_status == "active").order_by(Fan.id)).all()
        fan = fans[0]
        conversation, kims_chat, kims_other = (
            session.scalar(select(Conversation.id).where(Conversation.fan_id == f.id))
            for f in fans[:3])
        note = Note(account_id=mia, fan_id=fan.id, author=kim, body="kim's note")
        sent = OutboundMessage(account_id=mia, fan_id=fan.id, kind="reply", priority=0,
                               text="sent", created_by=kim, state="sent")
        session.add_all([note, sent, Draft(account_id=mia, conversation_id=conversation,
                                           chatter=kim, text="kim's")])
        session.execute(delete(Assignment).where(
            Assignment.conversation_id.in_([kims_chat, kims_other])))
        session.add_all([Assignment(conversation_id=chat, account_id=mia, chatter=kim,
                                    assigned_by=kim, assigned_at=NOW)
                         for chat in (kims_chat, kims_other)])
        session.flush()
        params = {"mia": mia, "fan": fan.id, "conversation": conversation, "note": note.id,
                  "sent": sent.id, "kim": kim, "me": qa, "kims_chat": kims_chat,
                  "kims_other": kims_other}
    launched = campaigns.create(team.connect(kim), mia, CampaignSpec("run", "hi {name}"),
                                created_by=kim, now=NOW)
    return Scene(team.connect(qa), params | {"campaign": launched.campaign_id})


@pytest.mark.parametrize(("statement", "refusal"), REFUSED)
def test_a_chatter_cannot_do_through_sql_what_the_app_does_not(
    team: Team, scene: Scene, statement: str, refusal: str | None
) -> None:
    wanted = {name: value for name, value in scene.params.items() if f":{name}" in statement}
    if refusal is None:
        with scene.qa.write() as session:
            assert session.execute(text(statement), wanted).rowcount == 0
        return
    with pytest.raises(DBAPIError) as caught, scene.qa.write() as session:
        session.execute(text(statement), wanted)
    denied = access.refusal(caught.value)
    assert denied is not None and refusal in str(denied), caught.value


def test_what_the_walk_tried_is_as_it_was(team: Team, scene: Scene) -> None:
    p = scene.params
    with scene.qa.read() as session:  # another chatter's draft is not even seen
        assert session.scalar(text("SELECT count(*) FROM drafts WHERE chatter = :kim"),
                              {"kim": p["kim"]}) == 0
    with team.owner.read() as session:
        states = session.execute(
            select(OutboundMessage.state, OutboundMessage.text, func.count())
            .where(OutboundMessage.campaign_id == p["campaign"])
            .group_by(OutboundMessage.state, OutboundMessage.text)).all()
        assert {state for state, _, _ in states} == {"queued"}
        assert not any("evil" in body for _, body, _ in states)
        assert session.scalar(select(OutboundMessage.state).where(
            OutboundMessage.id == p["sent"])) == "sent"
        assert session.execute(select(Note.author, Note.body).where(
            Note.id == p["note"])).one() == (p["kim"], "kim's note")
        assert session.execute(select(Assignment.chatter, Assignment.assigned_by).where(
            Assignment.conversation_id == p["kims_chat"])).one() == (p["kim"], p["kim"])
        assert session.scalar(select(func.count()).select_from(Fan).where(
            Fan.account_id == p["mia"])) == 30


def test_even_a_worker_keeps_a_sent_message_as_sent(team: Team, scene: Scene) -> None:
    worker = team.connect(team.worker("wsent"))
    with pytest.raises(DBAPIError) as caught, worker.write() as session:
        session.execute(text("UPDATE outbound_messages SET state = 'queued'"
                             " WHERE id = :sent"), {"sent": scene.params["sent"]})
    assert _SENT in str(access.refusal(caught.value))


def test_a_chatter_s_fan_edits_move_the_fans_version(scene: Scene) -> None:
    """Under row-level security, in the edit's transaction (UPDATE of ``fans`` only)."""
    qa, p = scene.qa, scene.params
    me, mia, fan = p["me"], p["mia"], p["fan"]

    def fans_version() -> int:
        beat = team_work.Beat(mia, me)
        return team_work.beat(qa, "qa-fans", beat, now=NOW, expiry_seconds=30).fans_version

    before = fans_version()
    edits.set_nickname(qa, mia, fan, "Versioned")
    note = edits.add_note(qa, mia, fan, "counted", author=me)
    edits.delete_note(qa, mia, note.id, by=me)
    assert fans_version() == before + 3
    with pytest.raises(DBAPIError) as caught, qa.write() as session:
        session.execute(text("UPDATE team_versions SET account_id = account_id"))
    assert _denied("team_versions") in str(caught.value)


def test_the_app_s_own_work_as_a_chatter_without_rights(
    team: Team, scene: Scene, tmp_path: Path
) -> None:
    qa, p = scene.qa, scene.params
    me, mia, fan, conversation = p["me"], p["mia"], p["fan"], p["conversation"]
    assert edits.set_nickname(qa, mia, fan, "Bee") == "Bee"
    assert "vip" in edits.add_tags(qa, mia, fan, ["vip"])
    assert "vip" not in edits.remove_tags(qa, mia, fan, ["vip"])
    note = edits.add_note(qa, mia, fan, "mine", author=me)
    assert edits.edit_note(qa, mia, note.id, "mine, edited", by=me).body == "mine, edited"
    edits.delete_note(qa, mia, note.id, by=me)
    assert drafts.save_draft(qa, mia, conversation, "typing", chatter=me)
    assert drafts.load_draft(qa, mia, conversation, me).text == "typing"
    assert not drafts.save_draft(qa, mia, conversation, "", chatter=me)
    reply = saved_replies.create_reply(qa, mia, "qa hello", "hello!")
    saved_replies.delete_reply(qa, mia, reply.id)
    inbox.mark_read_locally(qa, mia, conversation, for_workers=True)
    queued = team_work.send(qa, mia, fan, "hello from qa", seen=None,
                            by=team_work.Sender(me, NOW, auto_assign=True))
    assert outbox.discard(qa, mia, [queued], now=NOW) == 1
    team_work.assign(qa, mia, conversation, me, by=me, now=NOW)
    assert team_work.unassign(qa, mia, conversation) == me
    team_work.beat(qa, "qa-app", team_work.Beat(mia, me, conversation), now=NOW,
                   expiry_seconds=30)
    team_work.leave(qa, "qa-app", mia, now=NOW)
    draft = campaigns.save_draft(qa, mia, CampaignSpec("qa draft", "hi"), created_by=me)
    campaigns.save_draft(qa, mia, CampaignSpec("qa draft", "hi again"), created_by=me,
                         campaign_id=draft)
    (tmp_path / "fans.csv").write_text("username,nickname,status\nnew_qa,Q,active\n")
    assert import_fans(qa, mia, tmp_path / "fans.csv", author=me).written
    (tmp_path / "again.csv").write_text("username,nickname\nnew_qa,Qu\n")
    assert import_fans(qa, mia, tmp_path / "again.csv", author=me).written
    with team.owner.read() as session:
        assert session.scalar(select(Fan.nickname).where(Fan.username == "new_qa")) == "Qu"
    (tmp_path / "spend.csv").write_text("username,total_spent,tips\nnew_qa,100,5\n")
    with pytest.raises(access.AccessDenied) as refused:
        import_fans(qa, mia, tmp_path / "spend.csv", author=me)
    assert str(refused.value) == (f"refused by the database: {me} may not change fans' spend "
                                  "(tips_cents, total_spent_cents): leave those columns out")


def test_a_chatter_s_app_changes_only_its_own_notes(team: Team, scene: Scene) -> None:
    """Another's note: refused in one line, before and by the database, and kept; its
    own: changed, and a change made meanwhile (its other app) still keeps both texts."""
    qa, p = scene.qa, scene.params
    me, mia, kim = p["me"], p["mia"], p["kim"]
    line = f"{kim}'s note: only {kim} can edit it"
    assert edits.note_refusal(access.identity(qa), kim) == line
    assert edits.note_refusal(access.identity(qa), me) is None
    assert edits.note_refusal(access.identity(team.owner), kim) is None
    with pytest.raises(edits.FanEditError) as refused:
        edits.edit_note(qa, mia, p["note"], "kim overwrote", by=me, was="kim's note")
    assert str(refused.value) == line
    with pytest.raises(edits.FanEditError) as refused:
        edits.delete_note(qa, mia, p["note"], by=me)
    assert str(refused.value) == f"{kim}'s note: only {kim} can delete it"
    assert edits.note_refusal(access.identity(qa), kim, "delete") == str(refused.value)
    with team.owner.read() as session:
        assert session.get(Note, p["note"]).body == "kim's note"
    mine = edits.add_note(qa, mia, p["fan"], "mine", author=me)
    edits.edit_note(qa, mia, mine.id, "mine, from my other app", by=me, was="mine")
    with pytest.raises(edits.NoteChanged):
        edits.edit_note(qa, mia, mine.id, "mine, edited", by=me, was="mine")
    edits.delete_note(qa, mia, mine.id, by=me)
    worker = team.connect(team.worker("wnotes"))  # a worker's work writes no note
    with pytest.raises(DBAPIError) as caught:
        edits.edit_note(worker, mia, p["note"], "kim's note", by="wnotes")
    assert _denied("notes") in str(access.refusal(caught.value))


def test_a_chatter_assigns_in_its_own_name_and_unassigns_anyone(scene: Scene) -> None:
    qa, p = scene.qa, scene.params
    me, mia, kim, chat = p["me"], p["mia"], p["kim"], p["kims_other"]
    assert team_work.unassign(qa, mia, chat) == kim  # kim's, taken back
    owner = team_work.assign(qa, mia, chat, kim, by=me, now=NOW)  # given to kim, by qa
    assert (owner.chatter, owner.assigned_by) == (kim, me)
    team_work.assign(qa, mia, chat, me, by=me, now=NOW)  # over an assignment by another
    assert team_work.owners_of(qa, mia, [chat])[chat].assigned_by == me
    with pytest.raises(DBAPIError) as caught:
        team_work.assign(qa, mia, chat, kim, by=kim, now=NOW)
    assert _RLS in str(access.refusal(caught.value))
    assert team_work.owners_of(qa, mia, [chat])[chat].assigned_by == me
