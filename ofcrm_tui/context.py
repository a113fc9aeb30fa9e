"""What a command or the app needs to run: settings and the upgraded database."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ofcrm_tui import paths
from ofcrm_tui.config import Settings, load_settings
from ofcrm_tui.core import access
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.logs import setup_logging
from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database, database_named, folder_refused, missing_file


def open_database(settings: Settings) -> Database:
    """The configured database; a SQLite file's missing folder is created only inside the
    user data directory (a typo elsewhere is an error, not a new folder)."""
    return Database(settings.effective_database_url(), create_folders_under=paths.data_dir())


def runs_keyless(settings: Settings, db: Database, me: access.Identity) -> bool:
    """Team mode: always for a chatter's role; else ``team_mode`` where it is set; else
    so for a manager on a team database with a worker on the team (the workers hold the
    keys: the manager's app and ``ofcrm health`` look for none here, as with
    ``team_mode = true``)."""
    if me.keyless:
        return True
    if "team_mode" in settings.model_fields_set:
        return settings.team_mode
    return me.kind is access.Kind.MANAGER and access.worker_on_team(db)


class NoDatabase(OfcrmError):
    """A command that reads or edits what is there, run before there is a database."""


def no_database_yet(where: object) -> str:
    """The line said where there is no database yet (a path or a URL), and how to start one."""
    return (
        f"no database yet at {where}: `ofcrm account add NAME --base-url URL` starts one "
        "(`ofcrm demo` tries the app on a demo database of its own)"
    )


def no_database_at(url: str) -> str:
    """The line said for a SQLite ``url`` whose file is not there: its folder named when
    that is not there either and nothing would make it, else how to start one."""
    return folder_refused(url, paths.data_dir()) or no_database_yet(database_named(url))


@dataclass
class AppContext:
    """``creates``: a SQLite database that is not there yet is created (the app, adding
    an account, generating one, a worker); otherwise NoDatabase, and no empty file is left."""

    settings: Settings
    verbose: bool = False
    creates: bool = True
    _identity: access.Identity | None = field(default=None, init=False, repr=False)

    @classmethod
    def load(
        cls, *, database_url: str | None = None, verbose: bool = False, kind: str = "app",
        creates: bool = True,
    ) -> AppContext:
        """Settings, with this process's logging (``kind`` names its log file)."""
        overrides = {"database_url": database_url} if database_url else {}
        context = cls(load_settings(**overrides), verbose=verbose, creates=creates)
        setup_logging(paths.log_dir(), kind, context.settings.log_level, console=verbose)
        return context

    @cached_property
    def db(self) -> Database:
        """The database, upgraded to the current schema on first use. A chatter's role
        on a team database records its own name on what it sends, and runs keyless (so
        does a manager's once a worker is on the team: ``runs_keyless``). Any
        other login there (a manager, a worker) goes by its name too unless
        ``chatter_name`` is set: the team's names are its logins (those of the chatters,
        the audit trail's), not the OS user of each machine ("Me (root)")."""
        url = self.settings.effective_database_url()
        if not self.creates and missing_file(url) is not None:
            raise NoDatabase(no_database_at(url))
        database = open_database(self.settings)
        current = migrate.current_revision(database)
        if current is None and not self.creates:
            # A file (or schema) with no tables of ours, such as an empty file another tool
            # left: a command that only reads or edits builds no schema in it either.
            database.dispose()
            raise NoDatabase(no_database_yet(database.url_for_display))
        migrate.ensure_current(database, current)
        self._identity = access.identity(database)
        update: dict[str, object] = {}
        keyless = runs_keyless(self.settings, database, self._identity)
        if keyless != self.settings.team_mode:
            update["team_mode"] = keyless
        if self._identity.kind is access.Kind.CHATTER or (
                self._identity.kind is not access.Kind.LOCAL
                and "chatter_name" not in self.settings.model_fields_set):
            update["chatter_name"] = self._identity.role
        if update:
            self.settings = self.settings.model_copy(update=update)
        return database

    @property
    def identity(self) -> access.Identity:
        """Who the database says this connection is (asked when it is opened)."""
        self.db  # noqa: B018 - opening it asks
        assert self._identity is not None
        return self._identity

    @property
    def keyless(self) -> bool:
        """Workers poll and send: this process needs no platform key (team mode)."""
        self.db  # noqa: B018 - a chatter's role turns team mode on
        return self.settings.team_mode

    def close(self) -> None:
        if "db" in vars(self):  # opened (cached_property stores it on the instance)
            self.db.dispose()
