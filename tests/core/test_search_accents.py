"""Search folds accents on both sides, on both backends: "zoe" finds "Zoë" and "zoë"
finds "Zoe", in the inbox (listed, counted, walked), on the fans screen and in notes."""

from __future__ import annotations

from sqlalchemy import update

from ofcrm_tui.core.fans import FanFilter, fan_ids
from ofcrm_tui.store.models import Fan, Note
from tests.core import inbox_world
from tests.core.inbox_world import World, searched

world = inbox_world.world

NAMES = {"tie_a": "Zoë", "tie_b": "José", "tie_c": "Renée", "moonlight_rider": "Łukasz"}


def _named(world: World) -> None:
    with world.db.write() as session:
        for username, name in NAMES.items():
            session.execute(update(Fan).where(Fan.id == world.fans[username]).values(name=name))
        session.execute(update(Fan).where(Fan.id == world.fans["jo"]).values(nickname="Zoe"))


def test_the_inbox_finds_names_without_their_accents(world: World) -> None:
    _named(world)
    for needle, expected in [
        ("zoe", ["tie_a", "jo"]),  # "Zoë" and "Zoe"
        ("zoë", ["tie_a", "jo"]),  # folded on both sides
        ("ZOË", ["tie_a", "jo"]),
        ("jose", ["tie_b"]),
        ("JOSÉ", ["tie_b"]),
        ("renee", ["tie_c"]),
        ("lukasz", ["moonlight_rider"]),  # not the other account's
        ("łuk", ["moonlight_rider"]),
        ("se", ["tie_b"]),  # under three characters (LIKE): "José"
        ("ÉE", ["tie_c"]),  # "Renée"
        ("zoë tie_a", ["tie_a"]),
        ("other:zoe", []),
    ]:
        searched(world, needle, expected)


def _fans_found(world: World, needle: str) -> list[int]:
    with world.db.read() as session:
        return sorted(session.execute(fan_ids(world.db, world.account, FanFilter(search=needle)))
                      .scalars())


def test_the_fans_screen_finds_names_and_notes_without_their_accents(world: World) -> None:
    _named(world)
    fans = world.fans
    assert _fans_found(world, "zoe") == sorted([fans["tie_a"], fans["jo"]])
    assert _fans_found(world, "renee") == [fans["tie_c"]]
    with world.db.write() as session:
        session.add(Note(account_id=world.account, fan_id=fans["alex99"],
                         body="Loves CRÈME brûlée", author="ana"))
        session.add(Note(account_id=world.other, fan_id=fans["other:stranger"],
                         body="creme brulee", author="ana"))
    assert _fans_found(world, "creme brulee") == [fans["alex99"]]
    assert _fans_found(world, "Crême") == [fans["alex99"]]
