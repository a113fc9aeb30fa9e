"""Placeholders: parsing, fallbacks, refusals, and SQL filling the same text as Python."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ofcrm_tui.core.campaigns import CampaignError, placeholders
from ofcrm_tui.core.campaigns.placeholders import Field, parse, preview
from ofcrm_tui.core.campaigns.spec import check_text
from ofcrm_tui.store.models import Fan
from tests.campaigns.conftest import World

FAN = {"name": "Ann", "username": "ann42"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi {name}!", "Hi Ann!"),
        ("Hi {name|babe}", "Hi Ann"),
        ("@{username|x} {name}", "@ann42 Ann"),
        ("@{username} {name|you}", "@ann42 Ann"),
        ("{{literal}} {name}", "{literal} Ann"),
        ("price | {name|x|y}", "price | Ann"),
        ("no placeholders", "no placeholders"),
    ],
)
def test_preview_fills_fields_and_fallbacks(text: str, expected: str) -> None:
    assert preview(text, FAN) == expected


def test_parse_keeps_fallback_text_as_typed() -> None:
    assert parse("a{name| my love }b") == ("a", Field("name", " my love "), "b")


@pytest.mark.parametrize("text", ["Hey {nickname|babe}, new set", "Hi {nickname}", "{ nickname }"])
def test_the_teams_private_nickname_is_refused(text: str) -> None:
    """The nickname is the team's label for a fan ("timewaster"): never sent to fans."""
    with pytest.raises(CampaignError) as refused:
        parse(text)
    assert str(refused.value) == placeholders.NICKNAME_REFUSED
    assert "private label" in str(refused.value) and "{name}" in str(refused.value)
    assert preview("Hey {{nickname}}", FAN) == "Hey {nickname}"  # literal braces stay text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Hi {first_name}", r"unknown placeholder \{first_name\}"),
        ("Hi {Name}", "unknown placeholder"),
        ("Hi {}", "unknown placeholder"),
        ("50% off {", "a lone '{'"),
        ("oops }", "a lone '}'"),
    ],
)
def test_unknown_or_broken_placeholders_are_refused(text: str, message: str) -> None:
    with pytest.raises(CampaignError, match=message):
        parse(text)


def test_a_text_that_can_be_empty_needs_a_fallback() -> None:
    with pytest.raises(CampaignError, match="give the placeholder a fallback"):
        check_text("{name}")
    assert check_text("{name|babe}") == (Field("name", "babe"),)
    with pytest.raises(CampaignError, match="longer than"):
        check_text("x{name}" * 40)


def test_sql_fills_the_same_text_as_python(world: World) -> None:
    text = "Hey {name|babe}, {name|you} (@{username}) 'quoted' {{x}} ü"
    parts = parse(text)
    with world.db.read() as session:
        rows = session.execute(
            select(Fan.name, Fan.username, placeholders.sql(parts, Fan.__table__.c))
            .where(Fan.account_id == world.account)
        ).all()
    assert len(rows) == 5
    for name, username, filled in rows:
        assert filled == preview(text, {"name": name, "username": username})
