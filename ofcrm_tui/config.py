"""Settings: ``OFCRM_*`` environment variables over an optional TOML file.

The file is ``config.toml`` in the user config directory (``OFCRM_CONFIG_FILE``
points elsewhere). Unknown keys and bad values are errors that name the key.
"""

from __future__ import annotations

import getpass
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from ofcrm_tui import paths
from ofcrm_tui.errors import OfcrmError


class ConfigError(OfcrmError):
    """Settings that cannot be used, with the key at fault."""


def _default_chatter() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "chatter"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OFCRM_", extra="forbid", validate_default=True)

    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite in the user data directory"
    )
    chatter_name: str = Field(
        default_factory=_default_chatter,
        min_length=1,
        max_length=128,
        description="recorded on everything this chatter sends",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    poll_interval_seconds: float = Field(default=5.0, ge=1, le=3600)
    drain_interval_seconds: float = Field(default=5.0, ge=0.5, le=3600)
    http_timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    default_send_limit_per_minute: int = Field(default=10, ge=1, le=10_000)
    reply_reserve_per_minute: int = Field(
        default=3, ge=0, le=10_000, description="sends a minute campaigns leave to replies"
    )
    max_send_attempts: int = Field(default=5, ge=1, le=50)
    health_failed_threshold: int = Field(
        default=10, ge=1, le=1_000_000,
        description="`ofcrm health` fails when this many messages failed in the last 24 h",
    )
    outage_retry_minutes: float = Field(
        default=30,
        ge=0,
        le=24 * 60,
        description="how long a message is retried while the platform is unreachable",
    )
    theme: str = "textual-dark"
    keymap: dict[str, str] = Field(
        default_factory=dict, description="binding id -> keys, e.g. {'inbox.reply' = 'R'}"
    )

    @field_validator("chatter_name")
    @classmethod
    def _strip_name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=paths.config_file()),
        )

    def effective_database_url(self) -> str:
        return self.database_url or paths.default_database_url()


def _describe(error: dict[str, Any]) -> str:
    key = ".".join(str(part) for part in error["loc"]) or "settings"
    if error["type"] == "extra_forbidden":
        return f"unknown setting {key!r}"
    return f"setting {key!r}: {error['msg']}"


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and the TOML file, or a ConfigError naming the key."""
    config_file = paths.config_file()
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(_describe(error) for error in exc.errors())
        raise ConfigError(f"{problems} (environment OFCRM_* or {config_file})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {config_file} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {Path(config_file)}: {exc.strerror}") from None
