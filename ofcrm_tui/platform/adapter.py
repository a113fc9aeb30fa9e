"""What the gateway adapters (ofauth.py, onlyfansapi.py) share.

A gateway serves many creator accounts and picks one by an id of its own (an OFAuth
connection, an OnlyFansAPI.com account); it paces every request, so a client starts
with the gateway's smallest budget and reads the plan's from its rate-limit headers;
and some answers mean no request on this account can succeed until a person acts
(a session to reconnect, credits to top up): those are Unauthorized, whatever the status.
"""

from __future__ import annotations

from typing import Any

import httpx

from .client import DEFAULT_TIMEOUT, PlatformClient
from .errors import PlatformError, Unauthorized
from .gateway import valid_gateway_id
from .pacing import Budget
from .ratelimit_headers import read_budget_headers


class GatewayClient(PlatformClient):
    """``Adapter(base_url, api_key, gateway_account=...)``; the contract's interface."""

    # How errors name the gateway's account id.
    account_what: str
    # Requests a minute and burst until the first answer's headers tell the plan's.
    start_pace: tuple[float, int]
    # The rate-limit headers' prefix and suffix (``{prefix}limit{suffix}``, …).
    ratelimit_headers: tuple[str, str]

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        gateway_account: str,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        budget: Budget | None = None,
    ) -> None:
        self.gateway_account = valid_gateway_id(gateway_account, self.account_what)
        budget = budget or Budget(*self.start_pace)
        super().__init__(base_url, token, timeout=timeout, transport=transport, budget=budget)

    def _observe(self, response: httpx.Response) -> None:
        if self.budget is not None:
            read_budget_headers(self.budget, response.headers, *self.ratelimit_headers)

    def _error_for(
        self, endpoint: str, response: httpx.Response, detail: str, *, idempotent: bool
    ) -> PlatformError:
        if self._stops_account(response):
            status = response.status_code
            return Unauthorized(endpoint, f"HTTP {status}: {detail}", status=status)
        return super()._error_for(endpoint, response, detail, idempotent=idempotent)

    def _stops_account(self, response: httpx.Response) -> bool:
        """Whether this failed answer needs a person before the account can go on."""
        raise NotImplementedError


def transaction_page(items: list[Any], has_more: Any, marker: Any) -> dict[str, Any]:
    """A gateway's transactions as the contract's page: the marker as text, and only
    while more are to come (the gateways' markers are numbers or strings)."""
    return {
        "list": items,
        "hasMore": has_more,
        "nextMarker": str(marker) if has_more and marker is not None else None,
    }
