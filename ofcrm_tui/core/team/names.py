"""Chatter names: what identifies a chatter in presence, assignment, notes and sends."""

from __future__ import annotations

from ofcrm_tui.errors import OfcrmError

MAX_CHATTER = 128


class TeamError(OfcrmError):
    """A team action refused (an assignment, a name); one line, for the user."""


def check_chatter(name: str) -> str:
    """The name stripped; TeamError when it is blank or too long."""
    cleaned = (name or "").strip()
    if not cleaned:
        raise TeamError("a chatter name cannot be blank")
    if len(cleaned) > MAX_CHATTER:
        raise TeamError(f"a chatter name is at most {MAX_CHATTER} characters")
    return cleaned
