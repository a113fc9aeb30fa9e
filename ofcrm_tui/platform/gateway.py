"""The gateways that serve the platform, and the client each one needs.

``PlatformClient`` (our own contract) is the interface core calls; the gateway
adapters (``OFAuthClient``, ``OnlyFansAPIClient``, subclasses of it) provide it with the
contract's models, ids, cents, plain text and error kinds. ``open_client`` builds the
one an account's gateway needs; nothing above this package knows which one it got.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # httpx only types open_client's options: importing this sends nothing
    import httpx

    from .client import PlatformClient
    from .pacing import Budget


class Gateway(enum.StrEnum):
    CONTRACT = "contract"
    OFAUTH = "ofauth"
    ONLYFANSAPI = "onlyfansapi"


# What each gateway calls the id that picks the creator account, for messages.
ACCOUNT_ID_NAME = {
    Gateway.OFAUTH: "connection id (--connection-id)",
    Gateway.ONLYFANSAPI: "account id (--gateway-account)",
}


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
    OnlyFansAPI.com account id (the contract has none); no ``timeout``: the client's default.
    Raises ValueError for bad input."""
    from .client import PlatformClient
    from .ofauth import OFAuthClient
    from .onlyfansapi import OnlyFansAPIClient

    kind = parse_gateway(gateway)
    options: dict[str, Any] = {"transport": transport, "budget": budget}
    if timeout is not None:
        options["timeout"] = timeout
    if kind is Gateway.CONTRACT:
        return PlatformClient(base_url, token, **options)
    if not gateway_account:
        raise ValueError(f"the {kind.value} gateway needs the account's {ACCOUNT_ID_NAME[kind]}")
    adapter = OFAuthClient if kind is Gateway.OFAUTH else OnlyFansAPIClient
    return adapter(base_url, token, gateway_account=gateway_account, **options)


def default_base_url(gateway: str) -> str | None:
    """Where a gateway lives when the account gives no --base-url (the contract has no default)."""
    from .ofauth import DEFAULT_BASE_URL as OFAUTH
    from .onlyfansapi import DEFAULT_BASE_URL as ONLYFANSAPI

    return {Gateway.OFAUTH: OFAUTH, Gateway.ONLYFANSAPI: ONLYFANSAPI}.get(parse_gateway(gateway))
