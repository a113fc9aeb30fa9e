"""One platform client per account, shared by threads (httpx clients are thread-safe).

Sharing it also shares its gateway budget (pacing.py): the poll and the sync of an
account draw on the same one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from ofcrm_tui.platform.gateway import open_client

if TYPE_CHECKING:  # the clients (and httpx) are loaded when the first one is made
    import httpx

    from ofcrm_tui.platform.client import PlatformClient


class _Account(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def base_url(self) -> str: ...


def _where(account: _Account) -> tuple[str, str, str | None]:
    """What a client is made for: a change of any of it needs a new client."""
    return (
        account.base_url,
        getattr(account, "gateway", "contract"),
        getattr(account, "gateway_account", None),
    )


def client_for(
    account: _Account, token: str, *, timeout: httpx.Timeout | float | None = None
) -> PlatformClient:
    """The client of the account's gateway (``gateway``/``gateway_account`` attributes,
    the contract when it has none)."""
    base_url, gateway, gateway_account = _where(account)
    return open_client(gateway, base_url, token, gateway_account=gateway_account, timeout=timeout)


A = TypeVar("A", bound=_Account)


class ClientCache(Generic[A]):
    """Clients by account, each made by ``make`` (usually ``client_for``) for the
    account's current base URL and gateway and, given ``tokens`` (``secrets.tokens_stamp``,
    which moves when a token is stored here), the tokens' stamp. Each ``get`` compares
    them: a client made before a change is made again at its next use, its token read
    afresh, for the price of a ``stat`` (the keyring is read only then).

    A client replaced (the base URL or a token changed) or dropped is not closed: another
    thread may be in the middle of a request with it. ``close_all`` closes the current ones."""

    def __init__(
        self, make: Callable[[A], PlatformClient], *, tokens: Callable[[], object] | None = None
    ) -> None:
        self._make = make
        self._tokens = tokens
        self._lock = threading.Lock()
        self._clients: dict[int, tuple[tuple[object, ...], PlatformClient]] = {}

    def get(self, account: A) -> PlatformClient:
        """The account's client; raises what ``make`` raises. ``make`` runs outside the
        lock: reading a token from the keyring can take seconds."""
        where = (*_where(account), self._tokens() if self._tokens else None)
        with self._lock:
            cached = self._clients.get(account.id)
            if cached is not None and cached[0] == where:
                return cached[1]
        client = self._make(account)
        with self._lock:
            cached = self._clients.get(account.id)
            if cached is not None and cached[0] == where:
                client.close()  # another thread made one meanwhile: share theirs
                return cached[1]
            self._clients[account.id] = (where, client)
            return client

    def drop(self, account_id: int) -> None:
        """Forget the account's client (the next ``get`` makes one afresh)."""
        with self._lock:
            self._clients.pop(account_id, None)

    def close_all(self) -> None:
        with self._lock:
            clients = [client for _, client in self._clients.values()]
            self._clients.clear()
        for client in clients:
            client.close()
