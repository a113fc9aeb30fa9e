"""Every segment condition against fans of known traits, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import CampaignError, CampaignSpec, Segment
from ofcrm_tui.core.campaigns import segment as segment_module
from ofcrm_tui.core.campaigns.segment import chosen, recipient_counts, recipients
from ofcrm_tui.store import diagnostics
from ofcrm_tui.store.models import FanTag, Tag
from tests.campaigns.conftest import DAY, NOW, World, add_fan

ACTIVE = ("ann", "bob", "cat", "eve")

CASES = [
    (Segment(), ACTIVE),
    (Segment(tags_in=("vip",)), ("ann", "bob")),
    (Segment(tags_in=("late", "new")), ("bob", "cat")),
    (Segment(tags_out=("vip",)), ("cat", "eve")),
    (Segment(tags_in=("vip",), tags_out=("late",)), ("ann",)),
    (Segment(min_spent_cents=2000), ("ann", "eve")),
    (Segment(max_spent_cents=500), ("bob", "cat")),
    (Segment(min_spent_cents=500, max_spent_cents=2000), ("bob", "eve")),
    (Segment(inactive_days=30), ("bob", "cat")),  # never seen counts as inactive
    (Segment(active_days=7), ("ann", "eve")),
    (Segment(purchased_days=7), ("ann",)),  # eve's recent one is a subscription
    (Segment(purchased_days=90), ("ann", "bob", "eve")),
    (Segment(no_purchase_days=30), ("bob", "cat")),
    (Segment(subscribed_days=14), ("ann", "cat")),
    (Segment(expiring_days=7), ("ann",)),
    (Segment(expiring_days=21), ("ann", "bob", "eve")),
    (Segment(bought_ppv=True), ("ann", "eve")),
    (Segment(bought_ppv=False), ("bob", "cat")),
    (Segment(not_messaged_days=7), ("bob", "cat", "eve")),
    (Segment(not_messaged_days=14), ("bob", "cat")),
    (Segment(skip_live_minutes=10), ("ann", "cat", "eve")),
    (Segment(skip_live_minutes=3), ACTIVE),
    (Segment(status="all", tags_in=("vip",)), ("ann", "bob")),
    (Segment(status="expired"), ()),
]


@pytest.mark.parametrize(("segment", "expected"), CASES, ids=[str(c[0].to_json()) for c in CASES])
def test_each_condition_picks_the_right_fans(
    world: World, segment: Segment, expected: tuple[str, ...]
) -> None:
    with world.db.read() as session:
        got = set(session.scalars(recipients(world.db, world.account, segment, NOW)))
    assert got == world.ids(*expected)
    assert campaigns.count(world.db, world.account, segment, NOW).recipients == len(expected)


def test_excluded_fans_are_left_out(world: World) -> None:
    segment = Segment(exclude_fan_ids=(world.fans["ann"], world.fans["cat"]))
    assert campaigns.count(world.db, world.account, segment, NOW).recipients == 2
    sample = campaigns.sample(world.db, world.account, segment, NOW)
    assert {r.username for r in sample} == {"bob", "eve"}


def _hal(world: World) -> None:
    """An active vip fan made by hand (no platform id: no one to send to)."""
    with world.db.write() as session:
        hal = add_fan(session, world.account, "hal", None, total_spent_cents=3000)
        vip = session.scalar(select(Tag.id).where(Tag.account_id == world.account, Tag.name == "vip"))
        session.add(FanTag(fan_id=hal.id, tag_id=vip, account_id=world.account))
    world.fans["hal"] = hal.id


@pytest.mark.parametrize(("segment", "expected"), [CASES[0], CASES[1], CASES[5], CASES[-2]],
                         ids=["all", "vip", "spent", "all statuses"])
def test_fans_made_by_hand_are_never_recipients(
    world: World, segment: Segment, expected: tuple[str, ...]
) -> None:
    _hal(world)
    test_each_condition_picks_the_right_fans(world, segment, expected)
    sample = campaigns.sample(world.db, world.account, segment, NOW, limit=9)
    assert {r.username for r in sample} == set(expected)


def test_without_fans_made_by_hand_the_segment_is_counted_once(world: World) -> None:
    with diagnostics.captured_sql(world.db) as statements:
        count = campaigns.count(world.db, world.account, Segment(status="all", purchased_days=30), NOW)
    assert (count.recipients, count.no_platform_id, len(statements)) == (2, 0, 2)


def test_many_segments_are_counted_together_in_runs(
    world: World, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``recipient_counts`` (the campaigns scheduled before a send time) counts what each
    segment queues at its start as ``count`` does, a run of them a statement: at most
    ``_COUNTS_AT_ONCE`` of them, leaving out at most ``IN_CHUNK`` fans by name."""
    _hal(world)
    monkeypatch.setattr(segment_module, "_COUNTS_AT_ONCE", 3)
    monkeypatch.setattr(segment_module, "IN_CHUNK", 2)
    wanted = [(segment, NOW) for segment, _ in CASES[:4]] + [
        (Segment(exclude_fan_ids=tuple(world.ids("ann", "bob"))), NOW),
        (Segment(status="all", tags_in=("vip",), exclude_fan_ids=(world.fans["ann"],)),
         NOW + 400 * DAY),
    ]
    each = [campaigns.count(world.db, world.account, segment, start).recipients
            for segment, start in wanted]
    with diagnostics.captured_sql(world.db) as statements, world.db.read() as session:
        counted = recipient_counts(session, world.db, world.account, wanted)
    assert counted == each == [4, 2, 2, 2, 2, 1]
    assert len(statements) == 3  # 3 segments; 1 and 2 fans left out; 1 more


def test_count_says_how_many_fans_were_left_out(world: World) -> None:
    """Expired fans and fans made by hand (no platform id) get no message: the count
    leaves them out, as the launch does, and says so."""
    _hal(world)
    count = campaigns.count(world.db, world.account, Segment(status="all", tags_in=("vip",)), NOW)
    assert (count.recipients, count.expired, count.no_platform_id) == (2, 1, 1)
    assert count.left_out() == "1 expired fan and 1 fan without a platform id are left out"


def test_a_status_picks_no_fan_made_by_hand(world: World) -> None:
    """A fan made by hand has no subscription data: "active" does not pick them (as
    analytics counts them in no status), so the count says nothing of them."""
    _hal(world)
    with diagnostics.captured_sql(world.db) as statements:
        count = campaigns.count(world.db, world.account, Segment(tags_in=("vip",)), NOW)
    assert (count.recipients, count.expired, count.no_platform_id) == (2, 0, 0)
    assert len(statements) == 1  # no look for fans made by hand: none can be in it
    with world.db.read() as session:
        picked = set(session.scalars(chosen(world.db, world.account, Segment(), NOW)))
    assert world.fans["hal"] not in picked
    count = campaigns.count(world.db, world.account, Segment(status="expired"), NOW)
    assert (count.recipients, count.expired, count.no_platform_id) == (0, 1, 0)
    assert count.left_out() == "1 expired fan is left out"
    assert campaigns.count(world.db, world.account, Segment(tags_in=("new",)), NOW).left_out() == ""


def test_the_count_is_what_the_launch_queues(world: World) -> None:
    _hal(world)
    spec = CampaignSpec(name="vips", text="hey", segment=Segment(tags_in=("vip",)))
    checked = campaigns.check(world.db, world.account, spec, created_by="sam", now=NOW)
    created = campaigns.create(world.db, world.account, spec, created_by="sam", now=NOW)
    assert checked.recipients == created.recipients == 2


def test_a_segment_of_fans_made_by_hand_alone_has_no_recipients(world: World) -> None:
    _hal(world)
    spec = CampaignSpec(name="hal", text="hey", segment=Segment(
        status="all", tags_in=("vip",), exclude_fan_ids=(world.fans["ann"], world.fans["bob"])))
    left = "no recipients: 1 expired fan and 1 fan without a platform id are left"
    with pytest.raises(CampaignError, match=left):
        campaigns.check(world.db, world.account, spec, created_by="sam", now=NOW)


def test_sample_is_biggest_spenders_first_and_of_this_account_only(world: World) -> None:
    sample = campaigns.sample(world.db, world.account, Segment(), NOW, limit=3)
    assert [r.username for r in sample] == ["ann", "eve", "bob"]
    assert world.fans["zed"] not in {r.fan_id for r in sample}


def test_segment_round_trips_through_json() -> None:
    segment = Segment(tags_in=("vip",), bought_ppv=False, skip_live_minutes=30,
                      exclude_fan_ids=(4, 5), status="all")
    assert Segment.from_json(segment.to_json()) == segment
    assert Segment().to_json() == {}


@pytest.mark.parametrize(
    ("segment", "words"),
    [
        (Segment(), "active fans"),
        (Segment(min_spent_cents=30000), "active fans, spent at least $300.00"),
        (Segment(tags_in=("vip", "whale"), tags_out=("new",), status="all", inactive_days=1,
                 not_messaged_days=7, skip_live_minutes=30, bought_ppv=False,
                 exclude_fan_ids=(4, 5)),
         "all fans (expired ones left out), tagged vip or whale, not tagged new, not seen for "
         "1 day, not messaged for 7 days, no live chat in the last 30 minutes, never bought a "
         "PPV, 2 fans left out by name"),
    ],
)
def test_a_segment_in_words(segment: Segment, words: str) -> None:
    assert segment.describe() == words


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"inactive_days": -1}, "inactive days must be a whole number"),
        ({"inactive_days": 10**20}, "inactive days must be at most 36,500"),  # overflowed the dates
        ({"skip_live_minutes": 10**20}, "skip live minutes must be at most 52,560,000"),
        ({"min_spent_cents": 500, "max_spent_cents": 100}, r"minimum spend \$5.00 is above the maximum \$1.00"),
        ({"tags_in": ("vip", "#Whale"), "tags_out": ("whale", "VIP")},
         "#vip and #Whale are both wanted and left out: no fan can match"),
        ({"status": "gone"}, "bad status"),
    ],
)
def test_bad_segments_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(CampaignError, match=message):
        Segment(**kwargs).checked()


def test_a_stored_segment_no_fan_can_pass_is_read_and_refused_on_its_check(
    world: World,
) -> None:
    """A draft saved before the fan filter's rules reached segments: it is read (it
    opened no more: "#vip is both wanted and left out"), and refused where it is taken,
    its launch."""
    stored = Segment.from_json({"tags_in": ["vip"], "tags_out": ["vip"]})
    assert (stored.tags_in, stored.tags_out) == (("vip",), ("vip",))
    draft = campaigns.save_draft(world.db, world.account, CampaignSpec("Old", "hi", stored),
                                 created_by="me")
    spec, status = campaigns.load(world.db, world.account, draft)
    assert (spec.segment, status) == (stored, "draft")
    refusal = "^#vip is both wanted and left out: no fan can match$"
    with pytest.raises(CampaignError, match=refusal):
        stored.checked()
    with pytest.raises(CampaignError, match=refusal):
        campaigns.launch(world.db, world.account, draft, now=NOW)


def test_other_account_fans_never_counted(world: World) -> None:
    with world.db.read() as session:
        got = set(session.scalars(recipients(world.db, world.other, Segment(tags_in=("vip",)), NOW)))
        assert got == {world.fans["zed"]}
        assert world.fans["zed"] not in set(
            session.scalars(select(recipients(world.db, world.account, Segment(), NOW).subquery()))
        )


@pytest.mark.parametrize("segment", [
    Segment(),
    Segment(status="all"),
    Segment(bought_ppv=False, not_messaged_days=7, skip_live_minutes=30),
    Segment(status="all", bought_ppv=True, not_messaged_days=7),
])
def test_counts_read_fans_transactions_and_messages_from_indexes_alone(
    world: World, segment: Segment
) -> None:
    """The composer's live count never reads those tables' rows (SQLite's plan)."""
    if not world.db.is_sqlite:
        pytest.skip("SQLite's plan")
    _hal(world)
    with diagnostics.captured_sql(world.db) as statements:
        campaigns.count(world.db, world.account, segment, NOW)
    counted, *by_hand = (diagnostics.query_plan(world.db, *s) for s in statements)
    # Of status "all": are there fans made by hand, and how many are in the segment.
    assert len(by_hand) == (2 if segment.status == "all" else 0)
    scans = [line for line in counted + sum(by_hand, [])
             if line.startswith("SCAN") and line != "SCAN CONSTANT ROW"]  # (SELECT EXISTS)
    assert not scans, scans
    for line in counted:
        if line.startswith(("SEARCH fans", "SEARCH transactions", "SEARCH messages")):
            assert "COVERING INDEX" in line or "PRIMARY KEY" in line, counted
        if line.startswith("SEARCH transactions"):  # the PPV buyers alone, not every sale
            assert "type=?" in line, counted
    # The fans left out for want of a platform id: from an index alone, or the rows of
    # those fans alone (the unique key's range of no platform id).
    for plan in by_hand:
        searches = [line for line in plan if line.startswith("SEARCH fans")]
        assert searches and all("COVERING INDEX" in line or "platform_user_id=?" in line
                                for line in searches), plan
