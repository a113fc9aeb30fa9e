"""What a fan's hand-edited fields may hold, shared by the edits and the CSV import.

Fan text is data: it is stored as given (the UI shows it literally), but control
characters other than newlines and tabs in notes, NUL bytes and undecodable bytes are
refused, and lengths are bounded by the columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ofcrm_tui.core.wording import counted
from ofcrm_tui.errors import OfcrmError

MAX_NAME_CHARS = 255  # username, name, nickname: the column size
MAX_TAG_CHARS = 64
MAX_NOTE_CHARS = 5_000
# Tags are written joined with "|" and read split on any of these.
TAG_SEPARATORS = "|,;"

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Names may hold tabs (platform names do; an export must read back), not other controls.
_NAME_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_NOTE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Any character one of the checks below may refuse: most values have none.
_SUSPECT = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_SPACE = re.compile(r"\s")  # the characters str.isspace() accepts
# What a username is made of, wherever one enters (the import, the new-fan dialog,
# ``fans add``): the platform's own are letters and digits, "_", "." and "-" (u4101,
# luna_rose, mia.starlight; names of any alphabet: tom_müller12). Python's ``\w`` is the
# letters and digits of str.isalnum() and "_". Nothing else: no "@" inside (an address
# such as bob@example.com is not a username), no quotes, slashes or spaces.
USERNAME_CHARS = r"\w.\-"
_NOT_USERNAME = re.compile(f"[^{USERNAME_CHARS}]")


class FanFieldError(OfcrmError, ValueError):
    """A value a fan field cannot hold, with the reason in one line; ``field`` names
    the field (a form puts the cursor back there)."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.field = field


def _check_text(what: str, value: str, most: int, control: re.Pattern[str]) -> str:
    if _SUSPECT.search(value):
        if "\x00" in value:
            raise FanFieldError(f"{what} contains a NUL byte", what)
        if _SURROGATE.search(value):
            raise FanFieldError(f"{what} is not valid UTF-8 text", what)
        if control.search(value):
            raise FanFieldError(f"{what} contains control characters", what)
    if len(value) > most:
        raise FanFieldError(f"{what} is {len(value):,} characters long (at most {most:,})",
                            what)
    return value


def clean_name(what: str, value: str) -> str:
    """A name or nickname: one line, at most 255 characters (kept as written)."""
    return _check_text(what, value, MAX_NAME_CHARS, _NAME_CONTROL)


def clean_username(value: str) -> str:
    """A username without its ``@``, of ``USERNAME_CHARS`` only."""
    text = _check_text("username", value.strip().removeprefix("@"), MAX_NAME_CHARS, _CONTROL)
    if _SPACE.search(text):
        raise FanFieldError(f"username {text!r} contains spaces", "username")
    if other := _NOT_USERNAME.search(text):
        raise FanFieldError(f"username {text!r} contains {other.group()!r}: a username has "
                            "letters, digits, _ . and - only", "username")
    return text


def tag_name(value: str) -> str:
    """The one rule for the name a tag is given by: trimmed, without the leading ``#``
    the app shows tags with (``#vip`` is the tag ``vip``), unchecked. A tag stored with
    a ``#`` before this rule keeps it (``tag_names.spellings`` still finds it)."""
    return value.strip().lstrip("#").strip()


def clean_tag(value: str) -> str:
    """A tag's name by ``tag_name``, checked: FanFieldError for one the tags cannot hold."""
    name = _check_text("tag", tag_name(value), MAX_TAG_CHARS, _CONTROL)
    if not name:
        raise FanFieldError("a tag name needs more than a #" if value.strip() else "empty tag name")
    if any(sep in name for sep in TAG_SEPARATORS):
        raise FanFieldError(f"tag {name!r} contains one of {' '.join(TAG_SEPARATORS)}")
    return name


def tag_key(name: str) -> str:
    """What two spellings of one tag share: tags differ by more than case (``tag_names``)."""
    return name.lower()


def distinct_tags(names: Iterable[str]) -> list[str]:
    """``names`` without repeats, whatever the case: the first spelling of each is kept."""
    first: dict[str, str] = {}
    for name in names:
        first.setdefault(tag_key(name), name)
    return list(first.values())


def split_tags(cell: str) -> list[str]:
    """``vip|whale; VIP`` -> ``['vip', 'whale']`` (empty parts dropped, no repeats)."""
    parts = re.split(f"[{re.escape(TAG_SEPARATORS)}]", cell)
    return distinct_tags(clean_tag(part) for part in parts if part.strip())


def clean_note(value: str) -> str:
    body = _check_text("note", value, MAX_NOTE_CHARS, _NOTE_CONTROL)
    if not body.strip():
        raise FanFieldError("empty note")
    return body


def subscription(platform_user_id: int | None, status: str) -> str | None:
    """The fan's subscription status; None for one with no subscription data (no
    platform id: ``Fan.on_platform``), whose stored status is a default only."""
    return status if platform_user_id is not None else None


def taken_as_active(count: int) -> str:
    """What the import's report and ``fans add`` say of fans given a user id and no
    status: stored as active (the column's default), as the next sync corrects."""
    were = "was" if count == 1 else "were"
    them = "it" if count == 1 else "them"
    return (f"{counted(count, 'fan')} with a user id and no status {were} taken as active "
            f"(the next sync corrects {them})")


def status_left_out(count: int) -> str:
    """What the import's report says of fans given a status and no user id: such a fan
    has no subscription data (``subscription``)."""
    their = "its" if count == 1 else "their"
    return (f"{counted(count, 'fan')} without a user id: {their} status was left out "
            "(no subscription data without one)")
