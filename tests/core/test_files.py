"""Exports are written beside their destination and moved over it; never over a device."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ofcrm_tui.core.files import written_in_place
from ofcrm_tui.errors import OfcrmError


def test_a_device_is_refused_and_left_alone() -> None:
    with pytest.raises(OfcrmError, match=r"^cannot write /dev/null: not a regular file"):
        with written_in_place("/dev/null"):
            pytest.fail("the block must not run")
    assert not Path("/dev/null").is_file()


def test_a_failed_block_leaves_the_old_file_and_no_partial(tmp_path: Path) -> None:
    target = tmp_path / "fans.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError):
        with written_in_place(target) as out:
            out.write("half")
            raise RuntimeError("stop")
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["fans.csv"]
    with written_in_place(target) as out:
        out.write("new\n")
    assert target.read_text() == "new\n" and os.listdir(tmp_path) == ["fans.csv"]


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="Linux's /proc")
def test_a_folder_that_refuses_files_names_the_file_not_the_folder() -> None:
    """/proc is there but makes no files: the OS's reason is the file's (was "cannot
    write in /proc: No such file or directory", as if /proc were missing)."""
    with pytest.raises(OfcrmError) as refused:
        with written_in_place("/proc/x.csv"):
            pytest.fail("the block must not run")
    assert str(refused.value) == "cannot write /proc/x.csv: No such file or directory"


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(OfcrmError) as refused:
        with written_in_place(missing / "x.csv"):
            pytest.fail("the block must not run")
    assert str(refused.value) == f"cannot write in {missing}: No such file or directory"
