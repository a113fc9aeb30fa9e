"""Placeholders in a campaign's text: ``{name}`` (the fan's name on the platform) and
``{username}``, each with an optional fallback for a fan without the field
(``{name|babe}``); ``{{`` and ``}}`` are literal braces.

Only what the fan would recognise goes to fans: ``{nickname}`` (the team's private label
for a fan, "timewaster" as well as "Sunshine") is refused with ``NICKNAME_REFUSED``, also
in a campaign saved before that rule, when it starts. Saved replies refuse it too.

A text is parsed once into literal pieces and fields. ``render`` fills it in Python (the
preview); ``sql`` builds the same text as one SQL expression over the fans table, so a
launch fills every recipient's message inside its ``INSERT … SELECT``. A field counts
as missing when it is the empty string (what sync stores for an absent name).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

from sqlalchemy import String, case, literal

from ofcrm_tui.core.campaigns.errors import CampaignError
from ofcrm_tui.core.outbox.rules import normalise_text

FIELDS = ("name", "username")
NICKNAME_REFUSED = (
    "{nickname} is your team's private label for a fan and never goes to fans: use {name} "
    "or {username}"
)
# The longest a field can be (``fans`` columns are String(255)): for the length check.
FIELD_MAX = 255

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


@dataclass(frozen=True)
class Field:
    name: str
    fallback: str = ""


Part = str | Field


def parse(text: str) -> tuple[Part, ...]:
    """The pieces of ``text``; CampaignError naming the first unknown placeholder."""
    parts: list[Part] = []
    literal_text: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        literal_text.append(text[position : match.start()])
        position = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            literal_text.append(token[0])
            continue
        if match.group(1) is None:
            raise CampaignError(
                f"a lone {token!r} in the text: write {token * 2!r} for a brace, or a "
                "placeholder such as {name}"
            )
        name, _, fallback = match.group(1).partition("|")
        if name.strip() == "nickname":
            raise CampaignError(NICKNAME_REFUSED)
        if name.strip() not in FIELDS:
            raise CampaignError(
                f"unknown placeholder {token}: use {{name}} or {{username}}, with a fallback "
                "as in {name|babe}"
            )
        parts.append("".join(literal_text))
        literal_text = []
        parts.append(Field(name.strip(), fallback))
    parts.append("".join(literal_text) + text[position:])
    return tuple(part for part in parts if part != "")


def render(parts: Sequence[Part], fan: Mapping[str, str]) -> str:
    """The text for one fan (``fan`` maps field names to the fan's values)."""
    return "".join(
        part if isinstance(part, str) else (fan.get(part.name) or part.fallback)
        for part in parts
    )


def shortest(parts: Sequence[Part]) -> str:
    """The text for a fan with every field empty: what must still be a message."""
    return render(parts, {})


def longest_length(parts: Sequence[Part]) -> int:
    """The most characters the text can have once filled."""
    return sum(
        len(part) if isinstance(part, str) else max(FIELD_MAX, len(part.fallback))
        for part in parts
    )


def sql(parts: Sequence[Part], columns: Any) -> Any:
    """The filled text as a SQL expression over ``columns`` (the fans table's ``.c``)."""
    pieces = [
        literal(part, String)
        if isinstance(part, str)
        else case((columns[part.name] == "", literal(part.fallback, String)),
                  else_=columns[part.name])
        for part in parts
    ]
    return reduce(lambda left, right: left + right, pieces)


def preview(text: str, fan: Mapping[str, str]) -> str:
    """``text`` as ``fan`` would get it (CampaignError for an unknown placeholder)."""
    return render(parse(normalise_text(text)), fan)
