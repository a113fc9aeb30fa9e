from __future__ import annotations

from pathlib import Path

import pytest

from ofcrm_tui import paths
from ofcrm_tui.config import ConfigError, load_settings


def _write_config(text: str) -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_need_no_file() -> None:
    settings = load_settings()
    assert settings.poll_interval_seconds == 5
    assert settings.default_send_limit_per_minute == 10
    assert settings.effective_database_url().endswith("ofcrm.db")
    assert settings.chatter_name


def test_file_then_environment_then_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    _write_config('chatter_name = "from-file"\npoll_interval_seconds = 7\n[keymap]\n"inbox.reply" = "R"\n')
    assert load_settings().chatter_name == "from-file"
    assert load_settings().keymap == {"inbox.reply": "R"}
    monkeypatch.setenv("OFCRM_CHATTER_NAME", "from-env")
    settings = load_settings()
    assert (settings.chatter_name, settings.poll_interval_seconds) == ("from-env", 7)
    assert load_settings(database_url="sqlite:///x.db").effective_database_url() == "sqlite:///x.db"


def test_config_file_location_can_be_overridden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text('theme = "nord"\n')
    monkeypatch.setenv("OFCRM_CONFIG_FILE", str(other))
    assert load_settings().theme == "nord"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("poll_interval_seconds = 0\n", "setting 'poll_interval_seconds'"),
        ("pol_interval = 3\n", "unknown setting 'pol_interval'"),
        ('log_level = "LOUD"\n', "setting 'log_level'"),
        ("chatter_name = '   '\n", "setting 'chatter_name'"),
        ("poll_interval_seconds = [\n", "is not valid TOML"),
    ],
)
def test_bad_settings_name_the_key(content: str, expected: str) -> None:
    path = _write_config(content)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message


def test_bad_environment_value_names_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OFCRM_DEFAULT_SEND_LIMIT_PER_MINUTE", "lots")
    with pytest.raises(ConfigError, match="default_send_limit_per_minute"):
        load_settings()
