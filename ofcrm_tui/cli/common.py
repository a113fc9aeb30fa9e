"""Pieces every subcommand uses."""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ofcrm_tui.context import AppContext
from ofcrm_tui.core import files
from ofcrm_tui.core.access import Kind
from ofcrm_tui.core.outbox.rules import OutboxError, check_price
from ofcrm_tui.errors import OfcrmError, UsageError
from ofcrm_tui.platform.money import MoneyError, named_dollars


def context(args: argparse.Namespace, *, creates: bool = False) -> AppContext:
    """Settings and logging for this command (its log file is named for it). Only a
    command that ``creates`` the database makes one that is not there yet: one that
    reads or edits says in a line where it looked (``NoDatabase``)."""
    return AppContext.load(
        database_url=args.db, verbose=args.verbose, kind=getattr(args, "command", None) or "app",
        creates=creates,
    )


def managers_only(ctx: AppContext) -> None:
    """On a team database, what only a manager does (adding or removing an account, the
    audit trail): another role is refused in the team's one line, before a token or a
    confirmation is asked for, not by a table's privilege half way."""
    me = ctx.identity
    if me.kind not in (Kind.LOCAL, Kind.MANAGER):
        from ofcrm_tui.core.access.roles import not_a_manager

        raise not_a_manager(me.role, me.kind.value)


def confirmed(args: argparse.Namespace, question: str, without_terminal: str) -> bool:
    """``--yes``, or yes typed at a terminal to ``question``. Without a terminal to ask on
    and without ``--yes``, ``without_terminal`` is a usage error (exit 2): nothing done."""
    if args.yes:
        return True
    if sys.stdin is None or not sys.stdin.isatty():
        raise UsageError(f"{without_terminal}: add --yes (no terminal to ask on)")
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def add_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse.ArgumentParser:
    return subparsers.add_parser(name, help=help_text, description=help_text)


def add_account_option(parser: argparse.ArgumentParser, help_text: str, **kwargs: object) -> None:
    """``--account`` after the command: the same option as ``ofcrm --account NAME``
    before it. No default of its own, so it never overwrites the global one."""
    parser.add_argument(
        "--account", metavar="NAME", default=argparse.SUPPRESS, help=help_text, **kwargs
    )


def add_file_options(parser: argparse.ArgumentParser) -> None:
    """An export's ``FILE`` and its ``--force`` (see ``refuse_to_replace``)."""
    parser.add_argument("file", type=Path, metavar="FILE", help="the CSV file to write")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")


def add_paid_options(parser: argparse.ArgumentParser) -> None:
    """A message's price and media, as ``send`` and ``campaign create`` take them."""
    parser.add_argument("--price", type=price, default=0, metavar="DOLLARS",
                        help="a price in dollars (3 to 200): PPV")
    parser.add_argument("--media", type=row_id, nargs="+", action="extend", metavar="ID",
                        help="vault media ids")
    parser.add_argument("--preview", type=row_id, nargs="+", action="extend", metavar="ID",
                        help="media shown before buying (among --media)")


def refuse_to_replace(args: argparse.Namespace) -> None:
    """An export never writes over a file unless told to (``--force``): one line says
    what is there."""
    found = None if args.force else files.existing(args.file)
    if found is not None:
        raise OfcrmError(f"{found}: not replaced (--force replaces it)")


def whole_in(least: int, most: float) -> Callable[[str], int]:
    """argparse type: a whole number from ``least`` to ``most``, refused as typed (a huge
    one overflowed a database integer after the command had started: a traceback)."""

    def whole(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
        if number < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, not {number}")
        if number > most:
            raise argparse.ArgumentTypeError(f"must be at most {most:,}, not {number}")
        return number

    return whole


T = TypeVar("T")


def checked_by(check: Callable[[str], T], *, as_typed: bool = False) -> Callable[[str], T | str]:
    """argparse type from a core check: its one-line refusal refuses the value as typed
    (exit 2), before any database is opened or made. The check's result is the value,
    or, ``as_typed``, the text as given (a note keeps its spaces)."""

    def value(text: str) -> T | str:
        try:
            result = check(text)
        except (OfcrmError, ValueError) as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return text if as_typed else result

    value.__name__ = getattr(check, "__name__", "value")
    return value


def fan_ref(text: str) -> str:
    """argparse type: FAN, a platform user id or a username, not empty."""
    if not text.strip().removeprefix("@"):
        raise argparse.ArgumentTypeError("no fan given: a platform user id or a username")
    return text


def price(text: str) -> int:
    """argparse type: a message's price in cents (``9.99``, ``$9.99``; empty: free),
    within the platform's range."""
    try:
        return check_price(dollars(text, "price") or 0) if text.strip() else 0
    except (OutboxError, BadValue) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


MOST_ID = 2**63 - 1  # a database's largest id (a larger one overflows its integers)


def row_id(value: str) -> int:
    """argparse type: a row's id (a campaign's, a message's), 1 to ``MOST_ID``."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= MOST_ID:
        raise argparse.ArgumentTypeError(f"not an id: {value!r} (a whole number from 1)")
    return number


MOST_ROWS = 1_000_000_000  # a count option's ceiling: more overflows a database integer
positive_int = whole_in(1, math.inf)  # a count; each command bounds its own ceiling
# A count each command bounds itself (``check_limit``), or a seed: argparse's own ``int``
# said "invalid int value" where every other number option says "not a whole number".
whole_number = whole_in(-math.inf, math.inf)


def check_limit(args: argparse.Namespace, option: str = "limit", least: int = 1) -> None:
    """A count option (``--limit``, ``fans show --notes``...) below ``least`` would list
    nothing ("no fans match") or, on SQLite, all (LIMIT -1; PostgreSQL refuses it), and a
    huge one overflows the database's integers: a usage error, one line, exit 2, as the
    fan filter's. After ``context(args)``, which sets up the logging errors go through."""
    value = getattr(args, option)
    if value is not None and value < least:
        raise UsageError(f"--{option} must be at least {least}, not {value}")
    if value is not None and value > MOST_ROWS:
        raise UsageError(f"--{option} must be at most {MOST_ROWS:,}")


def progress_line(render: Callable[[int, int], str]) -> Callable[[int, int], None] | None:
    """A progress callback redrawing one stderr line at most twice a second with
    ``render(done, of)``; None when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return None
    last = [0.0]

    def show(done: int, of: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5:
            last[0] = now
            print(f"\r  {render(done, of)}", end="", file=sys.stderr)

    return show


def number_in(least: float, most: float, *, above: bool = False) -> Callable[[str], float]:
    """argparse type: a number from ``least`` (more than it, ``above``) to ``most``; every
    number option's range check. Refused as typed, one line, exit 2, before anything is
    opened: NaN, infinity and a value past what a timer or a date can hold (a traceback)."""
    allowed = (f"more than {least:g} and at most {most:g}" if above
               else f"from {least:g} to {most:g}")

    def number(value: str) -> float:
        try:
            parsed = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {value!r} ({allowed})") from None
        if not ((least < parsed) if above else (least <= parsed)) or not parsed <= most:
            raise argparse.ArgumentTypeError(f"must be {allowed}, not {value}")
        return parsed

    return number


DAY_SECONDS = 86_400.0  # a timer option's ceiling (longer overflows a thread's wait)
CENTURY_DAYS = 36_500.0  # a days option's ceiling, as a segment's days


class BadValue(UsageError):
    """An option's value that does not parse: a one-line error, exit 2, as any bad value
    (a money option's exited 1 where the fan filter's same option exited 2)."""


def dollars(text: str | None, what: str) -> int | None:
    """An amount as typed (``9.99``, ``$9.99``) in cents, None when not given; every
    command's money options (``--price``, ``--min-spent``, ...) go through here."""
    if text is None:
        return None
    try:
        return named_dollars(text, what)
    except MoneyError as exc:
        raise BadValue(str(exc)) from None
