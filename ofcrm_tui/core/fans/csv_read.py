"""Reading a fans CSV as a stream of (line number, cells): the file's encoding, BOM and
delimiter, quoted newlines, with the bytes read so far for a progress bar.

Bytes are read a chunk at a time, decoded as UTF-8 with ``surrogateescape`` and split
at line feeds only (as the bytes have them): a line that is not UTF-8 still parses,
and its cells carry lone surrogates that the row validation refuses with that line's
number, instead of the whole file failing at an unknown place. A file whose first
chunk has carriage returns and no line feed (old Mac line endings) is split at those.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ofcrm_tui.core.fans.csv_format import (
    NO_ROWS,
    NOT_TEXT_HEADER,
    ColumnMapping,
    CsvFormatError,
    is_text,
    map_header,
)

DELIMITERS = (",", ";", "\t")
CHUNK_BYTES = 1 << 20
_QUOTED = re.compile(r'"(?:[^"]|"")*"')


def detect_delimiter(header_line: str) -> str:
    """The delimiter a header line uses most (outside quotes): comma, semicolon or tab."""
    bare = _QUOTED.sub("", header_line)
    counts = {d: bare.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


class CsvSource:
    """A fans CSV opened for reading: its mapping, then its rows, one at a time."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.bytes_read = 0
        lines = itertools.chain.from_iterable(self._chunks())
        first = next(lines, None)
        while first is not None and not first.strip():
            first = next(lines, None)
        if first is None:
            raise CsvFormatError("the file is empty")
        first = first.removeprefix("\ufeff")
        self.delimiter = detect_delimiter(first)
        self._reader = csv.reader(itertools.chain((first,), lines), delimiter=self.delimiter)
        try:
            header = next(self._reader)
        except csv.Error as exc:
            if not is_text(first):  # a binary file: its bytes, not its quoting, are the matter
                raise CsvFormatError(NOT_TEXT_HEADER) from None
            raise CsvFormatError(f"line 1: {_reason(exc)}") from None
        self.mapping: ColumnMapping = map_header(header)
        self.header_lines = self._reader.line_num

    def _chunks(self) -> Iterator[Iterable[str]]:
        """The file's lines, with their line feeds, a chunk at a time."""
        decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        tail = ""
        returns_only: bool | None = None  # lines end with CR alone (decided on the first chunk)
        while block := self._stream.read(CHUNK_BYTES):
            self.bytes_read += len(block)
            text = decoder.decode(block)
            if returns_only is None:
                returns_only = "\r" in text and "\n" not in text
            if returns_only:
                text = text.replace("\r", "\n")
            head, feed, tail = (tail + text).rpartition("\n")
            # newline="\n": split at line feeds only, each line keeping its own
            yield io.StringIO(head + feed, newline="\n")
        tail += decoder.decode(b"", final=True)
        if tail:
            yield [tail]

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number where the row starts, cells); blank rows are skipped."""
        for lines, rows in self.batches(1):
            yield lines[0], rows[0]

    def batches(self, size: int) -> Iterator[tuple[list[int], list[list[str]]]]:
        """The rows ``size`` at a time: the lines where they start, their cells."""
        reader = self._reader
        lines: list[int] = []
        rows: list[list[str]] = []
        start = reader.line_num + 1
        try:
            for cells in reader:
                # not blank: text in the first cell (most rows) or in any other
                if (cells and cells[0][:1].strip()) or ((text := "".join(cells)) and not text.isspace()):
                    lines.append(start)
                    rows.append(cells)
                    if len(rows) == size:
                        yield lines, rows
                        lines, rows = [], []
                start = reader.line_num + 1
        except csv.Error as exc:
            raise CsvFormatError(f"line {start}: {_reason(exc)}") from None
        if rows:
            yield lines, rows


def _reason(error: csv.Error) -> str:
    """The csv module's error as a person can act on it."""
    if "new-line character seen in unquoted field" in str(error):
        return ("a line break (CR) inside a cell that is not quoted: save the file as "
                "CSV UTF-8 (or quote that cell)")
    return str(error)


@dataclass(frozen=True)
class ImportPreview:
    """What the import dialog shows before anything is written."""

    delimiter: str
    mapping: ColumnMapping
    rows: list[tuple[int, list[str]]]
    size_bytes: int


def preview(path: str | Path, rows: int = 5) -> ImportPreview:
    """The detected delimiter and column mapping and the first ``rows`` rows, as read.
    Raises CsvFormatError as the import would for a file it cannot import at all: one
    with no row under its header too (its preview offered an import that said so only
    then)."""
    file = Path(path)
    with open_csv(file) as stream:
        source = CsvSource(stream)
        first: list[tuple[int, list[str]]] = []
        for line, cells in source.rows():  # shown as read: bytes not UTF-8 as U+FFFD
            first.append((line, [shown(cell) for cell in cells]))
            if len(first) >= rows:
                break
        if not first:
            raise CsvFormatError(NO_ROWS)
        return ImportPreview(source.delimiter, source.mapping, first, file.stat().st_size)


def open_csv(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as exc:
        raise CsvFormatError(f"cannot read {path}: {exc.strerror}") from None



def shown(cell: str) -> str:
    """A cell read from the file, for display: bytes that were not UTF-8 (lone
    surrogates) as the replacement character."""
    return cell if is_text(cell) else cell.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
