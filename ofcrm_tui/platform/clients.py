"""One platform client per account, shared by threads (httpx clients are thread-safe)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from ofcrm_tui.platform.client import PlatformClient


class _Account(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def base_url(self) -> str: ...


A = TypeVar("A", bound=_Account)


class ClientCache(Generic[A]):
    """Clients by account, each made by ``make`` for the account's current base URL.

    A client replaced (the base URL changed) or dropped is not closed: another thread may
    be in the middle of a request with it. ``close_all`` closes the current ones."""

    def __init__(self, make: Callable[[A], PlatformClient]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._clients: dict[int, tuple[str, PlatformClient]] = {}

    def get(self, account: A) -> PlatformClient:
        """The account's client; raises what ``make`` raises. ``make`` runs outside the
        lock: reading a token from the keyring can take seconds."""
        with self._lock:
            cached = self._clients.get(account.id)
            if cached is not None and cached[0] == account.base_url:
                return cached[1]
        client = self._make(account)
        with self._lock:
            cached = self._clients.get(account.id)
            if cached is not None and cached[0] == account.base_url:
                client.close()  # another thread made one meanwhile: share theirs
                return cached[1]
            self._clients[account.id] = (account.base_url, client)
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
