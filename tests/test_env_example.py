""".env.example names every setting, and its values are the defaults."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from ofcrm_tui.config import Settings

EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"
LINE = re.compile(r"^(#\s*)?(OFCRM_[A-Z0-9_]+)=(.*)$")
NOT_SETTINGS = {"OFCRM_TOKEN_MIA", "OFCRM_CONFIG_FILE", "OFCRM_TEST_DATABASE_URL"}


def _lines() -> list[tuple[bool, str, str]]:
    found = []
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = LINE.match(line)
        if match:
            commented, name, value = match.groups()
            found.append((commented is None, name, " ".join(shlex.split(value))))
    return found


def test_every_setting_is_there_once() -> None:
    names = [name for _, name, _ in _lines() if name not in NOT_SETTINGS]
    assert sorted(names) == sorted(f"OFCRM_{field.upper()}" for field in Settings.model_fields)


def test_the_values_are_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for active, name, value in _lines():
        if active:
            monkeypatch.setenv(name, value)
    assert Settings() == Settings.model_construct(**{
        name: field.get_default(call_default_factory=True)
        for name, field in Settings.model_fields.items()
    })
