"""The platform interface core uses, and the gateways that serve it.

``Platform`` is what core calls on a client; ``PlatformClient`` (our own contract) and
the gateway adapters (``OFAuthClient``, ``OnlyFansAPIClient``, subclasses of it) all
provide it with the contract's models, ids, cents, plain text and error kinds.
``open_client`` builds the one an account's gateway needs; nothing above this package
knows which one it got.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Protocol, Self

if TYPE_CHECKING:  # httpx only types open_client's options: importing this sends nothing
    import httpx

    from .client import PlatformClient, SubscriberType
    from .pacing import Budget
    from .wire import Chat, Me, Media, Message, Page, Transaction, TransactionPage, User


class Gateway(enum.StrEnum):
    CONTRACT = "contract"
    OFAUTH = "ofauth"
    ONLYFANSAPI = "onlyfansapi"


# What each gateway calls the id that picks the creator account, for messages.
ACCOUNT_ID_NAME = {
    Gateway.OFAUTH: "connection id (--connection-id)",
    Gateway.ONLYFANSAPI: "account id (--gateway-account)",
}


class Platform(Protocol):
    """What core needs from a creator account's platform, whichever gateway serves it."""

    gateway: str
    base_url: str

    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> None: ...
    def close(self) -> None: ...
    def me(self) -> Me: ...
    def subscribers_page(
        self, type: SubscriberType = "all", limit: int = 100, offset: int = 0
    ) -> Page[User]: ...
    def iter_subscribers(self, type: SubscriberType = "all", page_size: int = 100) -> Iterator[User]: ...
    def chats_page(self, limit: int = 100, offset: int = 0) -> Page[Chat]: ...
    def iter_chats(self, page_size: int = 100) -> Iterator[Chat]: ...
    def messages_page(
        self, user_id: int, limit: int = 100, before_id: int | None = None
    ) -> Page[Message]: ...
    def iter_messages(
        self, user_id: int, before_id: int | None = None, page_size: int = 100
    ) -> Iterator[Message]: ...
    def send_message(
        self,
        user_id: int,
        text: str,
        price_cents: int = 0,
        media_ids: Sequence[int] = (),
        preview_ids: Sequence[int] = (),
        *,
        idempotency_key: str | None = None,
    ) -> Message: ...
    def mark_as_read(self, user_id: int) -> None: ...
    def transactions_page(
        self, limit: int = 100, marker: str | int | None = None
    ) -> TransactionPage: ...
    def iter_transactions(self, page_size: int = 100) -> Iterator[Transaction]: ...
    def media_page(self, limit: int = 100, offset: int = 0) -> Page[Media]: ...
    def iter_media(self, page_size: int = 100) -> Iterator[Media]: ...


def valid_gateway_id(value: str, what: str) -> str:
    """A connection or account id as it goes into a header or a path."""
    value = value.strip()
    if not value or not value.isascii() or not value.isprintable() or " " in value or "/" in value:
        raise ValueError(f"{what} must be printable ASCII without spaces or slashes")
    return value


def parse_gateway(value: str) -> Gateway:
    try:
        return Gateway(value)
    except ValueError:
        names = ", ".join(gateway.value for gateway in Gateway)
        raise ValueError(f"unknown gateway {value!r}: use one of {names}") from None


def open_client(
    gateway: str,
    base_url: str,
    token: str,
    *,
    gateway_account: str | None = None,
    timeout: httpx.Timeout | float | None = None,
    transport: httpx.BaseTransport | None = None,
    budget: Budget | None = None,
) -> PlatformClient:
    """The client for ``gateway``; ``gateway_account`` is the OFAuth connection id or the
    OnlyFansAPI.com account id (the contract has none). Raises ValueError for bad input."""
    from .client import PlatformClient
    from .ofauth import OFAuthClient
    from .onlyfansapi import OnlyFansAPIClient

    kind = parse_gateway(gateway)
    if kind is not Gateway.CONTRACT and not gateway_account:
        raise ValueError(f"the {kind.value} gateway needs the account's {ACCOUNT_ID_NAME[kind]}")
    if kind is Gateway.CONTRACT:
        kwargs = {} if timeout is None else {"timeout": timeout}
        return PlatformClient(base_url, token, transport=transport, budget=budget, **kwargs)
    assert gateway_account is not None
    if kind is Gateway.OFAUTH:
        return OFAuthClient(
            base_url, token, connection_id=gateway_account, timeout=timeout, transport=transport, budget=budget
        )
    return OnlyFansAPIClient(
        base_url, token, account_id=gateway_account, timeout=timeout, transport=transport, budget=budget
    )


def default_base_url(gateway: str) -> str | None:
    """Where a gateway lives when the account gives no --base-url (the contract has no default)."""
    from .ofauth import DEFAULT_BASE_URL as OFAUTH
    from .onlyfansapi import DEFAULT_BASE_URL as ONLYFANSAPI

    return {Gateway.OFAUTH: OFAUTH, Gateway.ONLYFANSAPI: ONLYFANSAPI}.get(parse_gateway(gateway))
