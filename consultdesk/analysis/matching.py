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

from .scanning import lowered_for_gates

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
    """``ASCII_BOUNDARY_BEFORE + trie_regex(words) + ASCII_BOUNDARY_AFTER``, faster to search.

    The boundary test before the word is moved behind the word's first character (a
    look-behind over that character), so the pattern opens with the set of first
    characters and the regex engine skips other positions at C speed. Case-sensitive:
    for case-insensitive words, run it on lower-cased words and text.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    branches = [
        re.escape(char) + _BOUNDARY_BEHIND_FIRST + _node_regex(child)
        for char, child in trie.items()
        if char
    ]
    if not branches:
        return "(?!)"
    return "(?:" + "|".join(branches) + ")" + ASCII_BOUNDARY_AFTER


# ASCII_BOUNDARY_BEFORE, tested after the first character of the word has been consumed.
_BOUNDARY_BEHIND_FIRST = r"(?<![A-Za-z0-9_](?s:.))(?<![A-Za-z]-(?s:.))"


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


class TermMatcher(Generic[Payload]):
    """Finds lexicon terms in text; several payloads may share one surface form."""

    def __init__(
        self,
        terms: Sequence[tuple[str, Payload]],
        *,
        acronyms_case_sensitive: bool = False,
    ) -> None:
        self._by_key: dict[str, list[Payload]] = {}
        bounded_insensitive: list[str] = []
        bounded_sensitive: list[str] = []
        unbounded: list[str] = []
        for surface, payload in terms:
            sensitive = acronyms_case_sensitive and is_acronym(surface)
            key = surface if sensitive or not surface.isascii() else surface.casefold()
            if not sensitive and is_ascii_word(surface):
                key = surface.casefold()
            self._by_key.setdefault(key, []).append(payload)
            if not is_ascii_word(surface):
                unbounded.append(surface)
            elif sensitive:
                bounded_sensitive.append(surface)
            else:
                bounded_insensitive.append(surface.casefold())
        # (regex, folded, needs_latin, fallback): word-bounded regexes can only match Latin
        # letters. The case-insensitive one runs case-sensitively on the lower-cased text,
        # which lets the regex engine jump between possible first letters at C speed; a text
        # whose case mapping the engine treats specially runs ``fallback`` on the original.
        self._regexes: list[tuple[re.Pattern[str], bool, bool, re.Pattern[str] | None]] = []
        if unbounded:
            self._regexes.append((re.compile(trie_regex(set(unbounded))), False, False, None))
        if bounded_insensitive:
            words = set(bounded_insensitive)
            fallback = ASCII_BOUNDARY_BEFORE + trie_regex(words) + ASCII_BOUNDARY_AFTER
            self._regexes.append(
                (
                    re.compile(bounded_trie_regex({word.lower() for word in words})),
                    True,
                    True,
                    re.compile(fallback, re.IGNORECASE),
                )
            )
        if bounded_sensitive:
            regex = re.compile(bounded_trie_regex(set(bounded_sensitive)))
            self._regexes.append((regex, False, True, None))

    def hits(self, text: str) -> Iterator[Hit[Payload]]:
        latin = has_latin_letters(text)
        lowered: str | None = None
        for regex, folded, needs_latin, fallback in self._regexes:
            if needs_latin and not latin:
                continue  # a Chinese-only message skips the English scans
            haystack = text
            if fallback is not None:
                lowered = lowered if lowered is not None else lowered_for_gates(text)
                if lowered is None:
                    regex = fallback
                else:
                    haystack = lowered
            for match in regex.finditer(haystack):
                surface = match.group()
                payloads = self._lookup(surface, folded)
                if payloads:
                    yield Hit(match.start(), match.end(), tuple(payloads))

    def _lookup(self, surface: str, folded: bool) -> list[Payload]:
        if folded:
            return self._by_key.get(surface.casefold(), [])
        return self._by_key.get(surface) or self._by_key.get(surface.casefold(), [])


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

    def split(self, text: str) -> dict[str, list[Hit[Tagged]]]:
        by_lexicon: dict[str, list[Hit[Tagged]]] = {}
        for hit in sorted(self._matcher.hits(text), key=lambda hit: hit.start):
            for lexicon in dict.fromkeys(tag.lexicon for tag in hit.payloads):
                tags = tuple(tag for tag in hit.payloads if tag.lexicon == lexicon)
                by_lexicon.setdefault(lexicon, []).append(Hit(hit.start, hit.end, tags))
        return by_lexicon


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
