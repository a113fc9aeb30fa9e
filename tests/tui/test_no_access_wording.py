"""The conversation list kept its own "No access to this account": every list says it
in the one wording, ``paged_list.NO_ACCESS``, once it lets go (``PagedList.let_go``)."""

from __future__ import annotations

import pytest

from ofcrm_tui.tui.widgets import paged_list
from ofcrm_tui.tui.widgets.conversation_list import ConversationList


def test_the_conversation_list_says_no_access_as_the_other_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(paged_list, "NO_ACCESS", "the one wording")
    rows = ConversationList()
    rows.let_go()
    assert rows.empty_text == "the one wording"
