"""The base of errors whose message is written for the user: one line, no traceback."""


class OfcrmError(Exception):
    """An error the command line prints as ``ofcrm: error: <message>`` and exits non-zero
    (``exit_code``)."""

    exit_code = 1


class UsageError(OfcrmError):
    """Options that cannot be used together or as given: exit 2, as argparse's own."""

    exit_code = 2
