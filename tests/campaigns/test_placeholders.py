"""Placeholders: parsing, fallbacks, refusals, and SQL filling the same text as Python."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ofcrm_tui.core.campaigns import CampaignError, placeholders
from ofcrm_tui.core.campaigns.placeholders import Field, parse, preview
from ofcrm_tui.core.campaigns.spec import check_text
from ofcrm_tui.store.models import Fan
from tests.campaigns.conftest import World

FAN = {"name": "Ann", "nickname": "", "username": "ann42"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi {name}!", "Hi Ann!"),
        ("Hi {nickname|babe}", "Hi babe"),
        ("Hi {nickname}", "Hi "),
        ("@{username} {name|you}", "@ann42 Ann"),
        ("{{literal}} {name}", "{literal} Ann"),
        ("price | {name|x|y}", "price | Ann"),
        ("no placeholders", "no placeholders"),
    ],
)
def test_preview_fills_fields_and_fallbacks(text: str, expected: str) -> None:
    assert preview(text, FAN) == expected


def test_parse_keeps_fallback_text_as_typed() -> None:
    assert parse("a{nickname| my love }b") == ("a", Field("nickname", " my love "), "b")


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
        check_text("{nickname}")
    assert check_text("{nickname|babe}") == (Field("nickname", "babe"),)
    with pytest.raises(CampaignError, match="longer than"):
        check_text("x{name}" * 40)


def test_sql_fills_the_same_text_as_python(world: World) -> None:
    text = "Hey {nickname|babe}, {name|you} (@{username}) 'quoted' {{x}} ü"
    parts = parse(text)
    with world.db.read() as session:
        rows = session.execute(
            select(Fan.name, Fan.nickname, Fan.username, placeholders.sql(parts, Fan.__table__.c))
            .where(Fan.account_id == world.account)
        ).all()
    assert len(rows) == 5
    for name, nickname, username, filled in rows:
        assert filled == preview(text, {"name": name, "nickname": nickname, "username": username})
