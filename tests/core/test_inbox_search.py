"""The inbox's search on a hand-made world: names, messages, any script, symbols,
usernames as the lists show them, and hostile input taken as literal text."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from ofcrm_tui.core import inbox
from ofcrm_tui.core.fans import FanFilter, fan_ids
from ofcrm_tui.core.inbox import InboxFilter
from ofcrm_tui.store.models import Fan, Message
from tests.core import inbox_world
from tests.core.inbox_world import World, _ids, _names, searched, walked, walking

world = inbox_world.world


SEARCH_CASES = [
    ("moonlight", ["moonlight_rider"]),  # username
    ("MOON", ["moonlight_rider"]),  # any case, any part of a name
    ("Stone", ["alex99"]),  # name
    ("big al", ["alex99"]),  # nickname, two terms
    ("pineapple", ["moonlight_rider"]),  # message text
    ("pinea", ["moonlight_rider"]),  # prefix of a word
    ("pineapple piz", ["moonlight_rider"]),  # last term a prefix
    ("hey", ["moonlight_rider"]),  # an older message
    ("café", ["alex99"]),  # unicode
    ("zebra", []),
    ("pizza zebra", []),  # every term must match
]


def test_search(world: World) -> None:
    for needle, expected in SEARCH_CASES:
        searched(world, needle, expected)


def test_search_short_needles_match_names(world: World) -> None:
    def names(needle: str) -> list[str]:
        return _names(inbox.conversations_window(world.db, world.account, InboxFilter(query=needle), 0, 50))

    assert names("jo") == ["jo"]
    assert "tie_a" in names("ti")
    # Any part of a name, on both backends (trigram FTS5 / LIKE; pg_trgm).
    assert names("_r") == ["moonlight_rider"]
    assert names("9") == ["alex99"]
    assert names("light_RI") == ["moonlight_rider"]
    assert names("50%") == [] and names("a_b%") == []  # LIKE wildcards are literal


def test_search_names_as_stored_in_any_script(world: World) -> None:
    """A name typed exactly as stored is found on both backends, whatever its letters
    (the pattern is lower-cased by the same function as the names)."""
    with world.db.write() as session:
        session.execute(update(Fan).where(Fan.id == world.fans["tie_a"]).values(name="Ayşe İnce"))
        session.execute(update(Fan).where(Fan.id == world.fans["tie_c"]).values(name="ΟΔΥΣΣΕΑΣ"))
    for needle, expected in [("İnce", ["tie_a"]), ("ΟΔΥΣΣΕΑΣ", ["tie_c"]), ("Ayşe", ["tie_a"])]:
        rows = inbox.conversations_window(world.db, world.account, InboxFilter(query=needle), 0, 50)
        assert _names(rows) == expected, needle
        assert walked(world.db, world.account, InboxFilter(query=needle), 0, 50) == rows, needle


def test_search_emoji_and_symbols_by_substring(world: World) -> None:
    """A term with no letter or digit (FTS5's unicode61 and tsquery drop it) matches
    messages and names by substring, alone (one character too) or with words, on both
    backends, listed, counted, walked and placed alike; another account's never."""
    with world.db.write() as session:
        session.execute(update(Fan).where(Fan.id == world.fans["tie_b"]).values(name="🔥Rex🔥"))
        for key, body in [("tie_a", "one 🔥🔥🔥"), ("tie_c", "three 😍!!"),
                          ("other:stranger", "hey 😍🔥")]:
            session.execute(update(Message).where(
                Message.conversation_id == world.conversations[key]).values(text=body))
    cases = [
        ("😍", ["tie_c"]),
        ("🔥", ["tie_b", "tie_a"]),  # a name, a message
        ("🔥🔥🔥", ["tie_a"]),
        ("three 😍", ["tie_c"]),  # a word and a symbol in one message
        ("one 😍", []),
        ("!!", ["tie_c"]),
        ("😍 🔥", []),
    ]
    for needle, expected in cases:
        flt = InboxFilter(query=needle)
        rows = inbox.conversations_window(world.db, world.account, flt, 0, 50)
        assert sorted(_names(rows)) == sorted(expected), needle
        assert inbox.count_conversations(world.db, world.account, flt) == len(expected), needle
        assert walked(world.db, world.account, flt, 0, 50) == rows, needle
        for index, row in enumerate(rows):
            assert inbox.position_of(world.db, world.account, flt, row.conversation_id) == index
            with walking(1000):
                assert inbox.position_of(world.db, world.account, flt, row.conversation_id) == index


def test_a_username_is_found_as_the_lists_show_it(world: World) -> None:
    """Every list shows a username after an "@", so a search for "@name" finds the fan
    (trigram FTS5 or LIKE on SQLite, pg_trgm LIKE on PostgreSQL),
    in the inbox and the fans list alike; an "@" alone is a symbol, found by substring."""
    with world.db.write() as session:
        session.execute(update(Message).where(
            Message.conversation_id == world.conversations["tie_c"]).values(text="mail @ home"))
    cases = [
        ("@moonlight_rider", ["moonlight_rider"]),
        ("@MOONLIGHT", ["moonlight_rider"]),  # any case, any part
        ("@jo", ["jo"]),  # under three characters: LIKE
        ("@alex99", ["alex99"]),
        ("@moonlight @alex99", []),  # every term must match
        ("@", ["tie_c"]),
    ]
    for needle, expected in cases:
        searched(world, needle, expected)
        with world.db.read() as session:
            found = set(session.scalars(fan_ids(world.db, world.account, FanFilter(search=needle))))
        assert found == {world.fans[name] for name in expected}, needle


def test_search_folds_diacritics_in_messages_on_sqlite(world: World) -> None:
    if not world.db.is_sqlite:
        pytest.skip("the 'simple' text search configuration keeps accents")
    rows = inbox.conversations_window(world.db, world.account, InboxFilter(query="cafe"), 0, 50)
    assert _names(rows) == ["alex99"]


def test_search_results_are_sorted_by_recency(world: World) -> None:
    rows = inbox.conversations_window(world.db, world.account, InboxFilter(query="tie"), 0, 50)
    assert _ids(rows) == sorted((world.conversations[n] for n in ("tie_a", "tie_b", "tie_c")), reverse=True)


HOSTILE = [
    '"',
    '""',
    "'",
    "(",
    ")",
    "*",
    "-",
    "NEAR",
    "NEAR(",
    "a NEAR b",
    "AND OR NOT",
    "pizza OR",
    '"pizza',
    "pizza*",
    "^pizza",
    "col:pizza",
    "username:moon",
    "{a b}",
    "-minus",
    "\\",
    "%",
    "_",
    "%_%",
    "':*",
    "!@#$%^&*()",
    "a & b | !c",
    "x <-> y",
    "😀",
    "héllo wörld",
    "名前",
    "\x00nul",
    "\x1b[31mred",
    "\ud800lone surrogate",
    "\u200b",
    "   ",
    "",
    "a" * 5000,
    " ".join(["pizza"] * 100),
    "(NEAR) * \"quoted\" -minus",
]


def test_hostile_search_input_never_raises(world: World) -> None:
    mine = {v for k, v in world.conversations.items() if not k.startswith("other:")}
    for needle in HOSTILE:
        flt = InboxFilter(query=needle)
        rows = inbox.conversations_window(world.db, world.account, flt, 0, 50)
        assert inbox.count_conversations(world.db, world.account, flt) == len(rows), needle
        assert walked(world.db, world.account, flt, 0, 50) == rows, needle
        assert set(_ids(rows)) <= mine, needle
        if rows:
            inbox.position_of(world.db, world.account, flt, rows[-1].conversation_id)
            inbox.next_unread(world.db, world.account, flt, rows[0])


def test_hostile_input_is_literal_text(world: World) -> None:
    rows = inbox.conversations_window(
        world.db, world.account, InboxFilter(query='(NEAR) * "quoted" -minus'), 0, 50
    )
    assert _names(rows) == ["jo"]
    assert _names(inbox.conversations_window(world.db, world.account, InboxFilter(query="%"), 0, 50)) == []
