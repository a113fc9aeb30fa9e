"""What the ``ofcrm_tui`` loggers write, as the app's and a worker's log files get it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


class LogRecords(logging.Handler):
    """The package's records (its logger does not propagate once logging is set up, so
    caplog may miss them): ``lines``, each its level and message."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelno, record.getMessage()))

    def at(self, level: int) -> list[str]:
        return [line for found, line in self.lines if found == level]


@pytest.fixture(name="records")
def records_fixture() -> Iterator[LogRecords]:
    logger, handler = logging.getLogger("ofcrm_tui"), LogRecords()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
