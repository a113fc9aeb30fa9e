"""Text boxes on screens whose letter keys are priority bindings (acted on as read).

Textual leaves a focused text box the keys it types, priority bindings' too, but finds
a key's character from its name, and for the names it shortens (``slash``, ``at``,
``minus``...) it finds none: ``/`` in the search would search again and ``@`` in a
reply would assign the conversation, instead of typing them. These boxes name the
character themselves.
"""

from __future__ import annotations

from textual.keys import REPLACED_KEYS, key_to_character
from textual.widgets import Input


class TypesItsKeys:
    """Takes every key that types a character, whatever Textual calls it."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        character = character or key_to_character(REPLACED_KEYS.get(key, key))
        return super().check_consume_key(key, character)  # type: ignore[misc]


class TextBox(TypesItsKeys, Input):
    pass
