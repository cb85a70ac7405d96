"""Cheaper ways to run a regular expression over a text, with exactly the same matches.

CPython's regex engine is fast only where it can skip positions without entering its
virtual machine: when a pattern starts with a literal or a plain character class, the
search runs a tight C loop to the next candidate. A pattern that starts with an optional
word list ("(?:under|up to|max)?\\s*¥?30万") enters the machine at every position and tries
every alternative, and case-insensitive alternatives cannot even be skipped by their first
letter. The helpers here keep each pattern as written but avoid most of those attempts:

- ``AnchoredScan`` finds the pattern's mandatory core (e.g. the number in an amount) first
  and starts the full pattern only a bounded distance before it;
- ``LiteralGate`` tells from a few substring tests whether a pattern can match at all (every
  match contains one of its required literals, computed from the parsed pattern);
- ``with_start_filter`` prefixes a pattern with a look-ahead on the characters a match can
  start with, so that most positions fail after one class test;
- ``CaselessScan`` runs a case-insensitive pattern case-sensitively on the lower-cased text
  (optionally only in windows before its anchor words).

Each keeps finditer()'s semantics (the same leftmost, non-overlapping matches); the
property tests in ``tests/test_scanning.py`` compare them with the plain regexes.
"""

from __future__ import annotations

import re
import re._compiler as _compiler  # the stdlib's regex compiler, for its search shortcuts
import re._constants as _constants  # the stdlib's regex opcodes, for parsed patterns
import re._parser as _parser  # the stdlib's own regex parser
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import ahocorasick_rs

_MAXREPEAT = _constants.MAXREPEAT
_WHITESPACE_STAR = ("MAX_REPEAT", "IN", "CATEGORY_SPACE")


_SURROGATE = re.compile("[\ud800-\udfff]")


class LiteralIndex:
    """Where a set of literals occur in a text: one Aho-Corasick scan (``ahocorasick_rs``).

    Its cost per character hardly depends on how many literals there are or how many
    characters they can start with (pyahocorasick looks a node's children up one by one:
    ~10x slower on Chinese text with hundreds of first characters). The contiguous NFA
    is used, not the DFA: within a whole analysis (other scans in between) its compact
    table stays in the CPU cache, and it measured ~40% faster than the DFA there, though
    slower in a loop of scans alone. Offsets are character offsets. The automaton is
    immutable: thread-safe.
    """

    def __init__(self, words: Sequence[str], *, longest: bool = False) -> None:
        """With ``longest``: ``leftmost_longest`` gives the leftmost, then longest, match,
        without overlaps (what a trie-shaped regex's ``finditer`` gives)."""
        self.words = tuple(words)
        if any(not word or _SURROGATE.search(word) or "\ufffd" in word for word in self.words):
            raise ValueError("literals must be non-empty, without surrogates or U+FFFD")
        self._automaton = ahocorasick_rs.AhoCorasick(
            self.words,
            matchkind=(
                ahocorasick_rs.MatchKind.LeftmostLongest
                if longest
                else ahocorasick_rs.MatchKind.Standard
            ),
            implementation=ahocorasick_rs.Implementation.ContiguousNFA,
            store_patterns=False,
        )
        self._longest = longest

    def all(self, text: str) -> list[tuple[int, int, int]]:
        """Every occurrence, overlaps included: (word index, start, end), by end."""
        if self._longest:
            raise TypeError("built for leftmost_longest")
        return self._find(text, overlapping=True)

    def leftmost_longest(self, text: str) -> list[tuple[int, int, int]]:
        return self._find(text, overlapping=False)

    def _find(self, text: str, *, overlapping: bool) -> list[tuple[int, int, int]]:
        if not self.words:
            return []
        try:
            found: list[tuple[int, int, int]] = self._automaton.find_matches_as_indexes(
                text, overlapping=overlapping
            )
        except UnicodeEncodeError:
            # Lone surrogates cannot be encoded: stand-ins of the same length that no
            # literal contains keep every other match and every offset.
            found = self._automaton.find_matches_as_indexes(
                _SURROGATE.sub("\ufffd", text), overlapping=overlapping
            )
        return found


class AnchoredScan:
    """``regex.finditer`` for a pattern ``prefix + core``, found from the core's first character.

    Requirements, checked where they can be: ``prefix`` is a sequence of optional items of
    bounded width or ``\\s*``, and no character the prefix can match may start the core
    (e.g. the prefix is words and currency signs, the core starts with a digit). Then a
    match can only start where the core matches or at most the prefix's width (plus
    whitespace) before it. The scan jumps to the next character that can start the core
    (a C-speed class search), checks the core there, and only then tries the full pattern,
    from a bounded distance before it, instead of at every position of the text.
    """

    def __init__(self, prefix: str, core: str, flags: int = 0) -> None:
        self.regex = re.compile(prefix + core, flags)
        self._core = re.compile(core, flags)
        starts = start_characters(core, flags)
        if starts is None:
            raise ValueError("the core's start characters must be known")
        self._anchor = re.compile(starts, flags)
        self._items = _prefix_items(prefix, flags)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        position = 0
        anchor_search, core_match = self._anchor.search, self._core.match
        while True:
            anchor = anchor_search(text, position)
            if anchor is None:
                return
            start = anchor.start()
            if not core_match(text, start):
                # A match starting at or before here would need the core right here (its
                # prefix cannot hold this character), so it starts later.
                position = start + 1
                continue
            for width, alphabet in reversed(self._items):
                # Back over what this prefix item could have matched: at most its width,
                # and only characters it can match.
                limit = max(position, start - width) if width is not None else position
                if alphabet is None:
                    start = limit
                    continue
                while start > limit and text[start - 1] in alphabet:
                    start -= 1
            # The full pattern matches where the core does (the prefix may be empty), so
            # this search stops there at the latest.
            match = self.regex.search(text, max(position, start))
            if match is None:  # cannot happen when the requirements hold; stay correct anyway
                yield from self.regex.finditer(text, position)
                return
            yield match
            position = match.end() if match.end() > match.start() else match.end() + 1


def _prefix_items(prefix: str, flags: int) -> tuple[tuple[int | None, frozenset[str] | None], ...]:
    """(maximum width or None for \\s*, the characters it can match or None for any) of
    each prefix item."""
    items: list[tuple[int | None, frozenset[str] | None]] = []
    for item in _parser.parse(prefix, flags):
        low, high = _parser.SubPattern(_parser.State(), [item]).getwidth()
        if low != 0:
            raise ValueError(f"prefix item {item!r} must be optional")
        if high >= _MAXREPEAT:
            if _shape(item) != _WHITESPACE_STAR:
                raise ValueError(f"unbounded prefix item {item!r} must be \\s*")
            items.append((None, _WHITESPACE))
            continue
        chars = _alphabet([item])
        if chars is not None and flags & re.IGNORECASE:
            # Only ASCII letters have their case variants listed here; other cased
            # characters make the item match "anything" (a wider, still correct, bound).
            cased = any(not char.isascii() and char.lower() != char.upper() for char in chars)
            chars = None if cased else _caseless(chars)
        items.append((high, frozenset(chars) if chars is not None else None))
    return tuple(items)


# What the regex engine's \s matches in str patterns (str.isspace; none above U+3000).
_WHITESPACE = frozenset(char for char in map(chr, range(0x3001)) if char.isspace())


def _caseless(chars: set[str]) -> set[str]:
    """``chars`` (ASCII letters or uncased) and what matches them case-insensitively."""
    lowered = {char.lower() for char in chars} | chars
    result = lowered | {char.upper() for char in lowered} | set(EXOTIC_CASE_CHARS)
    if "k" in lowered:
        result.add("\u212a")  # KELVIN SIGN: lower-cases to "k"
    return result


def _alphabet(items: Sequence[tuple[Any, Any]]) -> set[str] | None:
    """Every character a match of the parsed items can hold, or None when too many."""
    chars: set[str] = set()
    for opcode, argument in items:
        name = str(opcode)
        if name == "LITERAL":
            chars.add(chr(argument))
        elif name == "IN":
            for member_opcode, member in argument:
                if str(member_opcode) == "LITERAL":
                    chars.add(chr(member))
                elif str(member_opcode) == "RANGE" and member[1] - member[0] < 256:
                    chars |= {chr(code) for code in range(member[0], member[1] + 1)}
                else:
                    return None
        elif name in {"AT", "ASSERT", "ASSERT_NOT"}:
            continue
        else:
            bodies: list[Any]
            if name == "SUBPATTERN":
                bodies = [argument[-1]]
            elif name == "BRANCH":
                bodies = list(argument[1])
            elif name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
                bodies = [argument[2]]
            else:
                return None
            for body in bodies:
                found = _alphabet(list(body))
                if found is None:
                    return None
                chars |= found
    return chars


def _shape(item: tuple[Any, Any]) -> tuple[str, ...]:
    opcode, argument = item
    if str(opcode) == "MAX_REPEAT":
        _low, _high, body = argument
        inner = list(body)
        if len(inner) == 1 and str(inner[0][0]) == "IN":
            members = inner[0][1]
            if len(members) == 1 and str(members[0][0]) == "CATEGORY":
                return ("MAX_REPEAT", "IN", str(members[0][1]))
    return (str(opcode),)


class LiteralGate:
    """Whether a pattern can match a text at all, from substring tests.

    ``literals`` is a set of literals of which every match contains at least one (with
    ``leading``: starts with one); None when nothing is known and the pattern must run.
    For case-insensitive patterns the literals are lower-case and tested against
    ``text.lower()``; texts with characters whose case mapping the regex engine treats
    differently from ``str.lower`` (long s, dotless i, Greek sigma, ...) always pass.
    """

    def __init__(self, pattern: str, flags: int = 0, *, leading: bool = False) -> None:
        self.ignore_case = bool(flags & re.IGNORECASE)
        literals = (leading_literals if leading else required_literals)(pattern, flags)
        if literals is not None and self.ignore_case:
            if any(_EXOTIC_CASE.search(literal) for literal in literals):
                literals = None
            else:
                literals = {literal.lower() for literal in literals}
        self.literals: frozenset[str] | None = frozenset(literals) if literals is not None else None

    def admits(self, text: str, lowered: str | None) -> bool:
        """``lowered`` is ``text.lower()``, or None when the text has exotic case mappings."""
        if self.literals is None:
            return True
        if self.ignore_case:
            if lowered is None:
                return True
            return any(literal in lowered for literal in self.literals)
        return any(literal in text for literal in self.literals)


# Characters the regex engine folds to, or from, an ASCII letter or other characters
# differently from str.lower() (see re._casefix and Py_UNICODE_TOLOWER); a text holding
# one of them skips the lower-case substring tests. tests/test_scanning.py checks the
# list against every code point.
EXOTIC_CASE_CHARS = (
    "\u00b5\u0130\u0131\u017f\u0345\u0390\u0392\u0395\u0398\u0399"
    "\u039a\u039c\u03a0\u03a1\u03a3\u03a6\u03b0\u03b2\u03b5\u03b8"
    "\u03b9\u03ba\u03bc\u03c0\u03c1\u03c2\u03c3\u03c6\u03d0\u03d1"
    "\u03d5\u03d6\u03f0\u03f1\u03f4\u03f5\u0412\u0414\u041e\u0421"
    "\u0422\u042a\u0432\u0434\u043e\u0441\u0442\u044a\u0462\u0463"
    "\u1c80\u1c81\u1c82\u1c83\u1c84\u1c85\u1c86\u1c87\u1c88\u1e60"
    "\u1e61\u1e9b\u1fbe\u1fd3\u1fe3\ua64a\ua64b\ufb05\ufb06"
)
_EXOTIC_CASE = re.compile(f"[{EXOTIC_CASE_CHARS}]")


def lowered_for_gates(text: str) -> str | None:
    """``text.lower()`` when substring tests on it are exact for case-insensitive patterns."""
    if text.isascii():
        return text.lower()
    lowered = text.lower()
    if len(lowered) != len(text) or _EXOTIC_CASE.search(text):
        return None
    return lowered


def required_literals(pattern: str, flags: int = 0) -> set[str] | None:
    """Literals of which every match of ``pattern`` contains one, or None if unknown."""
    try:
        parsed = _parser.parse(pattern, flags)
    except re.error:
        return None
    return _sequence_literals(list(parsed))


def leading_literals(pattern: str, flags: int = 0) -> set[str] | None:
    """Literals one of which the text starts with wherever ``pattern`` matches (a leading
    look-ahead counts), or None if unknown."""
    try:
        parsed = _parser.parse(pattern, flags)
    except re.error:
        return None
    return _leading(list(parsed))


_MAX_PREFIXES = 128


def _leading(items: Sequence[tuple[Any, Any]]) -> set[str] | None:
    found, _complete = _prefixes(items)
    return found if found and all(found) else None


def _prefixes(items: Sequence[tuple[Any, Any]]) -> tuple[set[str] | None, bool]:
    """(strings one of which the text starts with where the sequence matches, whether each
    is a whole match). The parser folds common prefixes ("some|such" is "s" then "ome|uch"), so
    a run of literals is carried into the group or class that follows it."""
    prefixes = {""}
    for opcode, argument in items:
        name = str(opcode)
        if name == "LITERAL":
            prefixes = {prefix + chr(argument) for prefix in prefixes}
            continue
        if name == "ASSERT" and argument[0] == 1:
            # A look-ahead: the text here starts with what it matches, so it may extend
            # the prefixes, though the match itself goes on without them.
            found, _complete = _prefixes(list(argument[1]))
            if found is None or not all(found) or len(prefixes) * len(found) > _MAX_PREFIXES:
                if prefixes == {""}:
                    continue
                return prefixes, False
            return {prefix + suffix for prefix in prefixes for suffix in found}, False
        if name in {"AT", "ASSERT", "ASSERT_NOT"}:
            if prefixes == {""}:
                continue  # zero width before anything: the next item starts the match
            return prefixes, False
        if name == "SUBPATTERN":
            found, complete = _prefixes(list(argument[-1]))
        elif name == "BRANCH":
            found, complete = set(), True
            for branch in argument[1]:
                branch_found, branch_complete = _prefixes(list(branch))
                if branch_found is None:
                    found = None
                    break
                found |= branch_found
                complete = complete and branch_complete
        elif name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"} and argument[0] >= 1:
            found, complete = _prefixes(list(argument[2]))
            complete = complete and argument[0] == argument[1] == 1
        elif name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"} and argument[1] == 1:
            # Optional ("an?", "(?:一个|个)?"): its prefixes, or nothing.
            found, complete = _prefixes(list(argument[2]))
            if found is not None:
                found = found | {""}
        elif name == "IN":
            found, complete = _item_literals(name, argument), True
        else:
            found, complete = None, False
        if found is None or len(prefixes) * len(found) > _MAX_PREFIXES:
            return (prefixes if prefixes != {""} else None), False
        prefixes = {prefix + suffix for prefix in prefixes for suffix in found}
        if not complete:
            return prefixes, False
    return prefixes, True


def _sequence_literals(items: Sequence[tuple[Any, Any]]) -> set[str] | None:
    """The best literal set among the items of a sequence (each item is mandatory)."""
    best: set[str] | None = None
    for candidate in _sequence_candidates(items):
        if best is None or _score(candidate) > _score(best):
            best = candidate
    return best


def _sequence_candidates(items: Sequence[tuple[Any, Any]]) -> list[set[str]]:
    """A literal set for each mandatory item (or run of literals) of a sequence that has one."""
    run = ""
    candidates: list[set[str]] = []
    for opcode, argument in items:
        name = str(opcode)
        if name == "LITERAL":
            run += chr(argument)
            continue
        if run:
            candidates.append({run})
            run = ""
        found = _item_literals(name, argument)
        if found:
            candidates.append(found)
    if run:
        candidates.append({run})
    return candidates


def literal_sets(pattern: str, flags: int = 0) -> list[set[str]]:
    """Literal sets of which every match of ``pattern`` contains one of each, best first."""
    try:
        parsed = _parser.parse(pattern, flags)
    except re.error:
        return []
    return sorted(_sequence_candidates(list(parsed)), key=_score, reverse=True)


def gate_literals(literals: set[str] | None, flags: int) -> frozenset[str] | None:
    """``literals`` as substring tests see them: lower-cased for case-insensitive patterns
    (tested against ``lowered_for_gates(text)``); None when they cannot be used so."""
    if literals is None or not literals:
        return None
    if flags & re.IGNORECASE:
        if any(_EXOTIC_CASE.search(literal) for literal in literals):
            return None
        return frozenset(literal.lower() for literal in literals)
    return frozenset(literals)


def _score(literals: set[str]) -> tuple[int, int]:
    # Longer shortest literal first (rarer in text), then fewer alternatives.
    return (min(len(literal) for literal in literals), -len(literals))


def _item_literals(name: str, argument: Any) -> set[str] | None:
    if name == "SUBPATTERN":
        return _sequence_literals(list(argument[-1]))
    if name == "BRANCH":
        union: set[str] = set()
        for branch in argument[1]:
            found = _sequence_literals(list(branch))
            if not found:
                return None
            union |= found
        return union
    if name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
        low, _high, body = argument
        return _sequence_literals(list(body)) if low >= 1 else None
    if name == "ATOMIC_GROUP":
        return _sequence_literals(list(argument))
    if name == "IN":
        chars = set()
        for member_opcode, member in argument:
            if str(member_opcode) != "LITERAL":
                return None
            chars.add(chr(member))
        return chars if len(chars) <= 12 else None
    return None


def start_characters(pattern: str, flags: int = 0) -> str | None:
    """A character class of the characters a match can start with, or None if unknown.

    Unlike ``matching.first_characters`` this looks past optional leading items
    ("(?:about )?\\d" starts with "a" or a digit).
    """
    try:
        parsed = _parser.parse(pattern, flags)
    except re.error:
        return None
    return _start_class(parsed)


def _start_class(parsed: Any) -> str | None:
    first = _first_set(list(parsed))
    if first is None or first[1]:  # unknown, or the whole pattern may match empty
        return None
    return "[" + "".join(sorted(first[0])) + "]"


def _first_set(items: Sequence[tuple[Any, Any]]) -> tuple[set[str], bool] | None:
    """(class pieces a match of the sequence can start with, whether it may be empty)."""
    pieces: set[str] = set()
    for opcode, argument in items:
        name = str(opcode)
        if name in {"AT", "ASSERT", "ASSERT_NOT"}:
            continue  # zero width
        found = _first_of(name, argument)
        if found is None:
            return None
        item_pieces, nullable = found
        pieces |= item_pieces
        if not nullable:
            return pieces, False
    return pieces, True


_CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s"}


def _first_of(name: str, argument: Any) -> tuple[set[str], bool] | None:
    if name == "LITERAL":
        return {re.escape(chr(argument))}, False
    if name == "IN":
        pieces: set[str] = set()
        for member_opcode, member in argument:
            member_name = str(member_opcode)
            if member_name == "LITERAL":
                pieces.add(re.escape(chr(member)))
            elif member_name == "RANGE":
                pieces.add(re.escape(chr(member[0])) + "-" + re.escape(chr(member[1])))
            elif member_name == "CATEGORY" and str(member) in _CATEGORIES:
                pieces.add(_CATEGORIES[str(member)])
            else:
                return None  # negation, \w, ...: too broad to help
        return pieces, False
    if name == "SUBPATTERN":
        return _first_set(list(argument[-1]))
    if name == "ATOMIC_GROUP":
        return _first_set(list(argument))
    if name == "BRANCH":
        union: set[str] = set()
        nullable = False
        for branch in argument[1]:
            found = _first_set(list(branch))
            if found is None:
                return None
            union |= found[0]
            nullable = nullable or found[1]
        return union, nullable
    if name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
        low, _high, body = argument
        found = _first_set(list(body))
        if found is None:
            return None
        return found[0], found[1] or low == 0
    return None


def with_start_filter(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``pattern`` compiled with a look-ahead on its start characters, where that helps.

    It helps when the pattern opens with an assertion or an optional item (the regex engine
    then tries the whole opening at every position); a pattern that opens with a literal
    or a plain class is already searched at C speed and is left alone.
    """
    parsed = _parser.parse(pattern, flags)
    starts = _start_class(parsed)
    if starts is None or not _opens_slowly(parsed, flags):
        return re.compile(pattern, flags)
    return re.compile(f"(?={starts})(?:{pattern})", flags)


def opens_slowly(pattern: str, flags: int) -> bool:
    """Whether the regex engine tries ``pattern`` at every position: it has no literal
    prefix or first-character set of its own (asked of the stdlib's compiler)."""
    return _opens_slowly(_parser.parse(pattern, flags), flags)


def _opens_slowly(parsed: Any, flags: int) -> bool:
    prefix, _skip, _all = _compiler._get_literal_prefix(parsed, flags)
    return not prefix and _compiler._get_charset_prefix(parsed, flags) is None


class CaselessScan:
    """A case-insensitive pattern, run case-sensitively on the lower-cased text when exact.

    Case-insensitive matching defeats the regex engine's shortcuts (it cannot reject an
    alternative by its first character); on ``text.lower()`` the same pattern written in
    lower case matches at the same places without them. That holds when the text has no
    characters with special case mappings (``lowered_for_gates``) and the pattern has no
    upper-case letters outside classes that hold both cases (checked here); otherwise the
    case-insensitive pattern runs on the original text.
    """

    def __init__(
        self,
        pattern: str,
        flags: int = 0,
        *,
        anchors: Sequence[str] = (),
        before: int = 0,
    ) -> None:
        """With ``anchors``: every match holds one of these lower-case words, preceded in
        the match by at most ``before`` characters other than whitespace. The pattern is
        then tried only near them (see ``_windows``) instead of along the whole text."""
        self._pattern, self._flags = pattern, flags | re.IGNORECASE
        self._regex: re.Pattern[str] | None = None
        self._lower: re.Pattern[str] | None = None
        if _lowercase_safe(list(_parser.parse(pattern, flags & ~re.IGNORECASE))):
            self._lower = with_start_filter(pattern, flags & ~re.IGNORECASE)
        else:
            self._regex = with_start_filter(pattern, self._flags)
        self._anchors: LiteralIndex | None = None
        self._before = before
        if anchors and self._lower is not None:
            if _parser.parse(pattern, flags).getwidth()[0] == 0:
                raise ValueError("an anchored pattern must not match empty text")
            self._anchors = LiteralIndex(tuple(anchors))

    @property
    def regex(self) -> re.Pattern[str]:
        """The case-insensitive pattern (compiled when first needed, to keep start-up short)."""
        if self._regex is None:
            self._regex = with_start_filter(self._pattern, self._flags)
        return self._regex

    def finditer(self, text: str, lowered: str | None) -> Iterator[re.Match[str]]:
        """The matches in ``text``; ``lowered`` is ``lowered_for_gates(text)``."""
        if self._lower is None or lowered is None:
            yield from self.regex.finditer(text)
            return
        match_at = self.regex.match
        found_matches = (
            self._lower.finditer(lowered)
            if self._anchors is None
            else self._windowed(lowered, self._anchors, self._lower.match)
        )
        for found in found_matches:
            # The same match, taken again from the original text for its groups' words.
            match = match_at(text, found.start())
            if match is None or match.end() != found.end():  # cannot happen; stay correct
                yield from self.regex.finditer(text, found.start())
                return
            yield match

    def _windowed(
        self,
        lowered: str,
        anchors: LiteralIndex,
        match_at: Callable[[str, int], re.Match[str] | None],
    ) -> Iterator[re.Match[str]]:
        """finditer() by trying the pattern only in the windows before its anchors.

        A match holding an anchor that starts at ``q`` starts at or before ``q``, after at
        most ``before`` non-whitespace characters: no earlier than ``_back(q)``. That bound
        never decreases as ``q`` grows, so the leftmost match is the first position of
        the windows ``[_back(q), q]`` (in order) where the pattern matches.
        """
        starts = sorted({start for _word, start, _end in anchors.all(lowered)})
        position = tried = index = 0
        while index < len(starts):
            anchor = starts[index]
            if anchor < position:
                index += 1
                continue
            # Positions before ``tried`` are known not to start a match.
            start = max(position, tried, self._back(lowered, anchor, position))
            match = None
            while start <= anchor:
                match = match_at(lowered, start)
                if match is not None:
                    break
                start += 1
            if match is None:
                tried = anchor + 1
                index += 1
                continue
            yield match
            position = match.end()  # and stay on this anchor: another match may need it

    def _back(self, text: str, anchor: int, floor: int) -> int:
        budget, start = self._before, anchor
        while start > floor:
            if text[start - 1].isspace():
                start -= 1
            elif budget > 0:
                budget -= 1
                start -= 1
            else:
                break
        return start


def _lowercase_safe(items: Sequence[tuple[Any, Any]]) -> bool:
    for opcode, argument in items:
        name = str(opcode)
        if name in {"LITERAL", "NOT_LITERAL"}:
            if not _lower_char(chr(argument)):
                return False
        elif name == "IN":
            if not _lowercase_safe_class(argument):
                return False
        elif name in {"SUBPATTERN"}:
            if not _lowercase_safe(list(argument[-1])):
                return False
        elif name in {"ASSERT", "ASSERT_NOT"}:
            if not _lowercase_safe(list(argument[1])):
                return False
        elif name == "BRANCH":
            if not all(_lowercase_safe(list(branch)) for branch in argument[1]):
                return False
        elif name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            if not _lowercase_safe(list(argument[2])):
                return False
        elif name == "ATOMIC_GROUP":
            if not _lowercase_safe(list(argument)):
                return False
        elif name not in {"AT", "ANY", "GROUPREF"}:
            return False
    return True


def _lower_char(char: str) -> bool:
    """A pattern character that matches the same under both schemes: lower case or uncased,
    and without special case mappings (those texts and patterns take the other path)."""
    return char == char.lower() and char not in EXOTIC_CASE_CHARS


_LOWER_ASCII = (ord("a"), ord("z"))
_UPPER_ASCII = (ord("A"), ord("Z"))


def _lowercase_safe_class(members: list[tuple[Any, Any]]) -> bool:
    ranges = [member for opcode, member in members if str(opcode) == "RANGE"]
    for opcode, member in members:
        name = str(opcode)
        if name == "LITERAL":
            char = chr(member)
            if not (_lower_char(char) or (char.isascii() and _LOWER_ASCII in ranges)):
                return False
        elif name == "RANGE":
            if member == _UPPER_ASCII and _LOWER_ASCII in ranges:
                continue
            if member != _LOWER_ASCII and any(
                chr(code).lower() != chr(code).upper() for code in range(member[0], member[1] + 1)
            ):
                return False
        elif name == "CATEGORY":
            continue  # \d, \s, \w: the same for a character and its lower case
        elif name != "NEGATE":
            return False
    return True
