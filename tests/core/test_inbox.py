from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, update

from ofcrm_tui.core import inbox
from ofcrm_tui.core.fans import FanFilter, fan_ids
from ofcrm_tui.core.inbox.drafts import save_draft
from ofcrm_tui.devdata.generate import generate
from ofcrm_tui.core.inbox import ConversationRow, InboxError, InboxFilter, walk
from ofcrm_tui.store import diagnostics
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import (
    Account,
    Conversation,
    Fan,
    FanTag,
    Media,
    Message,
    OutboundMessage,
    Tag,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

FILTERS = [
    InboxFilter(),
    InboxFilter(unread_only=True),
    InboxFilter(purchased_only=True),
    InboxFilter(tag="vip"),
    InboxFilter(tag="new"),
    InboxFilter(status="expired"),
    InboxFilter(status="active"),
    InboxFilter(unread_only=True, purchased_only=True, status="active"),
    InboxFilter(query="pizza"),
    InboxFilter(query="lisb"),
    InboxFilter(query="hey", unread_only=True),
    InboxFilter(query="Mark"),
]


# -- a hand-made world -------------------------------------------------------------------


@dataclass
class World:
    db: Database
    account: int
    other: int
    fans: dict[str, int] = field(default_factory=dict)  # username -> fan id
    conversations: dict[str, int] = field(default_factory=dict)  # username -> conversation id
    platform_ids: dict[str, int] = field(default_factory=dict)


def _account(session, name: str) -> int:  # noqa: ANN001
    account = Account(name=name, base_url="http://x.invalid", created_at=T0)
    session.add(account)
    session.flush()
    return account.id


def _fan(
    world: World,
    session,  # noqa: ANN001
    account: int,
    username: str,
    *,
    name: str = "",
    nickname: str = "",
    spent: int = 0,
    status: str = "active",
    last_at: datetime | None,
    unread: int = 0,
    texts: tuple[str, ...] = ("hello",),
    tags: tuple[int, ...] = (),
) -> None:
    platform_user_id = 5000 + len(world.platform_ids) + (0 if account == world.account else 90_000)
    fan = Fan(
        account_id=account,
        platform_user_id=platform_user_id,
        username=username,
        name=name,
        nickname=nickname,
        subscription_status=status,
        total_spent_cents=spent,
        created_at=T0,
        updated_at=T0,
    )
    session.add(fan)
    session.flush()
    conversation = Conversation(
        account_id=account,
        fan_id=fan.id,
        unread_count=unread,
        last_message_at=last_at,
        last_message_preview=texts[-1] if texts else "",
        last_message_direction="in",
    )
    session.add(conversation)
    session.flush()
    base = last_at or T0
    for index, body in enumerate(texts):
        session.add(
            Message(
                account_id=account,
                conversation_id=conversation.id,
                fan_id=fan.id,
                platform_message_id=platform_user_id * 1000 + index,
                direction="in" if index % 2 == 0 else "out",
                text=body,
                created_at=base - timedelta(minutes=len(texts) - index),
            )
        )
    for tag_id in tags:
        session.add(FanTag(fan_id=fan.id, tag_id=tag_id, account_id=account))
    key = username if account == world.account else f"other:{username}"
    world.fans[key] = fan.id
    world.conversations[key] = conversation.id
    world.platform_ids[key] = platform_user_id


@pytest.fixture
def world(db: Database) -> World:
    with db.write() as session:
        account = _account(session, "mia")
        other = _account(session, "zoe")
        w = World(db, account, other)
        vip = Tag(account_id=account, name="vip")
        late = Tag(account_id=account, name="late-payer")
        other_vip = Tag(account_id=other, name="vip")
        session.add_all([vip, late, other_vip])
        session.flush()
        tie = T0 + timedelta(days=3)
        _fan(w, session, account, "moonlight_rider", name="Sam Moon", last_at=T0 + timedelta(days=9),
             unread=2, spent=500, texts=("hey there", "Do you like pineapple pizza?"), tags=(vip.id,))
        _fan(w, session, account, "alex99", name="Alex Stone", nickname="Big Al",
             last_at=T0 + timedelta(days=8), texts=("bonjour café",), status="expired")
        _fan(w, session, account, "tie_a", name="Tie A", last_at=tie, unread=1, texts=("one",))
        _fan(w, session, account, "tie_b", name="Tie B", last_at=tie, spent=100, texts=("two",),
             tags=(vip.id, late.id))
        _fan(w, session, account, "tie_c", name="Tie C", last_at=tie, texts=("three",))
        _fan(w, session, account, "quiet", name="Quiet One", last_at=None, texts=())
        _fan(w, session, account, "jo", name="Jo", last_at=T0 + timedelta(days=1), unread=3,
             texts=("(NEAR) * \"quoted\" -minus",), status="expired")
        # Another account with look-alike data that must never show up.
        _fan(w, session, other, "moonlight_rider", name="Sam Moon", last_at=T0 + timedelta(days=20),
             unread=5, spent=9999, texts=("pineapple pizza forever",), tags=(other_vip.id,))
        _fan(w, session, other, "stranger", name="Alex Other", last_at=T0 + timedelta(days=20),
             texts=("hey there",))
    return w


def _ids(rows: list[ConversationRow]) -> list[int]:
    return [row.conversation_id for row in rows]


def _names(rows: list[ConversationRow]) -> list[str]:
    return [row.username for row in rows]


def test_window_is_sorted_newest_first_with_id_breaking_ties(world: World) -> None:
    rows = inbox.conversations_window(world.db, world.account, InboxFilter(), 0, 50)
    tie_ids = sorted((world.conversations[n] for n in ("tie_a", "tie_b", "tie_c")), reverse=True)
    assert _ids(rows) == [
        world.conversations["moonlight_rider"],
        world.conversations["alex99"],
        *tie_ids,
        world.conversations["jo"],
    ]
    assert inbox.count_conversations(world.db, world.account, InboxFilter()) == 6
    top = rows[0]
    assert top.display_name == "Sam Moon" and top.unread_count == 2 and top.tags == ("vip",)
    assert top.preview == "Do you like pineapple pizza?" and top.last_direction == "in"
    assert top.last_message_at == T0 + timedelta(days=9)
    assert rows[1].display_name == "Big Al"
    assert rows[1].name == "Alex Stone" and rows[1].subscription_status == "expired"


def test_keyset_through_ties_equals_offset(world: World) -> None:
    everything = inbox.conversations_window(world.db, world.account, InboxFilter(), 0, 100)
    for size in (1, 2, 4):
        by_offset, by_keyset, anchor = [], [], None
        for offset in range(0, len(everything), size):
            by_offset += inbox.conversations_window(world.db, world.account, InboxFilter(), offset, size)
            page = inbox.conversations_window(
                world.db, world.account, InboxFilter(), offset, size, anchor=anchor
            )
            by_keyset += page
            anchor = page[-1] if page else anchor
        assert _ids(by_offset) == _ids(by_keyset) == _ids(everything)
    assert inbox.conversations_window(world.db, world.account, InboxFilter(), 6, 10) == []
    assert inbox.conversations_window(world.db, world.account, InboxFilter(), 0, 0) == []


FILTER_CASES = [
    (InboxFilter(unread_only=True), ["moonlight_rider", "tie_a", "jo"]),
    (InboxFilter(purchased_only=True), ["moonlight_rider", "tie_b"]),
    (InboxFilter(tag="vip"), ["moonlight_rider", "tie_b"]),
    (InboxFilter(tag="late-payer"), ["tie_b"]),
    (InboxFilter(tag="no-such-tag"), []),
    (InboxFilter(status="expired"), ["alex99", "jo"]),
    (InboxFilter(status="active"), ["moonlight_rider", "tie_c", "tie_b", "tie_a"]),
    (InboxFilter(unread_only=True, status="expired"), ["jo"]),
    (InboxFilter(purchased_only=True, tag="vip", unread_only=True), ["moonlight_rider"]),
]


def test_each_filter(world: World) -> None:
    for flt, expected in FILTER_CASES:
        rows = inbox.conversations_window(world.db, world.account, flt, 0, 50)
        assert _names(rows) == expected, flt
        assert inbox.count_conversations(world.db, world.account, flt) == len(expected), flt
        assert walked(world.db, world.account, flt, 0, 50) == rows, flt


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


def searched(world: World, needle: str, expected: list[str]) -> None:
    """``needle`` lists, counts and walks to the conversations of ``expected``, in order."""
    flt = InboxFilter(query=needle)
    rows = inbox.conversations_window(world.db, world.account, flt, 0, 50)
    assert _names(rows) == expected, needle
    assert inbox.count_conversations(world.db, world.account, flt) == len(expected), needle
    assert walked(world.db, world.account, flt, 0, 50) == rows, needle


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


def test_rows_say_which_conversations_hold_a_draft(world: World) -> None:
    moon, alex = world.conversations["moonlight_rider"], world.conversations["alex99"]
    assert save_draft(world.db, world.account, moon, "see you tonight") is True
    rows = {row.conversation_id: row for row in
            inbox.conversations_window(world.db, world.account, InboxFilter(), 0, 50)}
    assert rows[moon].has_draft and not rows[alex].has_draft
    assert inbox.conversation_header(world.db, world.account, moon).has_draft
    assert save_draft(world.db, world.account, moon, "  ") is False  # emptied: gone
    assert not inbox.conversation_header(world.db, world.account, moon).has_draft


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


def test_other_accounts_never_show(world: World) -> None:
    for flt in [InboxFilter(), InboxFilter(query="pineapple"), InboxFilter(query="Alex"),
                InboxFilter(tag="vip"), InboxFilter(purchased_only=True), InboxFilter(unread_only=True)]:
        rows = inbox.conversations_window(world.db, world.account, flt, 0, 100)
        assert {row.fan_id for row in rows} <= {v for k, v in world.fans.items() if ":" not in k}
    other_rows = inbox.conversations_window(world.db, world.other, InboxFilter(query="Alex"), 0, 50)
    assert _names(other_rows) == ["stranger"]
    foreign = world.conversations["other:moonlight_rider"]
    assert inbox.position_of(world.db, world.account, InboxFilter(), foreign) is None
    assert inbox.thread_page(world.db, world.account, foreign) == []
    assert inbox.pending_in_thread(world.db, world.account, foreign) == []
    with pytest.raises(InboxError):
        inbox.conversation_header(world.db, world.account, foreign)
    with pytest.raises(InboxError):
        inbox.mark_read_locally(world.db, world.account, foreign)
    assert inbox.tags(world.db, world.account) == ["late-payer", "vip"]


def test_position_of(world: World) -> None:
    rows = inbox.conversations_window(world.db, world.account, InboxFilter(), 0, 50)
    for index, row in enumerate(rows):
        assert inbox.position_of(world.db, world.account, InboxFilter(), row.conversation_id) == index
    unread = InboxFilter(unread_only=True)
    assert inbox.position_of(world.db, world.account, unread, world.conversations["jo"]) == 2
    assert inbox.position_of(world.db, world.account, unread, world.conversations["alex99"]) is None
    assert inbox.position_of(world.db, world.account, InboxFilter(), world.conversations["quiet"]) is None
    search = InboxFilter(query="tie")
    assert inbox.position_of(world.db, world.account, search, world.conversations["tie_a"]) == 2


def test_next_unread_walks_down_and_wraps(world: World) -> None:
    flt = InboxFilter()
    rows = inbox.conversations_window(world.db, world.account, flt, 0, 50)
    first = inbox.next_unread(world.db, world.account, flt, None)
    assert first is not None and first[0] == 0 and first[1].username == "moonlight_rider"
    second = inbox.next_unread(world.db, world.account, flt, first[1])
    assert second is not None and second[1].username == "tie_a"
    assert second[0] == _ids(rows).index(world.conversations["tie_a"])
    # From a read row in between: the next unread below it.
    below_alex = inbox.next_unread(world.db, world.account, flt, rows[1])
    assert below_alex is not None and below_alex[1].username == "tie_a"
    third = inbox.next_unread(world.db, world.account, flt, second[1])
    assert third is not None and third[1].username == "jo" and third[0] == 5
    wrapped = inbox.next_unread(world.db, world.account, flt, third[1])
    assert wrapped is not None and wrapped[0] == 0 and wrapped[1].username == "moonlight_rider"
    # Within a filter, positions are in the filtered list.
    expired = InboxFilter(status="expired")
    found = inbox.next_unread(world.db, world.account, expired, None)
    assert found is not None and found[0] == 1 and found[1].username == "jo"
    assert inbox.next_unread(world.db, world.account, InboxFilter(tag="late-payer"), None) is None


def test_mark_read_locally(world: World) -> None:
    conversation = world.conversations["moonlight_rider"]
    assert inbox.mark_read_locally(world.db, world.account, conversation) == world.platform_ids[
        "moonlight_rider"
    ]
    header = inbox.conversation_header(world.db, world.account, conversation)
    assert header.unread_count == 0
    assert inbox.count_conversations(world.db, world.account, InboxFilter(unread_only=True)) == 2
    # The other account's look-alike is untouched.
    other = inbox.conversation_header(world.db, world.other, world.conversations["other:moonlight_rider"])
    assert other.unread_count == 5


def test_thread_pages_newest_first(db: Database) -> None:
    report = generate(db, account="threads", fans=3, messages=130, seed=4, now=NOW)
    with db.read() as session:
        conversation_id = session.scalars(
            select(Message.conversation_id)
            .where(Message.account_id == report.account_id)
            .group_by(Message.conversation_id)
            .order_by(func.count().desc())
        ).first()
        expected = list(
            session.scalars(
                select(Message.platform_message_id)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.platform_message_id.desc())
            )
        )
    pages, before = [], None
    while True:
        page = inbox.thread_page(db, report.account_id, conversation_id, before_platform_id=before, limit=7)
        if not page:
            break
        assert [m.platform_message_id for m in page] == sorted(
            (m.platform_message_id for m in page), reverse=True
        )
        pages.append(page)
        before = page[-1].platform_message_id
    flat = [m.platform_message_id for page in pages for m in page]
    assert flat == expected
    assert all(len(page) == 7 for page in pages[:-1])
    message = pages[0][0]
    assert message.state == "sent" and message.outbound_id is None and message.message_id
    assert message.direction in ("in", "out") and message.created_at.tzinfo is not None
    assert inbox.thread_page(db, report.account_id, conversation_id, limit=0) == []


def test_pending_in_thread_lists_unsent_outbound_rows(world: World) -> None:
    fan_id = world.fans["alex99"]
    states = ["queued", "sending", "unknown", "failed", "paused", "sent", "cancelled"]
    with world.db.write() as session:
        session.execute(
            insert(OutboundMessage),
            [
                {
                    "account_id": world.account,
                    "fan_id": fan_id,
                    "kind": "reply",
                    "priority": 0,
                    "text": f"msg {state}",
                    "price_cents": 500 if state == "failed" else 0,
                    "media_ids": [1, 2] if state == "failed" else [],
                    "state": state,
                    "last_error": "HTTP 400: bad" if state == "failed" else None,
                    "created_by": "anna",
                    "created_at": T0 + timedelta(minutes=index),
                }
                for index, state in enumerate(states)
            ],
        )
        # Another fan's and another account's rows stay out.
        session.execute(
            insert(OutboundMessage),
            [
                {"account_id": world.account, "fan_id": world.fans["jo"], "kind": "reply",
                 "priority": 0, "text": "for jo", "state": "queued", "created_by": "anna"},
                {"account_id": world.other, "fan_id": world.fans["other:stranger"], "kind": "reply",
                 "priority": 0, "text": "other", "state": "queued", "created_by": "anna"},
            ],
        )
    pending = inbox.pending_in_thread(world.db, world.account, world.conversations["alex99"])
    assert [m.state for m in pending] == ["paused", "failed", "unknown", "sending", "queued"]
    failed = pending[1]
    assert failed.message_id is None and failed.platform_message_id is None
    assert failed.outbound_id is not None and failed.direction == "out"
    assert failed.price_cents == 500 and failed.media_count == 2
    assert failed.last_error == "HTTP 400: bad" and failed.sent_by == "anna"
    assert failed.created_at == T0 + timedelta(minutes=3)


def test_a_queued_message_waits_for_the_rows_the_queue_sends_before_it(world: World) -> None:
    """107 campaign rows queued ahead: a campaign message waits for them and for the
    replies (which jump ahead of campaign rows), at the rate campaigns get; a reply
    waits only for the replies queued before it, at the whole limit."""
    jo, alex = world.fans["jo"], world.fans["alex99"]

    def row(fan_id: int, kind: str, due: datetime, state: str = "queued") -> dict[str, object]:
        return {"account_id": world.account, "fan_id": fan_id, "kind": kind,
                "priority": {"reply": 10, "campaign": 30}[kind], "text": kind, "state": state,
                "created_by": "anna", "created_at": T0, "next_attempt_at": due}

    with world.db.write() as session:
        session.execute(update(Account).where(Account.id == world.account)
                        .values(send_limit_per_minute=12))
        session.execute(insert(OutboundMessage), [row(jo, "campaign", T0)] * 107)
        session.execute(insert(OutboundMessage), [
            row(jo, "reply", T0), row(jo, "reply", T0, state="failed"),
            row(alex, "campaign", T0), row(alex, "reply", T0 + timedelta(seconds=1)),
            row(jo, "campaign", T0, state="paused"),
        ])
        session.execute(insert(OutboundMessage), [
            {**row(world.fans["other:stranger"], "reply", T0), "account_id": world.other}])
    pending = inbox.pending_in_thread(world.db, world.account, world.conversations["alex99"],
                                      reply_reserve=3)
    waits = {m.text: m.queue_wait for m in pending}
    # 107 campaign rows and 2 replies ahead, 12 - 3 = 9 a minute: 13 minutes.
    assert waits == {"campaign": timedelta(minutes=13), "reply": timedelta(minutes=1)}


def test_header_tags_and_vault(world: World) -> None:
    header = inbox.conversation_header(world.db, world.account, world.conversations["tie_b"])
    assert header.tags == ("late-payer", "vip") and header.total_spent_cents == 100
    with world.db.write() as session:
        session.execute(
            insert(Media),
            [
                {"account_id": world.account, "platform_media_id": 77, "type": "photo", "created_at": T0},
                {"account_id": world.account, "platform_media_id": 78, "type": "video",
                 "created_at": T0 + timedelta(days=1)},
                {"account_id": world.other, "platform_media_id": 79, "type": "photo", "created_at": T0},
            ],
        )
    media = inbox.vault_media(world.db, world.account)
    assert [(m.id, m.type) for m in media] == [(78, "video"), (77, "photo")]


# -- on generated data -----------------------------------------------------------------


def _reference(db: Database, account_id: int, flt: InboxFilter) -> list[int]:
    """The filter, done the slow obvious way in Python."""
    with db.read() as session:
        rows = session.execute(
            select(Conversation, Fan).join(Fan, Fan.id == Conversation.fan_id).where(
                Conversation.account_id == account_id, Conversation.last_message_at.is_not(None)
            )
        ).all()
        tags = {
            (fan_id, name)
            for fan_id, name in session.execute(
                select(FanTag.fan_id, Tag.name).join(Tag, Tag.id == FanTag.tag_id)
            )
        }
        texts: dict[int, list[str]] = {}
        for fan_id, body in session.execute(
            select(Message.fan_id, Message.text).where(Message.account_id == account_id)
        ):
            texts.setdefault(fan_id, []).append(body.casefold())
    kept = []
    for conversation, fan in rows:
        if flt.unread_only and conversation.unread_count <= 0:
            continue
        if flt.purchased_only and fan.total_spent_cents <= 0:
            continue
        if flt.status and fan.subscription_status != flt.status:
            continue
        if flt.tag and (fan.id, flt.tag) not in tags:
            continue
        if flt.query:
            needle = flt.query.casefold()
            names = f"{fan.username} {fan.name} {fan.nickname}".casefold()
            words = [w for body in texts.get(fan.id, []) for w in body.replace("?", " ").split()]
            if needle not in names and not any(w.startswith(needle) for w in words):
                continue
        at = conversation.last_fan_message_at if flt.order == "fan" else conversation.last_message_at
        kept.append((at, conversation.id))
    return [conversation_id for _, conversation_id in sorted(kept, reverse=True)]


@contextmanager
def walking(span: int) -> Iterator[None]:
    """Searches walk the inbox however few their matches, over spans of ``span``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(walk, "WALK_MIN_MATCHES", 1)
        patch.setattr(walk, "WALK_SPAN", span)
        yield


def walked(
    db: Database, account: int, flt: InboxFilter, offset: int, limit: int,
    anchor: ConversationRow | None = None, span: int = 1000,
) -> list[ConversationRow]:
    with walking(span):
        return inbox.conversations_window(db, account, flt, offset, limit, anchor=anchor)


@pytest.fixture
def generated(db: Database) -> int:
    report = generate(db, account="gen", fans=120, messages=900, seed=11, now=NOW)
    generate(db, account="noise", fans=40, messages=300, seed=12, now=NOW)
    return report.account_id


def test_windows_match_a_plain_reference(db: Database, generated: int) -> None:
    """Offset and keyset paging give the same list as the filter done in Python, in
    either order."""
    for flt in FILTERS + [replace(flt, order="fan") for flt in FILTERS]:
        expected = _reference(db, generated, flt)
        count = inbox.count_conversations(db, generated, flt)
        assert count == len(expected), flt
        by_offset, by_keyset, anchor = [], [], None
        for offset in range(0, count + 9, 9):
            by_offset += inbox.conversations_window(db, generated, flt, offset, 9)
            page = inbox.conversations_window(db, generated, flt, offset, 9, anchor=anchor)
            by_keyset += page
            anchor = page[-1] if page else anchor
        assert _ids(by_offset) == _ids(by_keyset) == expected, flt
        if expected:
            middle = expected[len(expected) // 2]
            assert inbox.position_of(db, generated, flt, middle) == len(expected) // 2, flt


@pytest.mark.parametrize("span", [1, 4, 25, 1000])
def test_search_walk_matches_the_set(db: Database, generated: int, span: int) -> None:
    """A search read by walking the inbox (forced here, over spans short and long, so
    the walk, its bound and its fallback to the set all run) lists what the set lists."""
    with db.write() as session:  # ties on the sort key, and conversations not listed
        ids = session.scalars(
            select(Conversation.id).where(Conversation.account_id == generated)
            .order_by(Conversation.id)
        ).all()
        for index, conversation_id in enumerate(ids[:60]):
            session.execute(
                update(Conversation).where(Conversation.id == conversation_id)
                .values(last_message_at=NOW - timedelta(hours=index % 4),
                        last_fan_message_at=NOW - timedelta(hours=index % 3))
            )
        session.execute(
            update(Conversation).where(Conversation.id.in_(ids[60:66])).values(last_message_at=None)
        )
    searches = [flt for flt in FILTERS if flt.query] + [
        InboxFilter(query="pizza", purchased_only=True),
        InboxFilter(query="pizza", status="expired"),
        InboxFilter(query="pizza", tag="vip"),
    ]
    for flt in searches + [replace(flt, order="fan") for flt in searches]:
        expected = _reference(db, generated, flt)
        by_offset, by_keyset, anchor = [], [], None
        for offset in range(0, len(expected) + 9, 9):
            by_offset += walked(db, generated, flt, offset, 9, span=span)
            page = walked(db, generated, flt, offset, 9, anchor=anchor, span=span)
            by_keyset += page
            anchor = page[-1] if page else anchor
        assert _ids(by_offset) == _ids(by_keyset) == expected, (flt, span)
        with walking(span):
            for index in {0, len(expected) // 2, len(expected) - 1} if expected else ():
                assert inbox.position_of(db, generated, flt, expected[index]) == index, flt
            outside = set(_ids(inbox.conversations_window(db, generated, InboxFilter(), 0, 500)))
            for conversation_id in sorted(outside - set(expected))[:3]:
                assert inbox.position_of(db, generated, flt, conversation_id) is None, flt


def test_a_common_word_is_read_by_walking(
    db: Database, generated: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With many matches (the threshold lowered to this small data), the first page of a
    search comes from the walk, not from the whole set of matches."""
    monkeypatch.setattr(walk, "WALK_MIN_MATCHES", 20)
    results = []
    walk_window = walk.walk_window

    def spy(*args: object, **kwargs: object) -> object:
        results.append(walk_window(*args, **kwargs))
        return results[-1]

    monkeypatch.setattr(walk, "walk_window", spy)
    flt = InboxFilter(query="pizza")
    rows = inbox.conversations_window(db, generated, flt, 0, 5)
    assert _ids(rows) == _reference(db, generated, flt)[:5]
    assert results and results[-1] is not None
    results.clear()
    inbox.conversations_window(db, generated, InboxFilter(query="Lisbon"), 0, 5)
    assert results == [None]  # few matches: the set answers


def _walk_probes(db: Database, account: int, flt: InboxFilter) -> bool:
    """Whether the walk for ``flt`` tests messages by FTS5 probes (SQLite), not a list."""
    with db.read() as session:
        plan = walk.walk_plan(session, db, account, flt)
    assert plan is not None, flt
    sql = str(plan.test.compile(db.engine))
    assert sql.count("messages_fts MATCH") == 1, sql
    listed = "messages.id IN (SELECT rowid FROM messages_fts" in sql
    assert listed != ("messages.id = messages_fts.rowid" in sql), sql
    return not listed


@pytest.mark.parametrize("order", ["activity", "fan"])
def test_dense_prefixes_are_probed_and_list_what_the_set_lists(
    db: Database, generated: int, order: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word in a large share of messages whose prefix FTS5 keeps a doclist for (two or
    three letters, migration 0023) is tested message by message on SQLite: the walk's
    plan seeks each message's rowid in FTS5 and lists no matches first. Its windows,
    pages and positions are the set's."""
    monkeypatch.setattr(walk, "WALK_MIN_MATCHES", 1)
    dense = [InboxFilter(query=needle, order=order) for needle in ("you", "yo", "YOU")]
    sparse = [InboxFilter(query=needle, order=order) for needle in ("Lis", "pizza", "you're")]
    if db.is_sqlite:
        assert all(_walk_probes(db, generated, flt) for flt in dense)
        assert not any(_walk_probes(db, generated, flt) for flt in sparse)
        with diagnostics.captured_sql(db) as statements:
            inbox.conversations_window(db, generated, dense[0], 0, 9)
        rows_sql = next(s for s in statements if "messages_fts" in str(s[0]) and "JOIN" in str(s[0]))
        plan = diagnostics.query_plan(db, *rows_sql)
        fts = [line for line in plan if "messages_fts" in line]
        # Probed by rowid (idxStr "=M..."), not scanned whole for a list ("M...").
        assert fts and all(":=M" in line for line in fts), plan
    for flt in dense + sparse:
        with monkeypatch.context() as patch:
            patch.setattr(walk, "walk_window", lambda *args, **kwargs: None)
            expected = _ids(inbox.conversations_window(db, generated, flt, 0, 1000))
        assert expected, flt
        by_offset, by_keyset, anchor = [], [], None
        for offset in range(0, len(expected) + 9, 9):
            by_offset += walked(db, generated, flt, offset, 9, span=40)
            page = walked(db, generated, flt, offset, 9, anchor=anchor, span=40)
            by_keyset += page
            anchor = page[-1] if page else anchor
        assert _ids(by_offset) == _ids(by_keyset) == expected, flt
        with walking(40):
            for index in (0, len(expected) // 2, len(expected) - 1):
                assert inbox.position_of(db, generated, flt, expected[index]) == index, flt


def test_unfiltered_list_and_count_use_the_inbox_index(db: Database, generated: int) -> None:
    """EXPLAIN QUERY PLAN: the index drives, nothing sorts the whole list."""
    if not db.is_sqlite:
        pytest.skip("PostgreSQL plans depend on statistics; bench/bench_inbox.py prints them")
    for call, index in [
        (lambda: inbox.conversations_window(db, generated, InboxFilter(), 0, 50), "ix_conversations_inbox"),
        (
            lambda: inbox.conversations_window(db, generated, InboxFilter(unread_only=True), 0, 50),
            "ix_conversations_unread",
        ),
        (
            lambda: inbox.count_conversations(db, generated, InboxFilter(unread_only=True)),
            "ix_conversations_unread",
        ),
        (
            lambda: inbox.count_conversations(db, generated, InboxFilter(purchased_only=True)),
            "ix_conversations_account_fan",
        ),
    ]:
        with diagnostics.captured_sql(db) as statements:
            call()
        plan = diagnostics.query_plan(db, *statements[0])
        assert index in plan[0], plan
        assert not any("TEMP B-TREE" in line for line in plan), plan
        assert not any(line.startswith("SCAN") for line in plan), plan


def test_unfiltered_count_with_one_account_and_several(db: Database) -> None:
    """The SQLite fast path (a bare count when the account is alone) stays exact."""
    first = generate(db, account="first", fans=30, messages=90, seed=1, now=NOW)
    assert inbox.count_conversations(db, first.account_id, InboxFilter()) == 30
    if db.is_sqlite:
        with diagnostics.captured_sql(db) as statements:
            inbox.count_conversations(db, first.account_id, InboxFilter())
        plan = diagnostics.query_plan(db, *statements[0])
        assert not any("TEMP B-TREE" in line or "SCAN conversations" == line for line in plan), plan
    with db.write() as session:  # a conversation without messages is not listed
        fan = session.scalars(select(Fan).where(Fan.account_id == first.account_id)).first()
        session.execute(update(Conversation).where(Conversation.fan_id == fan.id).values(last_message_at=None))
    assert inbox.count_conversations(db, first.account_id, InboxFilter()) == 29
    second = generate(db, account="second", fans=12, messages=40, seed=2, now=NOW)
    third = generate(db, account="third", fans=5, messages=10, seed=3, now=NOW)
    assert inbox.count_conversations(db, first.account_id, InboxFilter()) == 29
    assert inbox.count_conversations(db, second.account_id, InboxFilter()) == 12
    assert inbox.count_conversations(db, third.account_id, InboxFilter()) == 5
    assert inbox.count_conversations(db, third.account_id + 1, InboxFilter()) == 0
    for account in (first.account_id, second.account_id, third.account_id):
        assert inbox.count_conversations(db, account, InboxFilter()) == len(
            inbox.conversations_window(db, account, InboxFilter(), 0, 100)
        )


def test_unread_filter_follows_changes(db: Database, generated: int) -> None:
    flt = InboxFilter(unread_only=True)
    before = inbox.count_conversations(db, generated, flt)
    rows = inbox.conversations_window(db, generated, flt, 0, 3)
    inbox.mark_read_locally(db, generated, rows[0].conversation_id)
    assert inbox.count_conversations(db, generated, flt) == before - 1
    with db.write() as session:
        session.execute(
            update(Conversation).where(Conversation.id == rows[0].conversation_id).values(unread_count=4)
        )
    assert inbox.conversations_window(db, generated, flt, 0, 3) == [
        inbox.conversation_header(db, generated, rows[0].conversation_id),
        *rows[1:],
    ]
