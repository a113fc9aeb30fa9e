"""Counts in words: what a message names when it counts several things."""

from __future__ import annotations

from ofcrm_tui.core.wording import counted_list


def test_a_list_of_counts_names_only_what_there_is() -> None:
    assert counted_list((1, "note"), (2, "tag"), (0, "draft")) == "1 note and 2 tags"
    assert counted_list((0, "note"), (3, "draft"), (0, "tag")) == "3 drafts"
    assert counted_list((1, "note"), (1, "tag"), (2, "message waiting", "messages waiting")) == (
        "1 note, 1 tag and 2 messages waiting")
    assert counted_list((0, "note"), (0, "tag")) == ""
