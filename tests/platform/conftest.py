"""Fixtures: the in-process fake platform and a client talking to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ofcrm_tui.platform.client import PlatformClient
from tests.platform.fake_platform import BASE_URL, TOKEN, FakePlatform


@pytest.fixture
def fake() -> FakePlatform:
    return FakePlatform()


@pytest.fixture
def client(fake: FakePlatform) -> Iterator[PlatformClient]:
    with PlatformClient(BASE_URL, TOKEN, transport=fake.transport()) as client:
        yield client
