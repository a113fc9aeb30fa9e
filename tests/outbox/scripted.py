"""A real platform client whose sends can be made to fail in chosen ways."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.platform.errors import (
    Ambiguous,
    InvalidRequest,
    RateLimited,
    Transient,
    Unauthorized,
)
from ofcrm_tui.platform.wire import Message

Step = Literal[
    "ok",  # send for real
    "lost",  # send for real, then act as if the answer never came
    "not-sent-ambiguous",  # do not send, but answer like a timeout
    "clear",  # a clear failure: surely not sent
    "429",
    "401",
    "422",
]
_ENDPOINT = "POST /chats/{userId}/messages"


class ScriptedClient(PlatformClient):
    """Sends follow ``script`` one step per send; once it runs out, every send is real."""

    def __init__(self, base_url: str, token: str, script: Sequence[Step] = (), **kwargs) -> None:  # noqa: ANN003
        super().__init__(base_url, token, **kwargs)
        self.script: list[Step] = list(script)
        self.sends: list[tuple[int, str]] = []

    def send_message(self, user_id: int, text: str, *args, **kwargs) -> Message:  # noqa: ANN002, ANN003
        step = self.script.pop(0) if self.script else "ok"
        self.sends.append((user_id, step))
        if step == "ok":
            return super().send_message(user_id, text, *args, **kwargs)
        if step == "lost":
            super().send_message(user_id, text, *args, **kwargs)
            raise Ambiguous(_ENDPOINT, "no answer: timed out (scripted)")
        if step == "not-sent-ambiguous":
            raise Ambiguous(_ENDPOINT, "HTTP 502: bad gateway (scripted)", status=502)
        if step == "clear":
            raise Transient(_ENDPOINT, "no free connection (scripted)")
        if step == "429":
            raise RateLimited(_ENDPOINT, "HTTP 429: slow down (scripted)", retry_after=2)
        if step == "401":
            raise Unauthorized(_ENDPOINT, "HTTP 401: bad token (scripted)", status=401)
        if step == "422":
            raise InvalidRequest(_ENDPOINT, "HTTP 422: text must not be empty (scripted)", status=422)
        raise AssertionError(step)
