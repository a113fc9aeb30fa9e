"""``ofcrm import``: bring data in from files (``import fans FILE``).

Exit status: 0 when every row was taken, or, with ``--skip-invalid``, some were and the
bad ones skipped as asked (the report names them); 1 otherwise (the report on stderr).
"""

from __future__ import annotations

import argparse
import sys

from ofcrm_tui.cli.common import add_account_option, add_command, context, progress_line
from ofcrm_tui.core import accounts
from ofcrm_tui.core.fans import csv_import
from ofcrm_tui.core.wording import counted
from ofcrm_tui.platform.errors import one_line

SHOWN_PROBLEMS = 20


def _import_fans(args: argparse.Namespace) -> int:
    ctx = context(args)  # fans go into an account: none, no database (and none made)
    account = accounts.resolve_account(ctx.db, args.account)
    progress = progress_line(lambda rows, read: f"{rows:,} rows, {read / 1e6:.1f} MB read")
    report = csv_import.import_fans(
        ctx.db, account.id, args.file, author=ctx.settings.chatter_name,
        dry_run=args.dry_run, skip_invalid=args.skip_invalid, progress=progress,
    )
    if progress is not None:
        print("\r", end="", file=sys.stderr)
    assert report.mapping is not None
    if report.mapping.unknown:
        print(f"ignored columns: {', '.join(one_line(h) for h in report.mapping.unknown)}", file=sys.stderr)
    for problem in report.problems[:SHOWN_PROBLEMS]:
        print(f"line {problem.line}: {one_line(problem.reason)}", file=sys.stderr)
    if report.problem_count > SHOWN_PROBLEMS:
        more = counted(report.problem_count - SHOWN_PROBLEMS, "more bad row", "more bad rows")
        print(f"... and {more}", file=sys.stderr)
    skipped_as_asked = (args.skip_invalid and report.rows > report.problem_count
                        and (report.written or report.dry_run))
    done = report.complete or skipped_as_asked
    out = sys.stdout if done else sys.stderr
    for line in report.platform_lines():
        print(line, file=out)
    print(f"{account.name}: {report.summary()}", file=out)
    return 0 if done else 1


def register(parser: argparse.ArgumentParser) -> None:
    targets = parser.add_subparsers(dest="import_target", metavar="WHAT", required=True)
    fans = add_command(
        targets, "fans",
        "fans from a CSV file (UTF-8, comma/semicolon/tab); matching fans are updated, tags "
        "and notes added; any bad row means nothing is written unless --skip-invalid",
    )
    fans.add_argument("file", metavar="FILE", help="the CSV file to read")
    add_account_option(fans, "the account (default: the only one)")
    fans.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
    fans.add_argument("--skip-invalid", action="store_true", help="write the good rows, report the bad")
    fans.set_defaults(handler=_import_fans)
