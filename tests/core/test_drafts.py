from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ofcrm_tui.core.inbox.drafts import Draft, DraftError, load_draft, save_draft
from ofcrm_tui.devdata.generate import generate
from ofcrm_tui.core.inbox import InboxFilter, conversations_window
from ofcrm_tui.store.database import Database

NOW = datetime(2026, 11, 20, tzinfo=UTC)


@pytest.fixture
def convs(db: Database) -> tuple[int, list[int], int, int]:
    """(account, its conversation ids, another account, one of its conversations)."""
    mine = generate(db, account="mine", fans=3, messages=9, seed=1, now=NOW, transactions=False)
    theirs = generate(db, account="theirs", fans=1, messages=2, seed=2, now=NOW, transactions=False)
    ids = [r.conversation_id for r in conversations_window(db, mine.account_id, InboxFilter(), 0, 10)]
    other = conversations_window(db, theirs.account_id, InboxFilter(), 0, 1)[0].conversation_id
    return mine.account_id, ids, theirs.account_id, other


def test_save_load_replace_and_delete(db: Database, convs) -> None:  # noqa: ANN001
    account, ids, _, _ = convs
    assert load_draft(db, account, ids[0]) is None
    save_draft(db, account, ids[0], "hey [b]you[/b] 😘")
    assert load_draft(db, account, ids[0]) == Draft("hey [b]you[/b] 😘", 0, ())
    save_draft(db, account, ids[0], "unlock this", price_cents=1999, media_ids=[7000001, 7000002])
    assert load_draft(db, account, ids[0]) == Draft("unlock this", 1999, (7000001, 7000002))
    assert load_draft(db, account, ids[1]) is None  # one draft per conversation
    save_draft(db, account, ids[0], "   ")  # empty: gone
    assert load_draft(db, account, ids[0]) is None
    save_draft(db, account, ids[0], "")  # deleting nothing is fine
    save_draft(db, account, ids[1], "", media_ids=[7000003])  # media alone is a draft
    assert load_draft(db, account, ids[1]) == Draft("", 0, (7000003,))
    save_draft(db, account, ids[2], "", price_cents=500)
    assert load_draft(db, account, ids[2]) == Draft("", 500, ())
    save_draft(db, account, ids[2], "")  # what the app does once the message is sent
    save_draft(db, account, ids[2], "")
    assert load_draft(db, account, ids[2]) is None


def test_drafts_survive_a_new_database_object(db: Database, convs) -> None:  # noqa: ANN001
    account, ids, _, _ = convs
    save_draft(db, account, ids[0], "see you tonight", price_cents=0)
    again = Database(db.url.render_as_string(hide_password=False))
    try:
        assert load_draft(again, account, ids[0]) == Draft("see you tonight")
    finally:
        again.dispose()


def test_other_accounts_conversations_are_refused(db: Database, convs) -> None:  # noqa: ANN001
    account, ids, other_account, other = convs
    with pytest.raises(DraftError):
        save_draft(db, account, other, "wrong account")
    with pytest.raises(DraftError):
        save_draft(db, account, ids[0], "x", price_cents=-1)
    save_draft(db, other_account, other, "theirs")
    assert load_draft(db, account, other) is None
    with pytest.raises(DraftError):
        save_draft(db, account, other, "")  # nor can it delete theirs
    assert load_draft(db, other_account, other) == Draft("theirs")


def test_previews_are_kept_with_the_draft(db: Database, convs) -> None:  # noqa: ANN001
    account, ids, _, _ = convs
    save_draft(db, account, ids[0], "peek", price_cents=2500,
               media_ids=[7000001, 7000002, 7000003], preview_ids=[7000002])
    assert load_draft(db, account, ids[0]) == Draft(
        "peek", 2500, (7000001, 7000002, 7000003), (7000002,)
    )
    save_draft(db, account, ids[0], "peek", price_cents=2500,
               media_ids=[7000001, 7000002, 7000003], preview_ids=[7000003, 7000001])
    assert load_draft(db, account, ids[0]).preview_ids == (7000003, 7000001)
    save_draft(db, account, ids[0], "peek", price_cents=2500, media_ids=[7000001])
    assert load_draft(db, account, ids[0]) == Draft("peek", 2500, (7000001,), ())
    save_draft(db, account, ids[0], "")
    assert load_draft(db, account, ids[0]) is None


def test_previews_outside_the_media_are_refused_and_nothing_is_lost(
    db: Database, convs  # noqa: ANN001
) -> None:
    account, ids, _, _ = convs
    kept = Draft("unlock", 1500, (7000001, 7000002), (7000001,))
    save_draft(db, account, ids[0], kept.text, kept.price_cents, kept.media_ids, kept.preview_ids)
    stray = r"previews must be among the message's media \(not: 7000009\)"
    with pytest.raises(DraftError, match=stray):
        save_draft(db, account, ids[0], "changed", 1500, [7000001, 7000002], [7000001, 7000009])
    with pytest.raises(DraftError, match="previews"):
        save_draft(db, account, ids[0], "", preview_ids=[7000001])  # previews without media
    with pytest.raises(DraftError, match="previews"):
        save_draft(db, account, ids[1], "new", media_ids=[7000003], preview_ids=[7000004])
    assert load_draft(db, account, ids[0]) == kept
    assert load_draft(db, account, ids[1]) is None


def test_drafts_are_each_chatters_own_and_older_ones_are_taken_over(
    db: Database, convs  # noqa: ANN001
) -> None:
    """Team mode: a chatter never sees another's unsent text; a draft saved before drafts
    were per chatter goes to the next chatter who saves in that conversation."""
    account, ids, _, _ = convs
    save_draft(db, account, ids[0], "from before")  # chatter "": saved before team mode
    assert load_draft(db, account, ids[0], "sam") == Draft("from before")
    assert load_draft(db, account, ids[0], "ana") == Draft("from before")
    save_draft(db, account, ids[0], "ana's", chatter="ana")  # ana takes the old one over
    assert load_draft(db, account, ids[0], "ana") == Draft("ana's")
    assert load_draft(db, account, ids[0], "sam") is None
    save_draft(db, account, ids[0], "sam's", chatter="sam")
    assert load_draft(db, account, ids[0], "sam") == Draft("sam's")
    assert load_draft(db, account, ids[0], "ana") == Draft("ana's")
    save_draft(db, account, ids[0], "", chatter="sam")  # sam's sent: only sam's goes
    assert load_draft(db, account, ids[0], "sam") is None
    assert load_draft(db, account, ids[0], "ana") == Draft("ana's")
    rows = conversations_window(db, account, InboxFilter(me="ana"), 0, 100)
    marked = {row.conversation_id for row in rows if row.has_draft}
    assert ids[0] in marked
    rows = conversations_window(db, account, InboxFilter(me="sam"), 0, 100)
    assert ids[0] not in {row.conversation_id for row in rows if row.has_draft}
