"""Pieces every subcommand uses."""

from __future__ import annotations

import argparse

from ofcrm_tui.context import AppContext


def context(args: argparse.Namespace) -> AppContext:
    return AppContext.load(database_url=args.db, verbose=args.verbose)


def add_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse.ArgumentParser:
    return subparsers.add_parser(name, help=help_text, description=help_text)


def positive_int(value: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number
