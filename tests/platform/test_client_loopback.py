"""The client against the simulator (and a few broken servers) over real loopback HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.platform.errors import (
    Ambiguous,
    BadResponse,
    ErrorKind,
    Forbidden,
    InvalidRequest,
    NotFound,
    PlatformError,
    RateLimited,
    Transient,
    Unauthorized,
    Unreachable,
)
from ofcrm_tui.platform.text import text_to_html
from ofcrm_tui.simulator import Faults, Simulator, SimulatorConfig

TOKEN = "loopback-T0KEN-4f9a"
SHORT = httpx.Timeout(0.4, connect=2.0)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Simulator, str]]:
    """One simulator for the module, with a send limit the tests never reach."""
    simulator = Simulator(
        SimulatorConfig(fans=30, seed=7, send_limit_per_minute=10_000, token=TOKEN)
    )
    with simulator.serve() as base_url:
        yield simulator, base_url


@pytest.fixture
def sim(served: tuple[Simulator, str]) -> Iterator[Simulator]:
    yield served[0]
    served[0].set_faults(Faults())


@pytest.fixture
def base_url(served: tuple[Simulator, str]) -> str:
    return served[1]


@pytest.fixture
def client(sim: Simulator, base_url: str) -> Iterator[PlatformClient]:
    with PlatformClient(base_url, TOKEN, timeout=5.0) as client:
        yield client


def clean(error: PlatformError) -> PlatformError:
    """The error, after checking it is one line that keeps the token out."""
    for text in (str(error), repr(error)):
        assert TOKEN not in text
        assert "\n" not in text
    return error


def fail(call, error_type: type[PlatformError]) -> PlatformError:
    with pytest.raises(error_type) as caught:
        call()
    return clean(caught.value)


def active_fan(sim: Simulator) -> int:
    return sim.active_fan_ids()[0]


def expired_fan(sim: Simulator) -> int:
    return next(f for f in sim.fan_ids() if f not in set(sim.active_fan_ids()))


# -- every endpoint ----------------------------------------------------------------------


def test_me(client, sim) -> None:
    me = client.me()
    assert (me.id, me.username) == (sim.creator.id, sim.creator.username)


def test_subscribers_in_short_pages_and_by_type(client, sim) -> None:
    users = list(client.iter_subscribers(page_size=7))
    assert [u.id for u in users] == sim.fan_ids()
    active = {u.id for u in client.iter_subscribers("active")}
    expired = {u.id for u in client.iter_subscribers("expired", page_size=3)}
    assert active == set(sim.active_fan_ids())
    assert active | expired == set(sim.fan_ids()) and not active & expired
    assert all(u.subscription.status == "expired" for u in client.subscribers_page("expired").items)


def test_chats_newest_first(client) -> None:
    chats = list(client.iter_chats(page_size=4))
    last_ids = [chat.last_message.id for chat in chats]
    assert last_ids == sorted(last_ids, reverse=True)
    assert len({chat.with_user.id for chat in chats}) == len(chats)
    assert [c.with_user.id for c in client.chats_page(limit=3, offset=2).items] == [
        c.with_user.id for c in chats[2:5]
    ]


def test_messages_paged_by_id(client) -> None:
    chat = max(client.iter_chats(), key=lambda c: c.last_message.id)
    fan = chat.with_user.id
    walked = [m.id for m in client.iter_messages(fan, page_size=3)]
    assert walked == [m.id for m in client.iter_messages(fan)]
    assert walked == sorted(walked, reverse=True) and walked[0] == chat.last_message.id
    if len(walked) > 2:
        assert [m.id for m in client.iter_messages(fan, before_id=walked[1])] == walked[2:]


def test_inbound_message_shows_literally(client, sim) -> None:
    fan = active_fan(sim)
    text = "<b>hi</b> &amp; [bold red]x[/] \x1b[31m 😀 مرحبا\nsecond line"
    message_id = sim.add_inbound_message(fan, text)
    (message,) = client.messages_page(fan, limit=1).items
    assert (message.id, message.text, message.from_user.id) == (message_id, text, fan)
    chat = client.chats_page(limit=1).items[0]
    assert chat.with_user.id == fan and chat.unread_count >= 1


@pytest.mark.parametrize(
    "text",
    ["<b>hi</b>", "&amp;", "emoji 😀👩‍👩‍👧", "RTL שלום", "[bold red]x[/]", "\x1b[31mred\x1b[0m", "a\n\nb"],
)
def test_send_round_trips_hostile_text(client, sim, text) -> None:
    fan = active_fan(sim)
    sent = client.send_message(fan, text)
    assert sent.text == text and sent.from_user.id == sim.creator.id
    assert sim.ledger()[-1].message_id == sent.id
    assert sim.ledger()[-1].text == text_to_html(text)
    (read,) = client.messages_page(fan, limit=1).items
    assert (read.id, read.text) == (sent.id, text)


def test_send_priced_message(client, sim) -> None:
    media = [m.id for m in client.iter_media()][:2]
    sent = client.send_message(active_fan(sim), "for you", 1999, media, media[:1])
    assert (sent.price_cents, sent.is_free, [m.id for m in sent.media]) == (1999, False, media)
    entry = sim.ledger()[-1]
    assert (entry.price_cents, entry.media_ids) == (1999, tuple(media))
    assert entry.previews == tuple(media[:1])


def test_refused_sends(client, sim) -> None:
    before = len(sim.ledger())
    fan = active_fan(sim)
    media = client.media_page(limit=1).items[0].id
    error = fail(lambda: client.send_message(fan, "  "), InvalidRequest)
    assert "HTTP 422: text must not be empty" in str(error)
    error = fail(lambda: client.send_message(fan, "cheap", 10, [media]), InvalidRequest)
    assert error.kind is ErrorKind.PERMANENT and "price" in str(error)
    fail(lambda: client.send_message(fan, "priced", 500), InvalidRequest)
    fail(lambda: client.send_message(999_999_999, "who?"), NotFound)
    error = fail(lambda: client.send_message(expired_fan(sim), "hi"), Forbidden)
    assert error.kind is ErrorKind.PERMANENT
    assert len(sim.ledger()) == before


def test_mark_as_read(client, sim) -> None:
    fan = active_fan(sim)
    sim.add_inbound_message(fan, "unread")
    client.mark_as_read(fan)
    chat = next(c for c in client.iter_chats() if c.with_user.id == fan)
    assert chat.unread_count == 0
    assert chat.last_read_message_id == chat.last_message.id
    fail(lambda: client.mark_as_read(999_999_999), NotFound)


def test_transactions_by_marker(client) -> None:
    walked = list(client.iter_transactions(page_size=13))
    assert [t.id for t in walked] == [t.id for t in client.iter_transactions()]
    assert [t.id for t in walked] == sorted((t.id for t in walked), reverse=True)
    first = client.transactions_page(limit=5)
    assert first.has_more and first.next_marker is not None
    second = client.transactions_page(limit=5, marker=first.next_marker)
    assert [t.id for t in first.items + second.items] == [t.id for t in walked[:10]]
    assert all(t.net_cents + t.fee_cents == t.amount_cents for t in walked)


def test_bad_marker_is_an_invalid_request(client) -> None:
    error = fail(lambda: client.transactions_page(marker="not-a-marker"), InvalidRequest)
    assert error.status == 400


def test_media(client) -> None:
    walked = [m.id for m in client.iter_media(page_size=4)]
    assert walked == [m.id for m in client.iter_media()]
    assert len(set(walked)) == len(walked) > 4


# -- credentials, limits, faults ---------------------------------------------------------


def test_bad_token_is_unauthorized(sim, base_url) -> None:
    with PlatformClient(base_url, "wrong-token") as client:
        error = fail(client.me, Unauthorized)
        fail(lambda: client.send_message(active_fan(sim), "x"), Unauthorized)
    assert error.kind is ErrorKind.UNAUTHORIZED and error.status == 401


def test_5xx_is_transient_on_reads_and_ambiguous_on_sends(client, sim) -> None:
    sim.set_faults(Faults(error_5xx_rate=1.0))
    error = fail(client.me, Transient)
    assert error.status in (500, 502, 503) and error.kind is ErrorKind.CLEAR
    fail(lambda: client.mark_as_read(active_fan(sim)), Transient)
    for _ in range(4):  # the simulator stores about half of these before failing
        error = fail(lambda: client.send_message(active_fan(sim), "maybe"), Ambiguous)
        assert error.kind is ErrorKind.AMBIGUOUS and error.status in (500, 502, 503)


def test_injected_429_with_retry_after(client, sim) -> None:
    sim.set_faults(Faults(rate_429_rate=1.0, retry_after_s=7))
    for call in (client.me, lambda: client.send_message(active_fan(sim), "x")):
        error = fail(call, RateLimited)
        assert error.retry_after == 7 and error.kind is ErrorKind.RATE_LIMITED


def test_send_limit() -> None:
    sim = Simulator(SimulatorConfig(fans=5, seed=3, send_limit_per_minute=2, token=TOKEN))
    fan = active_fan(sim)
    with sim.serve() as base_url, PlatformClient(base_url, TOKEN) as client:
        client.send_message(fan, "one")
        client.send_message(fan, "two")
        error = fail(lambda: client.send_message(fan, "three"), RateLimited)
        client.me()  # other requests have their own budget
    assert 1 <= error.retry_after <= 60
    assert [entry.text for entry in sim.ledger()] == ["<p>one</p>", "<p>two</p>"]


def test_request_limit() -> None:
    sim = Simulator(SimulatorConfig(fans=5, seed=3, other_limit_per_5min=2, token=TOKEN))
    with sim.serve() as base_url, PlatformClient(base_url, TOKEN) as client:
        client.me()
        client.chats_page()
        error = fail(client.me, RateLimited)
    assert 1 <= error.retry_after <= 300


def test_latency_within_the_timeout(client, sim) -> None:
    sim.set_faults(Faults(latency_s=0.2))
    started = time.monotonic()
    assert client.me().id == sim.creator.id
    assert client.send_message(active_fan(sim), "slow but fine").text == "slow but fine"
    assert time.monotonic() - started >= 0.4


def test_latency_past_the_timeout_is_transient_on_a_read(sim, base_url) -> None:
    sim.set_faults(Faults(latency_s=1.0))
    with PlatformClient(base_url, TOKEN, timeout=SHORT) as client:
        error = fail(client.chats_page, Transient)
    assert "no answer" in str(error) and not isinstance(error, Unreachable)


def test_timeout_after_accept_is_ambiguous_and_the_chat_tells(sim, base_url) -> None:
    fan = active_fan(sim)
    sim.set_faults(Faults(timeout_after_accept_rate=1.0, hang_seconds=3.0))
    with PlatformClient(base_url, TOKEN, timeout=SHORT) as client:
        error = fail(lambda: client.send_message(fan, "did it arrive?"), Ambiguous)
        assert error.kind is ErrorKind.AMBIGUOUS and not error.retryable
        sim.set_faults(Faults())
        (latest,) = client.messages_page(fan, limit=1).items  # reconciling finds it
    assert latest.text == "did it arrive?"
    assert sim.ledger()[-1].message_id == latest.id


# -- servers that are not there or not right ---------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_server() -> None:
    port = closed_port()
    with PlatformClient(f"http://127.0.0.1:{port}", TOKEN) as client:
        error = fail(client.me, Unreachable)
        assert f"server unreachable at http://127.0.0.1:{port}" in str(error)
        assert error.kind is ErrorKind.CLEAR and error.retryable
        fail(lambda: client.send_message(1, "x"), Unreachable)  # never sent: not ambiguous


@contextmanager
def raw_server(reply: bytes | None) -> Iterator[str]:
    """Reads each request in full, then writes ``reply`` (None: nothing) and hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                data = b""
                while b"\r\n\r\n" not in data and (chunk := conn.recv(65536)):
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                length = next(
                    (int(line.split(b":")[1]) for line in head.lower().split(b"\r\n")
                     if line.startswith(b"content-length:")),
                    0,
                )
                while len(body) < length and (chunk := conn.recv(65536)):
                    body += chunk
                if reply is not None:
                    conn.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        listener.close()


HTML_PAGE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 19\r\n"
    b"Connection: close\r\n\r\n<html>hello</html>\n"
)


def test_garbage_server_is_a_bad_response() -> None:
    with raw_server(HTML_PAGE) as base_url, PlatformClient(base_url, TOKEN) as client:
        error = fail(client.me, BadResponse)
        assert str(error) == "GET /users/me: answer is not JSON"
        assert error.kind is ErrorKind.CLEAR
        error = fail(lambda: client.send_message(1, "x"), BadResponse)
        assert error.kind is ErrorKind.AMBIGUOUS  # a 2xx to a send: it probably went through


@pytest.mark.parametrize("reply", [None, b"SSH-2.0-OpenSSH_9.6\r\n"])
def test_server_hanging_up_or_not_speaking_http(reply) -> None:
    with raw_server(reply) as base_url, PlatformClient(base_url, TOKEN) as client:
        fail(client.me, Transient)
        fail(lambda: client.send_message(1, "x"), Ambiguous)
