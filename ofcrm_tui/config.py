"""Settings: ``OFCRM_*`` environment variables over an optional TOML file.

The file is ``config.toml`` in the user config directory (``OFCRM_CONFIG_FILE``
points elsewhere). Unknown keys and bad values are errors that name the key.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from ofcrm_tui import paths
from ofcrm_tui.errors import OfcrmError


# An account's sends a minute at the most: the setting's, `account add` / `set`'s.
MOST_SEND_LIMIT = 10_000

class ConfigError(OfcrmError):
    """Settings that cannot be used, with the key at fault."""


class NoConfigFile(ConfigError):
    """``OFCRM_CONFIG_FILE`` names a file that is not there: a usage error (exit 2), not
    the defaults used in silence (the default file's absence is fine)."""

    exit_code = 2


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
    default_send_limit_per_minute: int = Field(default=10, ge=1, le=MOST_SEND_LIMIT)
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
    team_mode: bool = Field(
        default=False,
        description="the app neither polls nor sends: `ofcrm worker`s holding the platform "
        "keys do (always so for a chatter's role on a team database; unset, so for a "
        "manager's once a worker is on the team)",
    )
    team_group_prefix: str = Field(
        default="ofcrm",
        pattern=r"^[a-z_][a-z0-9_]{0,40}$",
        description="`ofcrm team`'s group roles are <prefix>_chatter and <prefix>_worker "
        "(roles belong to the whole PostgreSQL server: databases on one server may keep "
        "their teams apart)",
    )
    theme: str = "textual-dark"
    keymap: dict[str, str] = Field(
        default_factory=dict, description="binding id -> keys, e.g. {'inbox.reply' = 'e'}"
    )
    # -- the inbox during a shift: its order and what a new message shows --------------
    inbox_order: Literal["fan", "activity"] = Field(
        default="fan",
        description="'fan': by the fan's last message (your replies do not move a "
        "conversation); 'activity': by the last message either way",
    )
    notify_inbound: Literal["none", "important", "all"] = Field(
        default="important",
        description="toasts for fan messages in conversations you are not on: none, "
        "only from important fans (see important_tags, important_spend_cents), or all",
    )
    important_tags: list[str] = Field(
        default_factory=lambda: ["vip"], description="a fan with one of these tags is important"
    )
    important_spend_cents: int = Field(
        default=100_00, ge=0, description="a fan who has spent this much is important"
    )
    # -- team mode: several chatters on one account ------------------------------------
    collision_window_seconds: float = Field(
        default=120, ge=0, le=24 * 3600,
        description="`ofcrm send` refuses when another chatter sent the fan a message "
        "this recently (--force sends anyway)",
    )
    auto_assign: bool = Field(
        default=False,
        description="a conversation nobody owns is assigned to the chatter who replies first",
    )
    presence_interval_seconds: float = Field(
        default=1.25, ge=0.2, le=60,
        description="how often the app tells the others what it has open (and reads theirs)",
    )
    presence_expiry_seconds: float = Field(
        default=6, ge=1, le=3600,
        description="an app not heard from for this long has gone (crash, lost network)",
    )

    @field_validator("chatter_name")
    @classmethod
    def _strip_name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @model_validator(mode="after")
    def _expiry_after_beats(self) -> Settings:
        if self.presence_expiry_seconds < 2 * self.presence_interval_seconds:
            raise ValueError(
                "presence_expiry_seconds must be at least twice presence_interval_seconds"
            )
        return self

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
    key = ".".join(str(part) for part in error["loc"])
    if not key:  # a rule across settings: its message names them
        return str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return f"unknown setting {key!r}"
    return f"setting {key!r}: {error['msg']}"


def save_setting(key: str, value: str) -> Path:
    """Write ``key = "value"`` (a top-level string setting) into the config file, the
    rest of the file as it was: its line replaced, else added before the first table.
    Returns the file; a ConfigError if it cannot be read, written or would not parse."""
    config_file = Path(paths.config_file())
    try:
        text = config_file.read_text(encoding="utf-8") if config_file.exists() else ""
        lines = text.splitlines(keepends=True)
        line = f"{key} = {json.dumps(value)}\n"
        pattern = re.compile(rf"\s*{re.escape(key)}\s*=")
        table = next((i for i, old in enumerate(lines) if old.lstrip().startswith("[")),
                     len(lines))
        found = next((i for i in range(table) if pattern.match(lines[i])), None)
        if found is not None:
            lines[found] = line
        else:
            if table and not lines[table - 1].endswith("\n"):
                lines[table - 1] += "\n"
            lines.insert(table, line)
        updated = "".join(lines)
        if tomllib.loads(updated).get(key) != value:
            raise ConfigError(f"cannot save {key!r}: {config_file} is not simple enough to edit")
        config_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = config_file.with_name(config_file.name + ".tmp")
        temporary.write_text(updated, encoding="utf-8")
        os.replace(temporary, config_file)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {config_file} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot write config file {config_file}: {exc.strerror}") from None
    return config_file


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and the TOML file, or a ConfigError naming the key."""
    config_file = paths.config_file()
    if os.environ.get("OFCRM_CONFIG_FILE") and not config_file.exists():
        raise NoConfigFile(f"no config file {config_file} (OFCRM_CONFIG_FILE names it)")
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(_describe(error) for error in exc.errors())
        raise ConfigError(f"{problems} (environment OFCRM_* or {config_file})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {config_file} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {Path(config_file)}: {exc.strerror}") from None
