"""HTML mail bodies to readable plain text (the product stores text, never HTML).

nh3 first: it drops script/style/title with their content, comments and every
attribute, and repairs broken markup the way a browser would. Python's html.parser then
walks the clean result and keeps only the text, with line breaks where blocks end.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

# Tags that end a line when rendered; everything else is inline (its text runs on).
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "footer",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre",
        "section", "table", "tr", "ul",
    }
)  # fmt: skip
_PARAGRAPH_TAGS = frozenset(
    {"blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "ol", "p", "pre", "table", "ul"}
)
_KEPT_TAGS = _BLOCK_TAGS | {"td", "th", "tbody", "thead", "span", "b", "i", "em", "strong"}
_REMOVED_WITH_CONTENT = {"script", "style", "title", "head", "noscript", "template"}
_RUNS_OF_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._preformatted = 0
        # Line breaks owed before the next text; deferred so that nested blocks
        # (<div><p>…) give one break, not a pile of blank lines.
        self._pending_breaks = 0

    def _owe_breaks(self, tag: str) -> None:
        if tag in _PARAGRAPH_TAGS:
            self._pending_breaks = 2
        elif tag in _BLOCK_TAGS:
            self._pending_breaks = max(self._pending_breaks, 1)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            # Consecutive <br>s are deliberate vertical space, so they add up.
            self._pending_breaks += 1
            return
        self._owe_breaks(tag)
        if tag == "pre":
            self._preformatted += 1
        elif tag == "li":
            self._write("- ")
        elif tag in {"td", "th"}:
            self._write(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._preformatted = max(0, self._preformatted - 1)
        self._owe_breaks(tag)

    def handle_data(self, data: str) -> None:
        # Source line breaks are spaces in HTML, except inside <pre>.
        text = data if self._preformatted else _RUNS_OF_SPACE.sub(" ", data)
        if text.strip():
            self._write(text)
        elif text and self.chunks and not self._pending_breaks:
            self.chunks.append(" ")

    def _write(self, text: str) -> None:
        if self._pending_breaks and self.chunks:
            self.chunks.append("\n" * self._pending_breaks)
        elif self.chunks and self.chunks[-1].endswith(" ") and not self._preformatted:
            text = text.lstrip(" ")  # spaces from adjacent inline elements collapse to one
        self._pending_breaks = 0
        self.chunks.append(text)


def html_to_text(html: str) -> str:
    """Readable text from an HTML body: no markup, entities resolved, blocks on own lines."""
    clean = nh3.clean(
        html,
        tags=set(_KEPT_TAGS),
        clean_content_tags=set(_REMOVED_WITH_CONTENT),
        attributes={},
        strip_comments=True,
        link_rel=None,
    )
    collector = _TextCollector()
    collector.feed(clean)
    collector.close()
    lines = (line.strip(" ") for line in "".join(collector.chunks).split("\n"))
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
