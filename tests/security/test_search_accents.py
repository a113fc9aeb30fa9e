"""A chatter (row-level security: the search's lookup functions) finds names and notes
without their accents, a nickname it sets itself too; never another account's."""

from __future__ import annotations

from sqlalchemy import select

from ofcrm_tui.core import inbox
from ofcrm_tui.core.fans import FanFilter, fan_ids
from ofcrm_tui.core.fans.edits import add_note, set_nickname
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation, Fan
from tests.security.conftest import Team


def _found(db: Database, account: int, needle: str) -> set[int]:
    with db.read() as session:
        return set(session.scalars(fan_ids(db, account, FanFilter(search=needle))))


def _inbox_fans(db: Database, account: int, needle: str) -> set[int]:
    rows = inbox.conversations_window(db, account, inbox.InboxFilter(query=needle), 0, 100)
    return {row.fan_id for row in rows}


def test_a_chatter_finds_fans_without_their_accents(team: Team) -> None:
    role = team.chatter("sam", "mia")
    sam = team.connect(role)
    mia, zoe = team.accounts["mia"], team.accounts["zoe"]
    with team.owner.write() as session:
        chatted = {account: session.scalars(
            select(Conversation.fan_id).where(Conversation.account_id == account)
            .order_by(Conversation.fan_id).limit(2)).all() for account in (mia, zoe)}
        for first, _ in chatted.values():
            session.get(Fan, first).name = "Zoë Ångström"
    named, nicknamed = chatted[mia]
    assert _inbox_fans(sam, mia, "zoe") == {named}
    assert _inbox_fans(sam, mia, "ANGSTROM zoë") == {named}
    assert _found(sam, mia, "zoe") == {named}
    assert _found(sam, zoe, "zoe") == set()
    assert _found(team.owner, zoe, "zoe") == {chatted[zoe][0]}
    set_nickname(sam, mia, nicknamed, "Renée")  # written by the chatter's own role
    assert _inbox_fans(sam, mia, "renee") == {nicknamed}
    add_note(sam, mia, named, "Aime la crème brûlée", author=role)  # its own note
    assert _found(sam, mia, "creme brulee") == {named}
