"""Fast multi-term matching: lexicon terms compiled into trie-shaped regular expressions.

A trie-shaped alternation lets the regex engine test each position in time bounded by the
longest term instead of trying hundreds of alternatives one after another, which keeps the
analysis linear in the length of the text.
"""

from __future__ import annotations

import re
import re._parser as _parser  # the stdlib's own regex parser, for first_characters
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from .scanning import LiteralIndex, lowered_for_gates

Payload = TypeVar("Payload")

# English-style terms need word boundaries; \b is useless next to Chinese (CJK chars are
# \w too), so the boundary is "no ASCII letter or digit on either side".
# A hyphen joins words too: "fast-growing" is not "fast".
ASCII_BOUNDARY_BEFORE = r"(?<![A-Za-z0-9_])(?<![A-Za-z]-)"
ASCII_BOUNDARY_AFTER = r"(?![A-Za-z0-9_]|-[A-Za-z])"
_ASCII_WORDISH = re.compile(r"^[A-Za-z0-9].*[A-Za-z0-9.]$|^[A-Za-z0-9]$", re.DOTALL)


def is_ascii_word(term: str) -> bool:
    return bool(_ASCII_WORDISH.match(term)) and term.isascii()


_LATIN_LETTER = re.compile(r"[A-Za-z]")


def has_latin_letters(text: str) -> bool:
    return _LATIN_LETTER.search(text) is not None


def is_acronym(term: str) -> bool:
    return term.isascii() and term.isupper() and len(term) <= 5


def trie_regex(words: Iterable[str]) -> str:
    """A regex alternation matching the longest of ``words`` at a position."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _node_regex(trie) or "(?!)"


def bounded_trie_regex(words: Iterable[str]) -> str:
    """A regex for ``ASCII_BOUNDARY_BEFORE + trie_regex(words) + ASCII_BOUNDARY_AFTER`` that
    consumes the character before the word too, so search it in ``" " + text`` and take
    ``start + 1`` (the match's group 1 is the word, with offsets one higher).

    The pattern opens with the class of characters that may precede a word (not a letter,
    digit or underscore), which the regex engine finds at C speed: it starts work only at
    word starts, instead of at every letter. Case-sensitive: for case-insensitive words,
    run it on lower-cased words and text. Words must start with a letter or digit.
    """
    body = trie_regex(words)
    # The character before, then the hyphen rule of ASCII_BOUNDARY_BEFORE ("fast-slow").
    return r"[^A-Za-z0-9_](?<![A-Za-z]-)(" + body + ")" + ASCII_BOUNDARY_AFTER


def _node_regex(node: dict[str, Any]) -> str:
    ends_here = "" in node
    branches = [re.escape(char) + _node_regex(child) for char, child in node.items() if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends_here:
        # Optional and greedy: the longer term is tried first, the shorter one on failure.
        return "(?:" + body + ")?" if len(branches) > 1 or len(body) > 1 else body + "?"
    return body


class Hit(NamedTuple, Generic[Payload]):
    """A term found at text[start:end] (a named tuple: hits are made by the thousand)."""

    start: int
    end: int
    payloads: tuple[Payload, ...]


class LiteralScan:
    """The spans ``trie_regex(words)``'s finditer() finds: leftmost, then longest, no overlaps.

    With ``bounded``, those of ``ASCII_BOUNDARY_BEFORE + trie_regex(words) +
    ASCII_BOUNDARY_AFTER`` (the longest word at a position that ends at a boundary).
    Case-sensitive. A trie-shaped regex costs time at every position where a word can
    start, and more the more words start with different characters (the regex engine tries
    a position's first-character alternatives one by one); one Aho-Corasick scan
    (``scanning.LiteralIndex``) costs the same per character whatever the lexicon's size,
    so it is used from a few dozen words on.
    """

    AUTOMATON_FROM = 64  # words; measured on the shipped corpus (docs/analysis.md, Speed)

    def __init__(self, words: set[str], *, bounded: bool) -> None:
        self._bounded = bounded
        self._regex: re.Pattern[str] | None = None
        self._index: LiteralIndex | None = None
        if len(words) < self.AUTOMATON_FROM:
            self._regex = re.compile(bounded_trie_regex(words) if bounded else trie_regex(words))
            return
        self._index = LiteralIndex(sorted(words), longest=not bounded)

    def finditer(self, text: str) -> list[tuple[int, int]]:
        if self._regex is not None:
            if self._bounded:  # see bounded_trie_regex: one leading space, group 1
                return [(m.start(1) - 1, m.end(1) - 1) for m in self._regex.finditer(" " + text)]
            return [match.span() for match in self._regex.finditer(text)]
        index = self._index
        assert index is not None
        if not self._bounded:
            return [(start, end) for _word, start, end in index.leftmost_longest(text)]
        # Every occurrence; keep, at each start with a boundary before it, the longest word
        # that ends at a boundary, leftmost first and without overlaps.
        ends: dict[int, list[int]] = {}
        for _word, start, end in index.all(text):
            if start in ends:
                ends[start].append(end)
            else:
                ends[start] = [end]
        spans: list[tuple[int, int]] = []
        last_end = 0
        for start in sorted(ends):
            if start < last_end or not _boundary_before(text, start):
                continue
            end = max((end for end in ends[start] if _boundary_after(text, end)), default=-1)
            if end < 0:
                continue
            spans.append((start, end))
            last_end = end
        return spans


_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _boundary_before(text: str, start: int) -> bool:
    """ASCII_BOUNDARY_BEFORE at ``start``."""
    if start == 0:
        return True
    before = text[start - 1]
    return before not in _WORD_CHARS and not (
        before == "-" and start >= 2 and text[start - 2] in _LETTERS
    )


def _boundary_after(text: str, end: int) -> bool:
    """ASCII_BOUNDARY_AFTER at ``end``."""
    if end >= len(text):
        return True
    after = text[end]
    return after not in _WORD_CHARS and not (
        after == "-" and end + 1 < len(text) and text[end + 1] in _LETTERS
    )


class TermMatcher(Generic[Payload]):
    """Finds lexicon terms in text; several payloads may share one surface form."""

    def __init__(
        self,
        terms: Sequence[tuple[str, Payload]],
        *,
        acronyms_case_sensitive: bool = False,
    ) -> None:
        by_key: dict[str, list[Payload]] = {}
        bounded_insensitive: list[str] = []
        bounded_sensitive: list[str] = []
        unbounded: list[str] = []
        for surface, payload in terms:
            sensitive = acronyms_case_sensitive and is_acronym(surface)
            key = surface if sensitive or not surface.isascii() else surface.casefold()
            if not sensitive and is_ascii_word(surface):
                key = surface.casefold()
            by_key.setdefault(key, []).append(payload)
            if not is_ascii_word(surface):
                unbounded.append(surface)
            elif sensitive:
                bounded_sensitive.append(surface)
            else:
                bounded_insensitive.append(surface.casefold())
        # Tuples, made once: hits hand them out as they are.
        self._by_key: dict[str, tuple[Payload, ...]] = {
            key: tuple(payloads) for key, payloads in by_key.items()
        }
        # (scanner, folded, needs_latin, fallback): word-bounded terms can only match Latin
        # letters. The case-insensitive ones are found in the lower-cased text; a text whose
        # case mapping the regex engine treats specially runs ``fallback`` on the original.
        self._scans: list[tuple[LiteralScan, bool, bool, re.Pattern[str] | None]] = []
        if unbounded:
            self._scans.append((LiteralScan(set(unbounded), bounded=False), False, False, None))
        if bounded_insensitive:
            words = set(bounded_insensitive)
            fallback = ASCII_BOUNDARY_BEFORE + trie_regex(words) + ASCII_BOUNDARY_AFTER
            self._scans.append(
                (
                    LiteralScan({word.lower() for word in words}, bounded=True),
                    True,
                    True,
                    re.compile(fallback, re.IGNORECASE),
                )
            )
        if bounded_sensitive:
            scan = LiteralScan(set(bounded_sensitive), bounded=True)
            self._scans.append((scan, False, True, None))

    def hits(self, text: str) -> Iterator[Hit[Payload]]:
        latin = has_latin_letters(text)
        lowered: str | None = None
        for scan, folded, needs_latin, fallback in self._scans:
            if needs_latin and not latin:
                continue  # a Chinese-only message skips the English scans
            haystack = text
            if fallback is not None:
                lowered = lowered if lowered is not None else lowered_for_gates(text)
                if lowered is None:
                    for match in fallback.finditer(text):
                        payloads = self._lookup(match.group(), folded)
                        if payloads:
                            yield Hit(match.start(), match.end(), payloads)
                    continue
                haystack = lowered
            for start, end in scan.finditer(haystack):
                payloads = self._lookup(haystack[start:end], folded)
                if payloads:
                    yield Hit(start, end, payloads)

    def _lookup(self, surface: str, folded: bool) -> tuple[Payload, ...]:
        if folded:
            return self._by_key.get(surface.casefold(), ())
        return self._by_key.get(surface) or self._by_key.get(surface.casefold(), ())

    def payload_groups(self) -> Iterable[tuple[Payload, ...]]:
        """Every payload tuple that ``hits`` can hand out."""
        return self._by_key.values()


def non_overlapping(spans: Iterable[tuple[int, int, Payload]]) -> list[tuple[int, int, Payload]]:
    """Keep the earliest, then longest, of overlapping spans."""
    chosen: list[tuple[int, int, Payload]] = []
    last_end = -1
    for start, end, payload in sorted(spans, key=lambda span: (span[0], span[0] - span[1])):
        if start >= last_end:
            chosen.append((start, end, payload))
            last_end = end
    return chosen


class HitSource(Protocol[Payload]):
    def hits(self, text: str) -> Iterable[Hit[Payload]]: ...


class KnownHits(Generic[Payload]):
    """Hits found once by a shared matcher, handed to a consumer as if freshly matched."""

    def __init__(self, hits: Sequence[Hit[Payload]]) -> None:
        self._hits = hits

    def hits(self, text: str) -> Sequence[Hit[Payload]]:
        return self._hits


@dataclass(frozen=True)
class Tagged:
    lexicon: str
    label: str
    weight: float = 1.0


class Vocabulary:
    """Several labelled word lists (categories, industries, systems, roles) in one scan."""

    def __init__(self, words: Iterable[tuple[str, Tagged]]) -> None:
        self._matcher: TermMatcher[Tagged] = TermMatcher(list(words), acronyms_case_sensitive=True)
        # Each surface form's tags split by lexicon once, keyed by the identity of the tuple
        # the matcher hands out for it (those tuples live as long as the matcher).
        self._by_payloads: dict[int, list[tuple[str, tuple[Tagged, ...]]]] = {}
        for payloads in self._matcher.payload_groups():
            self._by_payloads[id(payloads)] = [
                (lexicon, tuple(tag for tag in payloads if tag.lexicon == lexicon))
                for lexicon in dict.fromkeys(tag.lexicon for tag in payloads)
            ]

    def split(self, text: str) -> dict[str, list[Hit[Tagged]]]:
        by_lexicon: dict[str, list[Hit[Tagged]]] = {}
        for hit in sorted(self._matcher.hits(text), key=_start):
            for lexicon, tags in self._by_payloads[id(hit.payloads)]:
                by_lexicon.setdefault(lexicon, []).append(Hit(hit.start, hit.end, tags))
        return by_lexicon


def _start(hit: Hit[Any]) -> int:
    return hit.start


def first_characters(pattern: str) -> str | None:
    """A regex character class of the characters a match of ``pattern`` can start with.

    None when that cannot be told (an optional start, a class negation, ...). Prefixing a
    long alternation with this class lets the regex engine skip most positions at once.
    """
    try:
        parsed = _parser.parse(pattern)
    except re.error:
        return None
    pieces = _first_of_sequence(list(parsed))
    if not pieces:
        return None
    return "[" + "".join(sorted(pieces)) + "]"


def _first_of_sequence(items: list[tuple[object, object]]) -> set[str] | None:
    for opcode, argument in items:
        name = str(opcode)
        if name in {"AT", "ASSERT_NOT", "ASSERT"}:
            continue  # zero-width: the next item starts the match
        return _first_of_item(name, argument)
    return None


def _first_of_item(name: str, argument: object) -> set[str] | None:
    if name == "LITERAL" and isinstance(argument, int):
        return {re.escape(chr(argument))}
    if name == "IN" and isinstance(argument, list):
        return _first_of_class(argument)
    if name == "BRANCH" and isinstance(argument, tuple):
        union: set[str] = set()
        for branch in argument[1]:
            first = _first_of_sequence(list(branch))
            if first is None:
                return None
            union |= first
        return union
    if name == "SUBPATTERN" and isinstance(argument, tuple):
        return _first_of_sequence(list(argument[-1]))
    if name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"} and isinstance(argument, tuple):
        minimum, _maximum, body = argument
        return _first_of_sequence(list(body)) if minimum >= 1 else None
    return None


_CATEGORY_CLASSES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_WORD": r"\w", "CATEGORY_SPACE": r"\s"}


def _first_of_class(items: list[tuple[object, object]]) -> set[str] | None:
    pieces: set[str] = set()
    for opcode, argument in items:
        name = str(opcode)
        if name == "LITERAL" and isinstance(argument, int):
            pieces.add(re.escape(chr(argument)))
        elif name == "RANGE" and isinstance(argument, tuple):
            low, high = argument
            pieces.add(re.escape(chr(low)) + "-" + re.escape(chr(high)))
        elif name == "CATEGORY" and str(argument) in _CATEGORY_CLASSES:
            pieces.add(_CATEGORY_CLASSES[str(argument)])
        else:
            return None  # negated classes, categories such as \w: give up
    return pieces
