"""Python's cycle collector paused while a CSV import or export streams its rows."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off for the block (on again after, if it was on).

    A batch of rows is tens of thousands of lists and tuples that live until the next
    batch, so the collector would run every few hundred of them and walk every
    survivor again: a fifth of an import's time, a twentieth of an export's. Neither
    makes reference cycles row by row (``tests/fans/test_csv_streaming.py`` checks it), so
    nothing piles up meanwhile; the pause is process-wide and lasts as long as the block.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
