"""Text in pieces that a line break never splits ("429 waits 0 (0 s)", "the next frees up
at 14:18:38 (in 58 s)"): Rich wraps at any space, a no-break space too, so a figure could
end one line and its unit start the next."""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text


def _fitting(chars: Iterable[str], cells: int) -> int:
    """How many of ``chars``, from the first, fit in ``cells``."""
    count = 0
    for char in chars:
        cells -= cell_len(char)
        if cells < 0:
            break
        count += 1
    return count


def cut_middle(text: Text, width: int) -> Text:
    """``text`` in at most ``width`` cells, its middle left out for an ellipsis: a path
    keeps where it starts and its file's name."""
    if text.cell_len <= width:
        return text
    room = max(0, width - 1)
    head = _fitting(text.plain, room - room // 2)
    tail = _fitting(reversed(text.plain[head:]), room // 2)
    return text[:head] + Text("…") + text[len(text.plain) - tail:]


class Pieces:
    """``pieces`` joined by ``separator`` on as few lines as the width allows, a line
    broken only between two pieces (the separator left out there); a piece wider than
    the whole width wraps on its own, or with ``cut`` is cut in its middle (a path)."""

    def __init__(
        self, pieces: Iterable[str | Text], separator: str = " · ", *, cut: bool = False
    ) -> None:
        self.pieces = [Text(piece) if isinstance(piece, str) else piece for piece in pieces]
        self.separator = separator
        self.cut = cut

    def text(self, width: int | None = None) -> Text:
        """The pieces, a line break where the next would go past ``width`` (None: one line)."""
        joined, used = Text(), 0
        gap = cell_len(self.separator)
        for piece in self.pieces:
            if self.cut and width is not None:
                piece = cut_middle(piece, width)
            if joined and (width is None or used + gap + piece.cell_len <= width):
                joined.append(self.separator)
                used += gap
            elif joined:
                joined.append("\n")
                used = 0
            joined.append_text(piece)
            used += piece.cell_len
        return joined

    def __str__(self) -> str:
        return self.text().plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.text(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((piece.cell_len for piece in self.pieces), default=0)
        return Measurement(widest, max(widest, self.text().cell_len)).clamp(
            max_width=options.max_width)
