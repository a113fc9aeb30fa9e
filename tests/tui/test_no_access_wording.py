"""The conversation list kept its own "No access to this account": every list says it
in the one wording, ``paged_list.NO_ACCESS``."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ofcrm_tui.tui.widgets import conversation_list
from ofcrm_tui.tui.widgets.conversation_list import ConversationList


def test_the_conversation_list_says_no_access_as_the_other_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(conversation_list, "NO_ACCESS", "the one wording")
    lost = SimpleNamespace(source=SimpleNamespace(lost=True))
    assert ConversationList.no_rows_text(lost) == "the one wording"  # type: ignore[arg-type]
