"""``ofcrm db``: the schema and its migrations."""

from __future__ import annotations

import argparse

from ofcrm_tui import paths
from ofcrm_tui.cli.common import add_command, context
from ofcrm_tui.context import open_database
from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database, database_named, folder_refused, missing_file


def _open(args: argparse.Namespace) -> Database:
    return open_database(context(args).settings)


def _upgrade(args: argparse.Namespace) -> int:
    db = _open(args)
    try:
        before = migrate.current_revision(db)
        migrate.upgrade(db)
        after = migrate.current_revision(db)
    finally:
        db.dispose()
    if before == after:
        print(f"{db.url_for_display}: already at {after}")
    else:
        print(f"{db.url_for_display}: upgraded {before or 'empty'} -> {after}")
    return 0


def _current(args: argparse.Namespace) -> int:
    """The schema's revision; a SQLite file that is not there is said so, not created.
    One whose folder is not there either, and would not be made, is refused as by every
    command (``open_database``): upgrade would refuse it too."""
    settings = context(args).settings
    url = settings.effective_database_url()
    if missing_file(url) is not None and folder_refused(url, paths.data_dir()) is None:
        print(f"no database yet at {database_named(url)}: `ofcrm db upgrade` creates it")
        return 0
    db = open_database(settings)
    try:
        current = migrate.current_revision(db)
    finally:
        db.dispose()
    state = (
        "up to date"
        if current == migrate.HEAD
        else f"behind (latest {migrate.HEAD}): run `ofcrm db upgrade`"
    )
    print(f"{db.url_for_display}: {current or 'empty'}, {state}")
    return 0


def register(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    add_command(commands, "upgrade", "create or upgrade the schema to the latest revision").set_defaults(
        handler=_upgrade
    )
    add_command(commands, "current", "show the schema revision of the database").set_defaults(
        handler=_current
    )
