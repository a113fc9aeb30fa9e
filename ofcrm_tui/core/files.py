"""Files the CRM writes (exports): written beside their destination and moved over it
at the end, so a failed write leaves nothing half-written; only a regular file (or
nothing) is replaced, never a device such as ``/dev/null``."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from ofcrm_tui.errors import OfcrmError


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
        raise OfcrmError(f"cannot write in {folder}: {exc.strerror}") from None
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
