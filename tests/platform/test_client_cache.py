"""One platform client per account, made afresh when its base URL changes or it is dropped."""

from __future__ import annotations

from dataclasses import dataclass

from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.platform.clients import ClientCache


@dataclass(frozen=True)
class Acc:
    id: int
    base_url: str


def test_clients_are_shared_remade_on_a_new_url_and_closed_at_the_end() -> None:
    made: list[PlatformClient] = []

    def make(account: Acc) -> PlatformClient:
        made.append(PlatformClient(account.base_url, "token", timeout=1))
        return made[-1]

    cache: ClientCache[Acc] = ClientCache(make)
    first = cache.get(Acc(1, "http://a"))
    assert cache.get(Acc(1, "http://a")) is first and len(made) == 1
    moved = cache.get(Acc(1, "http://b"))
    assert moved is not first and len(made) == 2
    cache.drop(1)
    again = cache.get(Acc(1, "http://b"))
    assert again is not moved and len(made) == 3
    cache.close_all()
    assert again._http.is_closed  # the current one; replaced ones may still be in use
    assert not first._http.is_closed


def test_every_client_shares_one_tls_context_that_verifies() -> None:
    """Each client read the CA bundle into a TLS context of its own (~30 ms each)."""
    import ssl

    from ofcrm_tui.platform.client import PlatformClient

    with PlatformClient("https://a.example", "tok") as one, \
            PlatformClient("https://b.example", "tok") as two:
        contexts = [client._http._transport._pool._ssl_context for client in (one, two)]  # noqa: SLF001
    assert contexts[0] is contexts[1]
    assert contexts[0].verify_mode is ssl.CERT_REQUIRED and contexts[0].check_hostname
