"""The platform client's token never leaks: not in its repr, not in any error a failure
raises (echoed back, cut off, in a transport error), not in the refusal of a token it
cannot use."""

import json

import httpx
import pytest

from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.platform.errors import PlatformError
from tests.platform.fake_platform import BASE_URL, TOKEN, error, raising, raw


# -- the token never leaks ---------------------------------------------------------------


def test_token_stays_out_of_reprs(fake) -> None:
    client = PlatformClient(BASE_URL, TOKEN, transport=fake.transport())
    assert TOKEN not in repr(client)
    assert repr(client) == "PlatformClient('http://platform.test')"
    assert TOKEN not in repr(client._http.headers)


def leak_surface(exc: BaseException | None) -> str:
    """Everything a logged traceback of the error would print, and its repr."""
    parts = []
    while exc is not None:
        parts += [str(exc), repr(exc), repr(exc.args)]
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return "\n".join(parts)


def every_failure():
    yield lambda c: c.me(), error(401, "bad token")
    yield lambda c: c.me(), error(401, f"token {TOKEN} is revoked")  # echoed back
    yield lambda c: c.me(), error(400, "x" * 290 + TOKEN)  # where the message is cut
    yield lambda c: c.me(), raw(200, f"<{TOKEN}>")
    yield lambda c: c.me(), raw(200, json.dumps({"id": TOKEN}))
    yield lambda c: c.me(), httpx.Response(500, text=f"Authorization: Bearer {TOKEN}")
    yield lambda c: c.send_message(4101, "x"), error(429, TOKEN)
    for exc_type in (httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError):
        yield lambda c: c.send_message(4101, "x"), raising(exc_type)


def test_token_stays_out_of_every_error() -> None:
    seen = 0
    for call, answer in every_failure():
        respond = answer if callable(answer) else (lambda request, answer=answer: answer)
        transport = httpx.MockTransport(respond)
        with PlatformClient(BASE_URL, TOKEN, transport=transport) as client:
            with pytest.raises(PlatformError) as caught:
                call(client)
        assert TOKEN[:8] not in leak_surface(caught.value)  # not even a cut-off piece
        seen += 1
    assert seen == 10


@pytest.mark.parametrize("token", ["", "two words", "new\nline", "tab\there", "ünï"])
def test_unusable_tokens_are_refused_without_quoting_them(token) -> None:
    with pytest.raises(ValueError) as caught:
        PlatformClient("http://h", token)
    assert token not in str(caught.value) or token == ""
