from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ofcrm_tui.core.campaigns.placeholders import NICKNAME_REFUSED
from ofcrm_tui.core.inbox import ConversationRow
from ofcrm_tui.core.inbox.saved_replies import (
    SavedReply,
    SavedReplyError,
    create_reply,
    delete_reply,
    fuzzy_filter,
    list_replies,
    render_reply,
)
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account


def _accounts(db: Database) -> tuple[int, int]:
    with db.write() as session:
        accounts = [Account(name=name, base_url="http://x.invalid") for name in ("mia", "zoe")]
        session.add_all(accounts)
        session.flush()
        return accounts[0].id, accounts[1].id


def test_create_list_delete(db: Database) -> None:
    mia, zoe = _accounts(db)
    welcome = create_reply(db, mia, "  Welcome   new fan ", "Hi {name}, welcome!")
    assert welcome.name == "Welcome new fan"
    create_reply(db, mia, "Bundle offer", "New bundle just dropped")
    create_reply(db, zoe, "Welcome new fan", "zoe's own")  # same name, other account
    assert [r.name for r in list_replies(db, mia)] == ["Bundle offer", "Welcome new fan"]
    assert [r.body for r in list_replies(db, zoe)] == ["zoe's own"]
    delete_reply(db, zoe, welcome.id)  # not zoe's: nothing happens
    assert len(list_replies(db, mia)) == 2
    delete_reply(db, mia, welcome.id)
    delete_reply(db, mia, welcome.id)
    assert [r.name for r in list_replies(db, mia)] == ["Bundle offer"]


def test_replies_are_listed_by_name_whatever_its_case(db: Database) -> None:
    mia, _ = _accounts(db)
    for name in ("Welcome", "nick test", "apple", "Zed", "Bundle"):
        create_reply(db, mia, name, "hi")
    assert [r.name for r in list_replies(db, mia)] == [
        "apple", "Bundle", "nick test", "Welcome", "Zed"]


def test_create_refuses_duplicates_and_empties(db: Database) -> None:
    mia, _ = _accounts(db)
    create_reply(db, mia, "Thanks", "thank you babe")
    for name, body in [("Thanks", "again"), ("thanks ", "other case"), ("", "body"),
                       ("   ", "body"), ("Name", ""), ("Name", "  \n"), ("x" * 200, "body")]:
        with pytest.raises(SavedReplyError):
            create_reply(db, mia, name, body)
    assert [r.name for r in list_replies(db, mia)] == ["Thanks"]


REPLIES = [
    SavedReply(1, "Welcome", "Hi {name}, welcome to my page!"),
    SavedReply(2, "Welcome back", "Missed you {name}"),
    SavedReply(3, "PPV teaser", "unlock this for a surprise"),
    SavedReply(4, "Weekend livestream", "live on Sunday at 8pm"),
    SavedReply(5, "Thanks for the tip", "you're the best, welcome anytime"),
    SavedReply(6, "Custom video prices", "customs start at $50"),
]


def _names(replies: list[SavedReply]) -> list[str]:
    return [reply.name for reply in replies]


def test_fuzzy_filter_ranks_best_first() -> None:
    assert _names(fuzzy_filter(REPLIES, "")) == _names(REPLIES)
    # Exact name, then a longer name starting with it, then a body match.
    assert _names(fuzzy_filter(REPLIES, "welcome")) == ["Welcome", "Welcome back", "Thanks for the tip"]
    assert _names(fuzzy_filter(REPLIES, "WELC"))[:2] == ["Welcome", "Welcome back"]
    # A word inside the name beats letters scattered through it.
    assert _names(fuzzy_filter(REPLIES, "tip")) == ["Thanks for the tip", "Custom video prices"]
    assert _names(fuzzy_filter(REPLIES, "live"))[0] == "Weekend livestream"
    # Letters in order (an abbreviation).
    assert _names(fuzzy_filter(REPLIES, "cvp")) == ["Custom video prices"]
    assert _names(fuzzy_filter(REPLIES, "wkls")) == ["Weekend livestream"]
    # Every word must match somewhere.
    assert _names(fuzzy_filter(REPLIES, "welcome back")) == ["Welcome back"]
    assert _names(fuzzy_filter(REPLIES, "surprise")) == ["PPV teaser"]
    assert fuzzy_filter(REPLIES, "zzz") == []
    assert fuzzy_filter([], "x") == []


def _fan(**names: str) -> ConversationRow:
    values = {"name": "", "nickname": "", "username": "u42", **names}
    return ConversationRow(
        conversation_id=1, fan_id=1, platform_user_id=42,
        display_name=values["nickname"] or values["name"] or values["username"],
        username=values["username"], preview="", last_message_at=datetime(2026, 1, 1, tzinfo=UTC),
        last_direction="in", unread_count=0, total_spent_cents=0, subscription_status="active",
        tags=(), name=values["name"],
    )


def test_render_placeholders() -> None:
    full = _fan(name="Alex", nickname="Big Al", username="alex99")
    body = "Hi {name} (@{username})! {unknown} {NAME} {name {} }{"
    assert render_reply(body, full) == "Hi Alex (@alex99)! {unknown} {NAME} {name {} }{"
    # {name} never falls back to the team's nickname for the fan ("timewaster").
    nickname_only = _fan(nickname="timewaster", username="cap")
    assert render_reply("hey {name}", nickname_only) == "hey cap"
    bare = _fan(username="moonlight_rider")
    assert render_reply("{name}/{username}", bare) == "moonlight_rider/moonlight_rider"
    # Substituted text is never expanded again.
    tricky = _fan(name="{username}", username="x")
    assert render_reply("{name}", tricky) == "{username}"


@pytest.mark.parametrize("body", ["Missed you {nickname}", "Hey {nickname|babe}", "x { nickname } y"])
def test_the_teams_private_nickname_is_refused(db: Database, body: str) -> None:
    """On save, and when a reply saved before the rule is picked: never filled in."""
    mia, _ = _accounts(db)
    with pytest.raises(SavedReplyError) as refused:
        create_reply(db, mia, "Old", body)
    assert str(refused.value) == NICKNAME_REFUSED
    with pytest.raises(SavedReplyError, match="private label"):
        render_reply(body, _fan(name="Alex", nickname="timewaster", username="alex99"))
    assert list_replies(db, mia) == []


@pytest.mark.parametrize(("body", "named"), [
    ("See you at {time}!", "{time}"), ("Hi {nmae}", "{nmae}"), ("Hey {name|babe}", "{name|babe}"),
    ("Hi { NAME }", "{ NAME }"), ("{name} and {username} at {Place_2}", "{Place_2}"),
])
def test_a_word_in_braces_that_is_no_placeholder_is_refused_on_save(
        db: Database, body: str, named: str) -> None:
    """The fan would read ``{time}`` as typed: the chatter hears of it on save."""
    mia, _ = _accounts(db)
    with pytest.raises(SavedReplyError) as refused:
        create_reply(db, mia, "Typo", body)
    assert str(refused.value).startswith(f"unknown placeholder {named}: ")
    assert list_replies(db, mia) == []


def test_every_problem_of_a_new_reply_is_named(db: Database) -> None:
    """Only the first was named: fixing it brought up the next, one save at a time."""
    mia, _ = _accounts(db)
    name, body = "n" * 130, "yo {nickname}, see you at {time} or {time} {nmae}" + "x" * 10_000
    with pytest.raises(SavedReplyError) as refused:
        create_reply(db, mia, name, body)
    assert str(refused.value).split("; ") == [
        "a saved reply's name is at most 128 characters",
        f"the text is {len(body):,} characters long: a message is at most 10,000",
        NICKNAME_REFUSED,
        "unknown placeholders {time}, {nmae}: a saved reply takes {name} or {username} "
        "(no fallback)",
    ]
    with pytest.raises(SavedReplyError) as refused:
        create_reply(db, mia, " ", "\n")
    assert str(refused.value) == "a saved reply needs a name; a saved reply needs some text"
    assert list_replies(db, mia) == []


def test_braces_that_are_no_word_are_text(db: Database) -> None:
    mia, _ = _accounts(db)
    body = "Hi {name} (@{username}) {: {} {1} { } }{ 100{%}"
    create_reply(db, mia, "Braces", body)
    assert [r.body for r in list_replies(db, mia)] == [body]
