"""Typed failures of platform requests, classified for the outbound queue.

Callers decide what to do from ``error.kind``, not from the class alone: a
``BadResponse`` to a send that the server accepted (2xx) is ambiguous, while the
same failure on a read is a clear one.

| kind           | classes                                  | what to do                        |
|----------------|------------------------------------------|-----------------------------------|
| CLEAR          | Transient, Unreachable, BadResponse       | retry with backoff                |
| AMBIGUOUS      | Ambiguous, BadResponse(effect_unknown)    | read the chat before any resend   |
| PERMANENT      | InvalidRequest, Forbidden, NotFound       | fail; do not retry unchanged      |
| RATE_LIMITED   | RateLimited                               | wait ``retry_after`` seconds      |
| UNAUTHORIZED   | Unauthorized                              | stop using the account            |
"""

from __future__ import annotations

import enum
import re
from datetime import UTC, datetime

# A Retry-After this long is a server bug; capping it keeps "blocked until" dates sane.
MAX_RETRY_AFTER = 24 * 3600.0
DEFAULT_RETRY_AFTER = 60.0

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_MAX_MESSAGE = 300


class ErrorKind(enum.StrEnum):
    CLEAR = "clear"
    AMBIGUOUS = "ambiguous"
    PERMANENT = "permanent"
    RATE_LIMITED = "rate_limited"
    UNAUTHORIZED = "unauthorized"


def one_line(text: str) -> str:
    """Server text made safe for a log line or a status bar: one line, no escapes, short."""
    flat = " ".join(_UNPRINTABLE.sub(" ", text).split())
    return flat if len(flat) <= _MAX_MESSAGE else flat[: _MAX_MESSAGE - 1] + "…"


class PlatformError(Exception):
    """A platform request that failed; ``endpoint`` is the method and path template."""

    kind: ErrorKind = ErrorKind.CLEAR

    def __init__(self, endpoint: str, message: str, *, status: int | None = None) -> None:
        self.endpoint = endpoint
        self.message = one_line(message)
        self.status = status
        super().__init__(f"{endpoint}: {self.message}")

    @property
    def retryable(self) -> bool:
        """True when the very same request may simply be sent again (after waiting)."""
        return self.kind in (ErrorKind.CLEAR, ErrorKind.RATE_LIMITED)


class Transient(PlatformError):
    """The request surely took no effect (not sent, a read, or an idempotent write)."""


class Unreachable(Transient):
    """No connection could be made: refused, DNS failure or connect timeout."""

    def __init__(self, endpoint: str, where: str, detail: str) -> None:
        self.where = where
        super().__init__(endpoint, f"server unreachable at {where} ({detail})")


class Ambiguous(PlatformError):
    """A non-idempotent request (a send) that may or may not have taken effect."""

    kind = ErrorKind.AMBIGUOUS


class BadResponse(PlatformError):
    """The server answered something that does not follow the contract."""

    def __init__(
        self,
        endpoint: str,
        message: str,
        *,
        status: int | None = None,
        effect_unknown: bool = False,
    ) -> None:
        super().__init__(endpoint, message, status=status)
        # A send answered 2xx with a broken body most likely went through.
        self.kind = ErrorKind.AMBIGUOUS if effect_unknown else ErrorKind.CLEAR


class InvalidRequest(PlatformError):
    """400/422 (or another 4xx): the request itself is wrong."""

    kind = ErrorKind.PERMANENT


class Forbidden(InvalidRequest):
    """403 on a send because the fan has no active subscription.

    The contract uses 403 both for revoked credentials and for this. Treating it as
    Unauthorized would stop the whole account over one lapsed fan, so a 403 to a send
    whose message mentions the subscription fails just that message.
    """


class NotFound(PlatformError):
    """404: unknown user or message."""

    kind = ErrorKind.PERMANENT


class Unauthorized(PlatformError):
    """401/403: the token is wrong or revoked; stop using this account until fixed."""

    kind = ErrorKind.UNAUTHORIZED


class RateLimited(PlatformError):
    """429: nothing was done; wait ``retry_after`` seconds before this kind of request."""

    kind = ErrorKind.RATE_LIMITED

    def __init__(self, endpoint: str, message: str, *, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(endpoint, f"{message} (retry after {retry_after:g} s)", status=429)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP date.

    Missing or unreadable: 60 s, as the contract says. A date in the past: 0.
    """
    if value is None:
        return DEFAULT_RETRY_AFTER
    value = value.strip()
    if value.isascii() and value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    from email.utils import parsedate_to_datetime  # rare, and ~20 ms to import

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return DEFAULT_RETRY_AFTER
    if when.tzinfo is None:  # "-0000" means UTC with no claim about local time
        when = when.replace(tzinfo=UTC)
    delay = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(delay, 0.0), MAX_RETRY_AFTER)
