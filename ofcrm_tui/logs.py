"""JSON-lines logs in the user state directory, with secrets redacted.

Every token the process learns is registered here, and every record is scrubbed of
registered secrets and of anything that looks like a bearer credential before it is
written anywhere.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_BEARER = re.compile(r"(?i)(bearer\s+)[^\s'\",]+")
_secrets: set[str] = set()
_secrets_lock = threading.Lock()
MASK = "***"


def register_secret(secret: str) -> None:
    """Never let ``secret`` reach a log line."""
    if secret:
        with _secrets_lock:
            _secrets.add(secret)


def redact(text: str) -> str:
    with _secrets_lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, MASK)
    return _BEARER.sub(rf"\g<1>{MASK}", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False))


class RedactingConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(log_file: Path, level: str = "INFO", *, console: bool = False) -> None:
    """Route the ``ofcrm_tui`` loggers to ``log_file`` (and stderr when ``console``)."""
    logger = logging.getLogger("ofcrm_tui")
    logger.setLevel(level)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    log_file.parent.mkdir(parents=True, exist_ok=True)
    file_handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=5_000_000, backupCount=3, encoding="utf-8"
    )
    file_handler.setFormatter(JsonFormatter())
    logger.addHandler(file_handler)
    if console:
        stream = logging.StreamHandler()
        stream.setFormatter(RedactingConsoleFormatter("%(levelname)s %(name)s: %(message)s"))
        logger.addHandler(stream)
    logger.propagate = False
