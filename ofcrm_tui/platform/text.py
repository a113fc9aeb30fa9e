"""Message text on the wire is HTML; chatters read and write plain text.

Sending wraps the escaped text in one paragraph with ``<br>`` for each newline, so
any text a person can type survives the round trip exactly. Reading drops tags,
turns ``<br>`` and paragraph ends into newlines and unescapes entities.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser


def text_to_html(text: str) -> str:
    """Plain text as the contract's message HTML."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    escaped = html.escape(normalised, quote=True)
    return "<p>" + escaped.replace("\n", "<br>") + "</p>"


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The contract's message HTML as the plain text a person typed."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    # A paragraph end is a line break between paragraphs, not after the last one.
    return text[:-1] if text.endswith("\n") and markup.rstrip().endswith("</p>") else text
