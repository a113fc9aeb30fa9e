"""What a command or the app needs to run: settings and the upgraded database."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ofcrm_tui import paths
from ofcrm_tui.config import Settings, load_settings
from ofcrm_tui.logs import setup_logging
from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database


def open_database(settings: Settings) -> Database:
    """The configured database; a SQLite file's missing folder is created only inside the
    user data directory (a typo elsewhere is an error, not a new folder)."""
    return Database(settings.effective_database_url(), create_folders_under=paths.data_dir())


@dataclass
class AppContext:
    settings: Settings
    verbose: bool = False

    @classmethod
    def load(
        cls, *, database_url: str | None = None, verbose: bool = False, kind: str = "app"
    ) -> AppContext:
        """Settings, with this process's logging (``kind`` names its log file)."""
        overrides = {"database_url": database_url} if database_url else {}
        context = cls(load_settings(**overrides), verbose=verbose)
        setup_logging(paths.log_dir(), kind, context.settings.log_level, console=verbose)
        return context

    @cached_property
    def db(self) -> Database:
        """The database, upgraded to the current schema on first use."""
        database = open_database(self.settings)
        migrate.ensure_current(database)
        return database

    def close(self) -> None:
        if "db" in vars(self):  # opened (cached_property stores it on the instance)
            self.db.dispose()
