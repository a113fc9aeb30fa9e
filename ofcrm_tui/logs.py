"""JSON-lines logs in the user state directory, with secrets redacted.

Every token the process learns is registered here, and every record is scrubbed of
registered secrets and of anything that looks like a bearer credential before it is
encoded or written anywhere.

Each process writes a file of its own, ``ofcrm.<kind>.<pid>.log.jsonl`` (kind: app,
worker, cli...), rotated only by that process: the app, workers and commands running
at once never share a file, so no rotation of one can lose or interleave another's
lines. Files untouched for ``KEEP_DAYS`` are removed when a process starts logging.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import re
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# A credential after ``Bearer`` as HTTP writes it (or after any-case ``authorization:``),
# not the word in prose ("missing or wrong bearer token").
_BEARER = re.compile(r"((?:(?i:authorization:\s*)bearer|Bearer)\s+)[^\s'\",]+")
# What may touch a token on either side in text: a character a token could hold
# means the match is part of a longer word, not the token.
_TOKEN_CHARS = r"A-Za-z0-9_\-"
# Shorter strings are not plausible credentials, and masking them would blank
# ordinary words ("wrong", "demo") wherever they appear.
MIN_SECRET_LENGTH = 8
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None
_secrets_lock = threading.Lock()
MASK = "***"
KEEP_DAYS = 14
LOG_SUFFIX = ".log.jsonl"


def register_secret(secret: str) -> None:
    """Never let ``secret`` reach a log line (when it is long enough to be one)."""
    global _pattern
    if len(secret) >= MIN_SECRET_LENGTH:
        with _secrets_lock:
            if secret not in _secrets:
                _secrets.add(secret)
                known = "|".join(re.escape(s) for s in sorted(_secrets, key=len, reverse=True))
                _pattern = re.compile(rf"(?<![{_TOKEN_CHARS}])(?:{known})(?![{_TOKEN_CHARS}])")


def redact(text: str) -> str:
    """``text`` with whole occurrences of registered secrets and bearer values masked."""
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    return _BEARER.sub(rf"\g<1>{MASK}", text)


class JsonFormatter(logging.Formatter):
    """One JSON object a line; the fields are redacted before encoding, so escaping
    a token's ``"`` or ``\\`` cannot hide it from the redaction."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "process": f"{self.kind}.{record.process}",
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class RedactingConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _not_for_console(record: logging.LogRecord) -> bool:
    """Records the command line has already shown the user (``extra={"file_only": True}``)."""
    return not getattr(record, "file_only", False)


def log_file(directory: Path, kind: str) -> Path:
    """This process's log file."""
    return directory / f"ofcrm.{kind}.{os.getpid()}{LOG_SUFFIX}"


def remove_old_logs(directory: Path, *, now: float | None = None) -> None:
    """Delete log files (and their rotated copies) untouched for ``KEEP_DAYS``."""
    cutoff = (time.time() if now is None else now) - KEEP_DAYS * 86_400
    for path in directory.glob(f"ofcrm.*{LOG_SUFFIX}*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass  # another process removed it first, or it is not ours to remove


def _console_handler() -> logging.Handler:
    stream = logging.StreamHandler()
    stream.setFormatter(RedactingConsoleFormatter("%(levelname)s %(name)s: %(message)s"))
    stream.addFilter(_not_for_console)
    return stream


def setup_logging(directory: Path, kind: str, level: str = "INFO", *, console: bool = False) -> None:
    """Route the ``ofcrm_tui`` loggers to this process's file in ``directory`` (and
    stderr when ``console``). A directory that cannot be written sends the log to
    stderr instead, after one warning line."""
    logger = logging.getLogger("ofcrm_tui")
    logger.setLevel(level)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    logger.propagate = False
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not os.access(directory, os.W_OK):
            raise PermissionError(13, "Permission denied")
        remove_old_logs(directory)
        # Opened on the first record: a command that logs nothing leaves no file.
        file_handler = logging.handlers.RotatingFileHandler(
            log_file(directory, kind), maxBytes=5_000_000, backupCount=3, encoding="utf-8",
            delay=True,
        )
    except OSError as exc:
        print(
            f"ofcrm: warning: cannot write logs in {directory} ({exc.strerror or exc}); "
            "logging to stderr",
            file=sys.stderr,
        )
        logger.addHandler(_console_handler())
        return
    file_handler.setFormatter(JsonFormatter(kind))
    logger.addHandler(file_handler)
    if console:
        logger.addHandler(_console_handler())
