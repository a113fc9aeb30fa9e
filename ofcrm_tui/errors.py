"""The base of errors whose message is written for the user: one line, no traceback."""


class OfcrmError(Exception):
    """An error the command line prints as ``ofcrm: error: <message>`` and exits non-zero."""
