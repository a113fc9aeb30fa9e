"""Synchronous client for the platform contract, one per creator account.

It runs in worker threads and headless processes, never on the UI event loop.
Every failure is raised as a ``PlatformError`` subclass (see errors.py); the token
never appears in an error, a repr or a log line of ours.

The gateway adapters (ofauth.py, onlyfansapi.py, on adapter.GatewayClient) are
subclasses: they change the hooks (``_prefix``, ``_auth_headers``, ``_error_detail``,
``_error_for``, the rate-limit headers read by ``_observe``, a send's ``_check_price``,
``_send_headers`` and ``_sent_message``) and the endpoints whose paths or shapes differ.
"""

from __future__ import annotations

import functools
import json
import ssl
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Literal, Self, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from .errors import (
    Ambiguous,
    BadResponse,
    Forbidden,
    InvalidRequest,
    NotFound,
    PlatformError,
    RateLimited,
    Transient,
    Unauthorized,
    Unreachable,
    parse_retry_after,
)
from .money import dollars_json
from .pacing import Budget
from .text import text_to_html
from .wire import (
    Chat,
    Me,
    Media,
    Message,
    Page,
    SendMessageRequest,
    Success,
    Transaction,
    TransactionPage,
    User,
)

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
MAX_LIMIT = 100

SubscriberType = Literal["all", "active", "expired"]
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

_SEND = "POST /chats/{userId}/messages"


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every client (as httpx makes its default: the CA bundle, or
    ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``): each client made its own, reading the bundle
    again (~30 ms of CPU a client; an agency's worker makes one per account)."""
    return httpx.create_ssl_context()


class PlatformClient:
    """``with PlatformClient(base_url, token) as client: client.me()``."""

    gateway = "contract"
    _prefix = "/api2/v2"

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        budget: Budget | None = None,
    ) -> None:
        # A malformed header would make httpx quote the token in its error.
        if not token or not token.isascii() or not token.isprintable() or " " in token:
            raise ValueError("token must be a non-empty string of printable ASCII without spaces")
        url = httpx.URL(base_url.rstrip("/"))
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"base URL must be http(s)://host[:port], not {base_url!r}")
        if url.userinfo:
            raise ValueError("base URL must not hold credentials; the token is the credential")
        self.base_url = str(url)
        self._token = token
        self.budget = budget
        self._http = httpx.Client(
            base_url=str(url),
            headers={**self._auth_headers(token), "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
            verify=tls_context(),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"

    def _auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- endpoints -------------------------------------------------------------------

    def me(self) -> Me:
        return self._call("GET", "/users/me", Me)

    def subscribers_page(
        self, type: SubscriberType = "all", limit: int = MAX_LIMIT, offset: int = 0
    ) -> Page[User]:
        params = {"type": type, "limit": _limit(limit), "offset": offset}
        return self._call("GET", "/subscriptions/subscribers", Page[User], params=params)

    def iter_subscribers(
        self, type: SubscriberType = "all", page_size: int = MAX_LIMIT
    ) -> Iterator[User]:
        return self._walk_offset(
            "GET /subscriptions/subscribers",
            lambda offset: self.subscribers_page(type, page_size, offset),
            key=lambda user: user.id,
        )

    def chats_page(self, limit: int = MAX_LIMIT, offset: int = 0) -> Page[Chat]:
        """Chats with the newest last message first."""
        params = {"limit": _limit(limit), "offset": offset, "order": "recent"}
        return self._call("GET", "/chats", Page[Chat], params=params)

    def iter_chats(self, page_size: int = MAX_LIMIT) -> Iterator[Chat]:
        return self._walk_offset(
            "GET /chats",
            lambda offset: self.chats_page(page_size, offset),
            key=lambda chat: chat.with_user.id,
        )

    def messages_page(
        self, user_id: int, limit: int = MAX_LIMIT, before_id: int | None = None
    ) -> Page[Message]:
        """Messages newest first; with ``before_id``, only those older than it."""
        params: dict[str, Any] = {"limit": _limit(limit), "order": "desc"}
        if before_id is not None:
            params["id"] = _id(before_id)
        return self._call(
            "GET", "/chats/{userId}/messages", Page[Message], user_id=user_id, params=params
        )

    def iter_messages(
        self, user_id: int, before_id: int | None = None, page_size: int = MAX_LIMIT
    ) -> Iterator[Message]:
        """Newest first, walking back by id; break out once a known message shows up."""
        seen: set[int] = set()
        while True:
            page = self.messages_page(user_id, page_size, before_id)
            yield from _fresh("GET /chats/{userId}/messages", page, seen, lambda m: m.id)
            if not page.has_more:
                return
            oldest = min(message.id for message in page.items)
            if before_id is not None and oldest >= before_id:
                raise BadResponse(
                    "GET /chats/{userId}/messages", "hasMore is true but no older messages came"
                )
            before_id = oldest

    def send_message(
        self,
        user_id: int,
        text: str,
        price_cents: int = 0,
        media_ids: Sequence[int] = (),
        preview_ids: Sequence[int] = (),
        *,
        idempotency_key: str | None = None,
    ) -> Message:
        """Send plain ``text``; returns the created message.

        Raises Ambiguous (or a BadResponse of kind AMBIGUOUS) when the message may
        have been delivered: read the chat before sending it again. ``idempotency_key``
        (one per outbound row) is used by gateways that replay a repeated send's answer
        instead of sending twice; the contract has no such key and ignores it.
        """
        self._check_price(price_cents)
        request = SendMessageRequest(
            text=text_to_html(text),
            price=dollars_json(price_cents),
            media_files=list(media_ids),
            previews=list(preview_ids),
        )
        return self._call(
            "POST",
            "/chats/{userId}/messages",
            Message,
            user_id=user_id,
            body=request.model_dump(by_alias=True),
            idempotent=False,
            headers=self._send_headers(idempotency_key),
            convert=self._sent_message,
        )

    def mark_as_read(self, user_id: int) -> None:
        # Marking read twice is harmless, so this POST counts as idempotent.
        self._call("POST", "/chats/{userId}/mark-as-read", Success, user_id=user_id)

    def transactions_page(
        self, limit: int = MAX_LIMIT, marker: str | int | None = None
    ) -> TransactionPage:
        """Transactions newest first; pass the previous page's ``next_marker``."""
        params = marker_params(limit, marker)
        return self._call("GET", "/payouts/transactions", TransactionPage, params=params)

    def iter_transactions(self, page_size: int = MAX_LIMIT) -> Iterator[Transaction]:
        seen: set[str] = set()
        marker: str | int | None = None
        while True:
            page = self.transactions_page(page_size, marker)
            yield from _fresh("GET /payouts/transactions", page, seen, lambda t: t.id)
            if not page.has_more:
                return
            marker = page.next_marker

    def media_page(self, limit: int = MAX_LIMIT, offset: int = 0) -> Page[Media]:
        params = {"limit": _limit(limit), "offset": offset}
        return self._call("GET", "/vault/media", Page[Media], params=params)

    def iter_media(self, page_size: int = MAX_LIMIT) -> Iterator[Media]:
        return self._walk_offset(
            "GET /vault/media",
            lambda offset: self.media_page(page_size, offset),
            key=lambda media: media.id,
        )

    # -- plumbing --------------------------------------------------------------------

    def _walk_offset(
        self, endpoint: str, fetch: Callable[[int], Page[T]], key: Callable[[T], Hashable]
    ) -> Iterator[T]:
        seen: set[Hashable] = set()
        offset = 0
        while True:
            page = fetch(offset)
            yield from _fresh(endpoint, page, seen, key)
            if not page.has_more:
                return
            offset += len(page.items)

    def _call(
        self,
        method: str,
        template: str,
        model: type[M],
        *,
        user_id: int | None = None,
        params: dict[str, Any] | None = None,
        body: Any = None,
        idempotent: bool = True,
        prefix: str | None = None,
        headers: dict[str, str] | None = None,
        convert: Callable[[Any], Any] | None = None,
    ) -> M:
        """One request, its answer validated as ``model`` after ``convert`` (a gateway's
        shape turned into the contract's); every failure as a PlatformError."""
        endpoint = f"{method} {template}"
        path = template if user_id is None else template.format(userId=_id(user_id))
        path = (self._prefix if prefix is None else prefix) + path
        if self.budget is not None:
            self.budget.take()
        try:
            response = self._http.request(method, path, params=params, json=body, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise Unreachable(endpoint, self.base_url, self._describe(exc)) from exc
        except httpx.PoolTimeout as exc:
            raise Transient(endpoint, f"no free connection ({self._describe(exc)})") from exc
        except httpx.TransportError as exc:
            # Sent, or partly sent, and no answer came back.
            error = Transient if idempotent else Ambiguous
            raise error(endpoint, f"no answer: {self._describe(exc)}") from exc
        except httpx.DecodingError as exc:  # an answer came, but its body is garbled
            raise BadResponse(
                endpoint, f"unreadable answer: {self._describe(exc)}", effect_unknown=not idempotent
            ) from exc
        finally:
            if self.budget is not None:
                self.budget.done()
        self._observe(response)
        if response.is_success:
            return _parse(endpoint, response, model, effect_unknown=not idempotent, convert=convert)
        detail = self._scrub(self._error_detail(response))
        error = self._error_for(endpoint, response, detail, idempotent=idempotent)
        if isinstance(error, RateLimited) and self.budget is not None:
            self.budget.drain(error.retry_after)
        raise error

    # -- gateway hooks -----------------------------------------------------------------

    def _observe(self, response: httpx.Response) -> None:
        """Read the answer's rate-limit headers into the budget (the contract has none)."""

    def _error_detail(self, response: httpx.Response) -> str:
        """The contract's ``error.message``, else whatever text the body holds."""
        return _server_message(response)

    def _error_for(
        self, endpoint: str, response: httpx.Response, detail: str, *, idempotent: bool
    ) -> PlatformError:
        return _status_error(endpoint, response, detail, idempotent=idempotent)

    def _check_price(self, price_cents: int) -> None:
        """Raises ValueError for a price this server would refuse (before anything is sent)."""
        if isinstance(price_cents, bool) or not isinstance(price_cents, int) or price_cents < 0:
            raise ValueError(f"price_cents must be a non-negative int, not {price_cents!r}")

    def _send_headers(self, idempotency_key: str | None) -> dict[str, str] | None:
        """A send's own headers: the contract has no idempotency key."""
        return None

    def _sent_message(self, body: Any) -> Any:
        """A send's answer as the contract's Message (the contract's is one already)."""
        return body

    def _describe(self, exc: httpx.HTTPError) -> str:
        return self._scrub(str(exc) or type(exc).__name__)

    def _scrub(self, text: str) -> str:
        """Servers may echo what they were sent; keep the token out of our errors."""
        return text.replace(self._token, "***")


def _status_error(
    endpoint: str, response: httpx.Response, detail: str, *, idempotent: bool
) -> PlatformError:
    status = response.status_code
    message = f"HTTP {status}: {detail}"
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimited(endpoint, message, retry_after=retry_after)
    if status == 401:
        return Unauthorized(endpoint, message, status=status)
    if status == 403:
        if endpoint == _SEND and "subscri" in message.lower():
            return Forbidden(endpoint, message, status=status)
        return Unauthorized(endpoint, message, status=status)
    if status == 404:
        return NotFound(endpoint, message, status=status)
    if status == 408:  # the server gave up waiting for the request: nothing was done
        return Transient(endpoint, message, status=status)
    if 400 <= status < 500:
        return InvalidRequest(endpoint, message, status=status)
    if status >= 500:
        error = Transient if idempotent else Ambiguous
        return error(endpoint, message, status=status)
    return BadResponse(endpoint, f"unexpected HTTP status {status}", status=status)


def _server_message(response: httpx.Response, *path: str) -> str:
    """The message at ``path`` in the JSON body (the contract's ``error.message`` by
    default), else whatever text the body holds."""
    try:
        message: Any = json.loads(response.content)
        for key in path or ("error", "message"):
            message = message[key]
        if isinstance(message, str) and message.strip():
            return message
    except (ValueError, TypeError, KeyError):
        pass
    text = response.content[:200].decode("utf-8", "replace").strip()
    return text or response.reason_phrase or "no details"


def _parse(
    endpoint: str,
    response: httpx.Response,
    model: type[M],
    *,
    effect_unknown: bool,
    convert: Callable[[Any], Any] | None = None,
) -> M:
    status = response.status_code
    try:
        data = json.loads(response.content, parse_float=Decimal)
    except ValueError:
        raise BadResponse(
            endpoint, "answer is not JSON", status=status, effect_unknown=effect_unknown
        ) from None
    try:
        if convert is not None:
            data = convert(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadResponse(
            endpoint,
            f"unexpected answer ({type(exc).__name__}: {exc})",
            status=status,
            effect_unknown=effect_unknown,
        ) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, error['loc'])) or 'answer'}: {error['msg']}"
            for error in exc.errors()[:3]
        )
        raise BadResponse(
            endpoint,
            f"unexpected answer ({problems})",
            status=status,
            effect_unknown=effect_unknown,
        ) from None


def _fresh(
    endpoint: str, page: Page[T], seen: set[Any], key: Callable[[T], Hashable]
) -> Iterable[T]:
    """Items not yielded before in this walk.

    A page that says hasMore but brings nothing new would make the walk loop forever.
    """
    fresh = []
    for item in page.items:
        if key(item) not in seen:
            seen.add(key(item))
            fresh.append(item)
    if page.has_more and not fresh:
        raise BadResponse(endpoint, "hasMore is true but the page brought nothing new")
    return fresh


def marker_params(limit: int, marker: str | int | None) -> dict[str, Any]:
    """A transactions page's query: ``limit`` and, after the first page, its ``marker``."""
    params: dict[str, Any] = {"limit": _limit(limit)}
    if marker is not None:
        params["marker"] = marker
    return params


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    return limit


def _id(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"ids are positive integers, not {value!r}")
    return value
