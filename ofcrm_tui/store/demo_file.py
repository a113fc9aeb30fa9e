"""The database ``ofcrm demo`` makes: a SQLite file whose only account is the demo's
(``DEMO_ACCOUNT``), beside the lock the demo holds while it runs (``demo_lock``). Its
key is the demo's own, set inside the demo only: health run beside it says so, and
whether the demo runs (``demo_running``)."""

from __future__ import annotations

import fcntl
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import URL

from ofcrm_tui.store.database import sqlite_file

DEMO_ACCOUNT = "demo"


def demo_lock(path: Path) -> Path:
    """The lock beside the demo's database at ``path``: made by the demo, and kept."""
    return path.with_name(path.name + ".lock")


def account_names(path: Path) -> set[str] | None:
    """The names of the accounts in the SQLite file at ``path``, read only; None when it
    is not a database, or not ofcrm's."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            return {name for (name,) in db.execute("SELECT name FROM accounts")}
    except sqlite3.Error:
        return None


def is_demo_database(url: str | URL) -> bool:
    """``url`` names a database ``ofcrm demo`` made: a SQLite file with the demo's lock
    beside it, whose only account is the demo's."""
    path = sqlite_file(url)
    return (path is not None and path.is_file() and demo_lock(path).exists()
            and account_names(path) == {DEMO_ACCOUNT})


def demo_running(url: str | URL) -> bool:
    """An ``ofcrm demo`` runs on ``url``'s file now: it holds its lock (exclusively, for
    as long as it runs; one that ended, even killed, holds none). Probed with a shared
    lock let go at once."""
    path = sqlite_file(url)
    if path is None:
        return False
    try:
        with open(demo_lock(path), "rb") as lock:
            fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:  # no lock there: no demo ever ran on it
        return False
    return False
