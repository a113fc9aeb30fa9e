"""The ``ofcrm`` command: global options, subcommands, one-line errors.

Each subcommand's module is imported only when that command is chosen, so ``ofcrm
--help`` loads no database code and ``ofcrm queue`` none of the simulator or the app.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn

from ofcrm_tui import __version__
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.platform.errors import PlatformError

# Named, not ``__name__``: run as ``python -m ofcrm_tui.cli.main`` that is "__main__",
# outside the package's handlers, and Python's last resort would print errors twice.
log = logging.getLogger("ofcrm_tui.cli.main")


@dataclass(frozen=True)
class Command:
    """A subcommand: its one-line help, the module whose ``register(parser)`` adds its
    arguments and handler, and its actions as that module names them (``ofcrm --help``
    lists them without loading the module; a test holds the two lists the same)."""

    name: str
    module: str
    about: str
    actions: tuple[str, ...] = ()

    @property
    def help(self) -> str:
        return f"{self.about}: {', '.join(self.actions)}" if self.actions else self.about


COMMANDS = (
    Command("account", "account_cmd", "creator accounts",
            ("add", "token", "set", "list", "remove")),
    Command("config", "config_cmd", "settings: the effective values, the file's path",
            ("show", "path")),
    Command("db", "db_cmd", "database schema", ("upgrade", "current")),
    Command(
        "demo",
        "demo_cmd",
        "open the app on a live simulated account (nothing to set up) in a database made anew "
        "each time: demo.db in the data folder, or the SQLite file --db names",
    ),
    Command(
        "simulate",
        "simulate_cmd",
        "serve a simulated creator account that follows the platform contract (for demos and tests)",
    ),
    Command(
        "sync", "sync_cmd", "bring fans, chats, messages, media and transactions from the platform"
    ),
    Command(
        "send",
        "send_cmd",
        "queue a message to a fan; a running `ofcrm worker` or the app sends it within the "
        "account's send limit",
    ),
    Command(
        "queue", "queue_cmd", "outbound queue: counts by state, send budget left, next send time"
    ),
    Command(
        "campaign",
        "campaign_cmd",
        "bulk messages to a segment of fans, now or at a time",
        ("create", "list", "show", "pause", "resume", "cancel", "delete"),
    ),
    Command("failed", "failed_cmd", "messages that could not be sent",
            ("list", "retry", "discard")),
    Command(
        "worker",
        "worker_cmd",
        "poll accounts and send queued messages until stopped (SIGTERM/SIGINT stop it cleanly); "
        "any number of workers may share a database",
    ),
    Command(
        "assign", "assign_cmd",
        "give a fan's conversation to a chatter (you by default), or to nobody (--nobody)",
    ),
    Command(
        "chatters", "chatters_cmd",
        "who is online now, the conversation each has open, and their sends today",
    ),
    Command("fans", "fans_cmd", "fans", ("list", "show", "add", "edit", "delete")),
    Command("import", "import_cmd", "bring data in from files (CSV)", ("fans",)),
    Command("export", "export_cmd", "write data out to files (CSV)", ("fans", "analytics")),
    Command(
        "generate",
        "generate_cmd",
        "fill a new account with generated fans, chats and spend (benchmarks, demos); "
        "the same seed gives the same data",
    ),
    Command(
        "team",
        "team_cmd",
        "a team on PostgreSQL: chatters' and workers' roles, their accounts and rights, "
        "and the audit trail",
        ("init", "add-chatter", "add-worker", "remove-chatter", "remove-worker", "list",
         "whoami", "audit"),
    ),
    Command(
        "health",
        "health_cmd",
        "queue, sends, polls, credentials and database at a glance; "
        "non-zero when a person is needed",
    ),
)


_PARSER = "_ofcrm_parser"  # the namespace attribute naming the innermost parser that ran


class Parser(argparse.ArgumentParser):
    """ofcrm's parser and every subcommand's (argparse makes subparsers of the parent's
    class): a usage error is one line, ``ofcrm: error: ...``, naming the command's
    ``--help``, exit 2; never argparse's usage dump."""

    def error(self, message: str) -> NoReturn:
        print(f"ofcrm: error: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """Also records the innermost parser that ran (a subcommand's runs inside its
        parent's and returns first), so the arguments none of them knew are refused with
        the chosen command's name and help, not the top level's."""
        parsed, extras = super().parse_known_args(args, namespace)
        if not hasattr(parsed, _PARSER):
            setattr(parsed, _PARSER, self)
        return parsed, extras


def _database_url(value: str) -> str:
    """argparse type: ``--db``'s URL. An empty one (``--db "$UNSET"``) is refused as
    typed, not taken for none given: the command went on with the default database."""
    if not value.strip():
        raise argparse.ArgumentTypeError("no URL given: sqlite:///PATH or postgresql://...")
    return value


def _globals_after_the_command(command: argparse.ArgumentParser) -> None:
    """``--db`` and ``-v`` after a command (``ofcrm fans list --db URL``, ``ofcrm queue
    -v``), at every level of it, as ``--account`` is: no default of their own, so they
    never overwrite the global ones."""
    command.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, type=_database_url,
        help="the database URL: the same as `ofcrm --db URL` before the command",
    )
    command.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
        help="also log to the console: the same as `ofcrm -v` before the command",
    )
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _globals_after_the_command(sub)


def build_parser(load: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the commands named in ``load`` (all when None) get their
    arguments, the others just their name and help (enough for ``ofcrm --help``)."""
    parser = Parser(
        prog="ofcrm",
        description="Terminal CRM for chat teams answering fans of subscription creators.",
    )
    parser.add_argument("--version", action="version", version=f"ofcrm {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        type=_database_url,
        help="database URL (sqlite:///path or postgresql://...); default: OFCRM_DATABASE_URL, "
        "the config file, or SQLite in the user data directory",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="also log to the console")
    parser.add_argument(
        "--account",
        metavar="NAME",
        help="the account to open the app on or to act on (needed when there are several); "
        "the same as a command's own --account",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        loaded = load is None or command.name in load
        sub = subparsers.add_parser(
            command.name, help=command.help, description=command.help, add_help=loaded
        )
        if loaded:
            importlib.import_module(f"ofcrm_tui.cli.{command.module}").register(sub)
            _globals_after_the_command(sub)
    return parser


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Parse twice: first to learn the command, then with that command's arguments.
    Arguments nobody knows are refused by the innermost command that ran."""
    chosen, _ = build_parser(load=()).parse_known_args(argv)
    parser = build_parser(load=[chosen.command] if chosen.command else ())
    args, extras = parser.parse_known_args(argv)
    innermost = vars(args).pop(_PARSER, parser)
    if extras:
        innermost.error(f"unrecognized arguments: {' '.join(extras)}")
    return args


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _database_error(exc: BaseException) -> str | None:
    """The one-line message for a database driver's error; None for anything else."""
    if "sqlalchemy.exc" in sys.modules:  # something opened a database
        from sqlalchemy.exc import DBAPIError

        if isinstance(exc, DBAPIError):
            from ofcrm_tui.core.access import refusal

            denied = refusal(exc)  # a team role's missing privilege or right
            if denied is not None:
                return str(denied)
            return f"database error: {_first_line(exc.orig) if exc.orig else type(exc).__name__}"
    # The driver's own error, raised where SQLAlchemy does not wrap it (connect hooks).
    sqlite3 = sys.modules.get("sqlite3")
    if sqlite3 is not None and isinstance(exc, sqlite3.Error):
        return f"database error: {_first_line(exc)}"
    return None


def _os_error(exc: BaseException) -> str | None:
    """A file or directory that cannot be used, in one line; None for anything else."""
    if not isinstance(exc, OSError) or not exc.strerror:
        return None
    where = f": {exc.filename}" if exc.filename else ""
    return f"{exc.strerror}{where}"


def _load_app() -> Callable[[argparse.Namespace], int]:
    """The handler of ``ofcrm`` with no command, its modules loaded: the app is imported
    only now (other commands stay headless), as a command's module is by ``parse``."""
    importlib.import_module("ofcrm_tui.tui.launch")
    return _open_app


def _open_app(args: argparse.Namespace) -> int:
    """``ofcrm`` with no command: the app."""
    from ofcrm_tui.cli.common import context
    from ofcrm_tui.tui.launch import run_app

    ctx = context(args, creates=True)
    try:
        return run_app(ctx, args.account)
    finally:
        ctx.close()


def _fail(message: str, *, exc_info: bool = False, code: int = 1) -> int:
    """Print ``message`` once (not again through a console log) and log it to the file."""
    log.warning("command failed: %s", message, exc_info=exc_info, extra={"file_only": True})
    print(f"ofcrm: error: {message}", file=sys.stderr)
    return code


@contextmanager
def _collector_paused(paused: bool) -> Iterator[None]:
    """Start-up (the chosen command's modules: SQLAlchemy, pydantic, the models) makes
    a few hundred thousand objects that live as long as the process, and the cyclic
    collector would walk them again and again while they are made (a third of `ofcrm
    queue`'s time). With ``paused``, it waits until they are loaded; then they are
    frozen (left out of later collections, as the app does with its first screen's)
    and collection resumes."""
    if not paused or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    """``ofcrm``; ``argv`` None: this process's own command line (the console script),
    the only case where start-up pauses the collector (not in a caller's process)."""
    with _collector_paused(argv is None):
        args = parse(sys.argv[1:] if argv is None else list(argv))
        handler = getattr(args, "handler", None) or _load_app()
    # Until a command sets up logging, records go nowhere (not to Python's last-resort
    # stderr handler, which would print an error a second time).
    logging.getLogger("ofcrm_tui").addHandler(logging.NullHandler())
    try:
        return int(handler(args) or 0)
    except (OfcrmError, PlatformError) as exc:
        return _fail(str(exc), code=getattr(exc, "exit_code", 1))
    except KeyboardInterrupt:
        print("ofcrm: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader left (``ofcrm fans list | head``): stop quietly, as a pipe's writer
        # does, and let nothing else try to write to the closed pipe at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except Exception as exc:
        message = _database_error(exc) or _os_error(exc)
        if message is None:
            raise
        return _fail(message, exc_info=True)


if __name__ == "__main__":
    sys.exit(main())
