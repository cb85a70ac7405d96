"""HTML mail bodies to readable plain text (the product stores text, never HTML).

nh3 first: it drops script/style/title with their content, comments and every
attribute, and repairs broken markup the way a browser would. Python's html.parser then
walks the clean result and keeps only the text, with line breaks where blocks end.
Markup nested thousands deep skips nh3 (its tree builder is quadratic in depth); the
collector drops script/style content by itself, so the result is still text only.
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
_REMOVED_WITH_CONTENT = frozenset({"script", "style", "title", "noscript", "template"})
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_MAX_NESTING = 4000
_FEED_CHUNK = 65536
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
_RUNS_OF_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.length = 0
        self._preformatted = 0
        # Line breaks owed before the next text; deferred so that nested blocks
        # (<div><p>…) give one break, not a pile of blank lines.
        self._pending_breaks = 0
        # Only counts when nh3 was skipped (it removes these elements itself).
        self._hidden = 0

    def _owe_breaks(self, tag: str) -> None:
        if tag in _PARAGRAPH_TAGS:
            self._pending_breaks = 2
        elif tag in _BLOCK_TAGS:
            self._pending_breaks = max(self._pending_breaks, 1)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _REMOVED_WITH_CONTENT:
            self._hidden += 1
        if tag == "br":
            # Two <br>s in a row are deliberate vertical space; more add nothing.
            self._pending_breaks = min(self._pending_breaks + 1, 2)
            return
        self._owe_breaks(tag)
        if tag == "pre":
            self._preformatted += 1
        elif tag == "li":
            self._write("- ")
        elif tag in {"td", "th"}:
            self._write(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _REMOVED_WITH_CONTENT:
            self._hidden = max(0, self._hidden - 1)
        if tag == "pre":
            self._preformatted = max(0, self._preformatted - 1)
        self._owe_breaks(tag)

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
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
        self.length += len(text)


def _nests_too_deep(html: str) -> bool:
    """Whether elements may nest deeper than nh3 handles quickly.

    nh3's HTML5 tree builder is quadratic in nesting depth (200k nested <div>s take
    minutes). This scan over-estimates depth (it ignores implied end tags), which only
    ever sends harmless markup down the slower-to-read but safe path.
    """
    if html.count("<") <= _MAX_NESTING:
        return False
    depth = 0
    for match in _TAG.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        if closing:
            depth = max(0, depth - 1)
        elif name not in _VOID_TAGS:
            depth += 1
            if depth > _MAX_NESTING:
                return True
    return False


def html_to_text(html: str, *, max_chars: int | None = None) -> str:
    """Readable text from an HTML body: no markup, entities resolved, blocks on own lines.

    Stops reading once `max_chars` of text are collected (the caller truncates anyway).
    """
    if _nests_too_deep(html):
        # Hostile or broken markup: the collector alone still yields only text.
        clean = html
    else:
        clean = nh3.clean(
            html,
            tags=set(_KEPT_TAGS),
            clean_content_tags=set(_REMOVED_WITH_CONTENT),
            attributes={},
            strip_comments=True,
            link_rel=None,
        )
    collector = _TextCollector()
    for start in range(0, len(clean), _FEED_CHUNK):
        collector.feed(clean[start : start + _FEED_CHUNK])
        if max_chars is not None and collector.length > max_chars:
            break
    collector.close()
    lines = (line.strip(" ") for line in "".join(collector.chunks).split("\n"))
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
