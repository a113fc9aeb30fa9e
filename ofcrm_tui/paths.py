"""Where ofcrm keeps its files (XDG directories on Linux, via platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs

_DIRS = PlatformDirs("ofcrm", appauthor=False)


def data_dir() -> Path:
    return Path(_DIRS.user_data_dir)


def config_dir() -> Path:
    return Path(_DIRS.user_config_dir)


def state_dir() -> Path:
    return Path(_DIRS.user_state_dir)


def config_file() -> Path:
    """The TOML settings file; ``OFCRM_CONFIG_FILE`` points elsewhere."""
    override = os.environ.get("OFCRM_CONFIG_FILE")
    return Path(override).expanduser() if override else config_dir() / "config.toml"


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'ofcrm.db'}"


def log_dir() -> Path:
    """Where every process writes its own log file (see ``logs``)."""
    return state_dir() / "logs"
