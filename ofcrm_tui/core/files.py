"""Files the CRM writes (exports): written beside their destination and moved over it
at the end, so a failed write leaves nothing half-written; only a regular file (or
nothing) is replaced, never a device such as ``/dev/null``. An export asks before it
replaces a file (``existing``: what would be lost, for the question)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from stat import S_ISREG
from typing import TextIO

from ofcrm_tui.core.wording import counted
from ofcrm_tui.errors import OfcrmError


def date_cell(value: datetime | None) -> str:
    """A moment as every export writes it, in UTC to the second: ``2026-01-31T18:00:00Z``
    (empty for none). Imports read this and ISO times with fractions or offsets alike."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def size_text(size: int) -> str:
    """``1 byte``, ``900 bytes``, ``30 KB``, ``2.5 MB``."""
    if size < 1000:
        return counted(size, "byte")
    if size < 1000 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def existing(path: str | Path) -> str | None:
    """What a write to ``path`` would replace, in words (``out.csv exists (30 KB,
    modified 2026-11-30 09:41)``, this machine's time); None when no regular file is
    there (``written_in_place`` refuses anything else)."""
    target = Path(path)
    try:
        stat = target.stat()
    except OSError:
        return None
    if not S_ISREG(stat.st_mode):
        return None
    modified = datetime.fromtimestamp(stat.st_mtime)
    return f"{target} exists ({size_text(stat.st_size)}, modified {modified:%Y-%m-%d %H:%M})"


@contextmanager
def written_in_place(path: str | Path) -> Iterator[TextIO]:
    """A text file (UTF-8, CSV newlines) that becomes ``path`` when the block ends
    without an error; an OfcrmError names what could not be written."""
    target = Path(path)
    if target.exists() and not target.is_file():
        raise OfcrmError(f"cannot write {target}: not a regular file (give a file's path)")
    folder = target.parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                             dir=folder)
    except OSError as exc:
        # A folder that is there refuses the file (/proc: "No such file or directory"):
        # the error is the file's; otherwise the folder is missing or not one.
        where = str(target) if folder.is_dir() else f"in {folder}"
        raise OfcrmError(f"cannot write {where}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            yield out
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OfcrmError(f"cannot write {target}: {exc.strerror}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
