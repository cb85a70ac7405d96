"""Finding detection: lexicon hits filtered by the context that makes them precise or vague."""

from __future__ import annotations

import bisect
import re
import re._parser as _parser
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .lexicon import TermEntry
from .matching import (
    ASCII_BOUNDARY_AFTER,
    ASCII_BOUNDARY_BEFORE,
    TermMatcher,
    first_characters,
    has_latin_letters,
    is_ascii_word,
)
from .model import Severity
from .numbers import CHINESE_NUMERAL_CHARS
from .scanning import (
    LiteralIndex,
    gate_literals,
    leading_literals,
    literal_sets,
    lowered_for_gates,
    opens_slowly,
    with_start_filter,
)
from .segmentation import BoundaryChecker

_NUMBER_AHEAD = re.compile(
    rf"\s*(?:[$¥￥€£]|US\$|HK\$|(?:USD|EUR|GBP|HKD|RMB|CNY)\s?)?\s*(?:\d|[{CHINESE_NUMERAL_CHARS}]{{1,3}}[^\w]?|[{CHINESE_NUMERAL_CHARS}])"
)
_NUMBER_BEHIND = re.compile(
    rf"(?:\d|[{CHINESE_NUMERAL_CHARS}])\s*[^\s\d，。,.；;！？!?]{{0,3}}\s*$"
)
# A quality is measurable when its sentence carries a figure in a measurable unit.
_MEASURE = with_start_filter(
    rf"(?<![A-Za-z0-9前后{CHINESE_NUMERAL_CHARS}])(?:\d+(?:\.\d+)?|[{CHINESE_NUMERAL_CHARS}]+)\s*(?:ms|毫秒|秒钟|秒|s\b|secs?\b|seconds?|分钟|minutes?|mins?\b|"
    r"%|％|percent|次|qps|tps|rps|个?并发|concurrent|requests?\s*(?:per|/)|fps|帧|小时|hours?\b|个9|nines|"
    r"笔/秒|条/秒|万条|/s\b|/sec|/秒|mb|gb|tb|mbps)|百分之|99\.\d+",
    re.IGNORECASE,
)
_INTEGRATION_SPECIFICS = with_start_filter(
    r"API|接口文档|开放接口|REST|webhook|字段|单向|双向|nightly|hourly|one-way|two-way|"
    r"CSV|SFTP|fields|endpoint|OAuth|SOAP|ODBC|JDBC|事件推送|消息队列",
    re.IGNORECASE,
)
_CLOSED_LIST_AFTER = re.compile(
    rf"\s*(?:\d+|[{CHINESE_NUMERAL_CHARS}]+)\s*(?:个|种|家|类|项|款|所|条|位|名|套|大|部分)"
)
# A scope with its count is closed: "全国86家门店", "任意一天", "all three plants".
_COUNT_AFTER = re.compile(
    rf"[\u4e00-\u9fff]{{0,2}}?\s*(?:的)?\s*(?:\d+|[{CHINESE_NUMERAL_CHARS}]+)\s*(?:个|家|所|座|台|条|类|种|名|位|项|天|间|套|辆|款)"
)
_COUNTED_SCOPE = re.compile(
    r"\b(?:all|each|every|any)\s+(?:of\s+)?(?:the\s+|our\s+)?(?:\d+|two|three|four|five|six|seven|"
    r"eight|nine|ten|eleven|twelve)\b",
    re.IGNORECASE,
)
_SELF_DESCRIPTION_BEFORE = re.compile(
    r"\b(?:we're|we are|i'm|i am)\s+(?:a|an)\s+(?:[\w-]+\s+){0,4}$", re.IGNORECASE
)
_WISH_WORDS = re.compile(r"\b(?:and|need|needs|want|wants|would|looking|'d)\b", re.IGNORECASE)


def _describes_the_writer(text: str, start: int) -> bool:
    before = _SELF_DESCRIPTION_BEFORE.search(text, max(0, start - 40), start)
    return before is not None and not _WISH_WORDS.search(before.group())


_NEGATION_BEFORE = re.compile(
    r"(?:(?<![特区分类级个告识性差鉴辨判派])别(?!人)|不要|不想|不用|不是|不做|没必要|无需|"
    r"don't|do not|not|no|without|rather than|instead of)\s*\S{0,3}\s*$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[。；;！？!?\n]|\.(?:\s|$)")
_SENTENCE_REACH = 60
_ENGLISH_PATTERN_FLAGS = re.IGNORECASE


@dataclass(frozen=True)
class RawFinding:
    kind: str
    start: int
    end: int
    severity: Severity
    term: str
    entry: TermEntry
    before_number: bool


class FindingDetector:
    def __init__(
        self,
        entries: Iterable[TermEntry],
        kind_severity: dict[str, Severity],
        boundary_checker: BoundaryChecker,
    ) -> None:
        entry_list = list(entries)
        self._kind_severity = kind_severity
        self._matcher: TermMatcher[TermEntry] = TermMatcher(
            [(entry.term, entry) for entry in entry_list if entry.term is not None]
        )
        self._patterns = _combined_patterns([entry for entry in entry_list if entry.pattern])
        self._boundary = boundary_checker

    def detect(self, text: str) -> list[RawFinding]:
        literal = [(hit.start, hit.end, hit.payloads[-1]) for hit in self._matcher.hits(text)]
        latin = has_latin_letters(text)
        lowered = lowered_for_gates(text) if latin else None
        phrases = [
            (match.start(), match.end(), entries[match.lastgroup or ""])
            for scanner, entries, needs_latin in self._patterns
            if latin or not needs_latin
            for match in scanner.finditer(text, lowered)
            if match.end() > match.start()
        ]
        words = self._accepted(text, literal)
        # A lexicon word at least as long as an overlapping phrase is the more specific
        # reading ("不要太贵" is a budget remark, not the generic "太贵").
        phrase_findings = [
            phrase
            for phrase in self._accepted(text, phrases)
            if not any(
                word.end - word.start >= phrase.end - phrase.start
                for word in _overlapping(phrase, words)
            )
        ]
        kept_words = [
            word
            for word in words
            if all(_nests_inside(word, phrase) for phrase in _overlapping(word, phrase_findings))
        ]
        found = sorted(phrase_findings + kept_words, key=lambda finding: finding.start)
        return _without_echoed_scope(text, found)

    def _accepted(
        self, text: str, candidates: list[tuple[int, int, TermEntry]]
    ) -> list[RawFinding]:
        """Judged candidates without overlaps, the earliest and then longest first."""
        # Longest match first, so that e.g. "应该没问题" wins over "应该".
        candidates.sort(key=lambda candidate: (candidate[0], candidate[0] - candidate[1]))
        findings: list[RawFinding] = []
        last_end = -1
        for start, end, entry in candidates:
            if start < last_end:
                continue
            finding = self._judge(text, start, end, entry)
            if finding is not None:
                findings.append(finding)
                last_end = end
        return findings

    def _judge(self, text: str, start: int, end: int, entry: TermEntry) -> RawFinding | None:
        # Looked up only for the entries that use them (most do not).
        number_ahead = (entry.needs_number_after or entry.kind == "hedge") and bool(
            _NUMBER_AHEAD.match(text, end)
        )
        if entry.needs_number_after and not number_ahead:
            return None
        if entry.needs_number_before and not _NUMBER_BEHIND.search(text, max(0, start - 8), start):
            return None
        if entry.not_followed_by and text[end : end + 1] and text[end] in entry.not_followed_by:
            return None
        if entry.not_preceded_by and start and text[start - 1] in entry.not_preceded_by:
            return None
        if (
            end - start == 1
            and not text[start].isascii()
            and not self._boundary.stands_alone(text, start, end)
        ):
            return None
        if not self._context_keeps(text, start, end, entry):
            return None
        severity = entry.severity or self._kind_severity.get(entry.kind, "medium")
        hedged_figure = entry.kind == "hedge" and (number_ahead or entry.needs_number_before)
        if hedged_figure:
            severity = "low"  # "大约200条" is an estimate, not a vague requirement
        return RawFinding(entry.kind, start, end, severity, text[start:end], entry, hedged_figure)

    def _context_keeps(self, text: str, start: int, end: int, entry: TermEntry) -> bool:
        if entry.kind == "unquantified_quality":
            return not _MEASURE.search(sentence_around(text, start, end))
        if entry.kind == "integration_handwave":
            return not _INTEGRATION_SPECIFICS.search(sentence_around(text, start, end))
        if entry.kind == "means_as_goal":
            # "先别提中台", "we don't want a new platform": a means rejected is not a goal;
            # "we're a small team building a marketplace" describes the writer.
            return not (
                _NEGATION_BEFORE.search(text, max(0, start - 12), start)
                or _describes_the_writer(text, start)
            )
        if entry.kind == "sweeping_scope":
            return not (
                _COUNT_AFTER.match(text, end) or _COUNTED_SCOPE.search(text, start, end + 12)
            )
        if entry.kind == "open_ended" and entry.term in {"等", "等等"}:
            # "等三种支付方式" closes the list with a count, so it is not open-ended.
            return not _CLOSED_LIST_AFTER.match(text, end)
        return True


# Modifier kinds add information inside a longer phrase of another kind ("做一个【一站式】的平台"),
# and so does any word inside a wished-for product ("a 【robust】 and 【secure】 platform");
# other words inside a phrase are the phrase's own point ("should be a simple job").
_NESTABLE_KINDS = frozenset({"hedge", "sweeping_scope", "open_ended"})
_OPEN_BY_THEMSELVES = frozenset({"unbounded_budget", "unbounded_time"})


def _without_echoed_scope(text: str, findings: list[RawFinding]) -> list[RawFinding]:
    """Drop a "都…" that only echoes a sweeping word earlier in its sentence.

    "所有审批事项都搬到线上", "所有节点都能track": the scope is "所有…"; the "都" repeats it.
    """
    kept: list[RawFinding] = []
    last_scope_end = -1
    for finding in findings:
        if finding.kind == "sweeping_scope":
            if (
                text.startswith("都", finding.start)
                and last_scope_end >= 0
                and not _SENTENCE_END.search(text, last_scope_end, finding.start)
            ):
                continue
            last_scope_end = finding.end
        kept.append(finding)
    return kept


def _overlap(left: RawFinding, right: RawFinding) -> bool:
    return left.start < right.end and right.start < left.end


def _overlapping(finding: RawFinding, others: list[RawFinding]) -> list[RawFinding]:
    """The findings of ``others`` (sorted, not overlapping each other) that overlap ``finding``.

    Found by bisection, so merging stays linear-logarithmic on texts with many findings.
    """
    index = max(0, bisect.bisect_right(others, finding.start, key=lambda other: other.start) - 1)
    found = []
    while index < len(others) and others[index].start < finding.end:
        if _overlap(finding, others[index]):
            found.append(others[index])
        index += 1
    return found


def _nests_inside(word: RawFinding, phrase: RawFinding) -> bool:
    # "budget还没定", "Budget: TBD": the budget remark already says it is open.
    if word.kind == "open_ended" and phrase.kind in _OPEN_BY_THEMSELVES:
        return False
    return (
        word.kind != phrase.kind
        and (word.kind in _NESTABLE_KINDS or phrase.kind == "means_as_goal")
        and phrase.start < word.start  # a word opening the phrase is the phrase's own word
        and word.end <= phrase.end
    )


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end], at most _SENTENCE_REACH characters each side."""
    left_limit = max(0, start - _SENTENCE_REACH)
    left = left_limit
    for match in _SENTENCE_END.finditer(text, left_limit, start):
        left = match.end()
    right_match = _SENTENCE_END.search(text, end, end + _SENTENCE_REACH)
    right = right_match.start() if right_match else min(len(text), end + _SENTENCE_REACH)
    return text[left:right]


# (scanner, entries by group name, whether it can only match Latin letters)
PatternGroup = tuple["GatedAlternation | SingleRegex", dict[str, TermEntry], bool]


def _combined_patterns(entries: list[TermEntry]) -> list[PatternGroup]:
    """Pattern entries joined into one alternation per style, scanned in gated buckets.

    An installation's pattern that cannot be joined (e.g. it reuses a group name) keeps a
    regex of its own.
    """
    english = [entry for entry in entries if _is_english_pattern(entry)]
    chinese = [entry for entry in entries if not _is_english_pattern(entry)]
    groups: list[PatternGroup] = []
    for style in (english, chinese):
        if not style:
            continue
        names = {f"p{index}": entry for index, entry in enumerate(style)}
        flags = _flags(style[0])
        body = "|".join(f"(?P<{name}>{entry.pattern})" for name, entry in names.items())
        starts = first_characters(body)
        # Grouped either way: the word boundaries below must apply to every alternative.
        body = f"(?={starts})(?:{body})" if starts else f"(?:{body})"
        if style is english:
            body = ASCII_BOUNDARY_BEFORE + body + ASCII_BOUNDARY_AFTER
        try:
            joined = re.compile(body, flags)  # the reference: one alternation of all
            scanner: GatedAlternation | SingleRegex = (
                SingleRegex(joined)
                if any(_may_match_empty(entry.pattern or "", flags) for entry in style)
                else GatedAlternation(list(names.items()), flags, bounded=style is english)
            )
        except re.error:
            for entry in style:
                regex = re.compile(f"(?P<p0>{_wrapped(entry)})", _flags(entry))
                groups.append((SingleRegex(regex), {"p0": entry}, style is english))
            continue
        groups.append((scanner, names, style is english))
    return groups


class SingleRegex:
    def __init__(self, regex: re.Pattern[str]) -> None:
        self._regex = regex

    def finditer(self, text: str, lowered: str | None) -> Iterator[re.Match[str]]:
        return self._regex.finditer(text)


class GatedAlternation:
    """finditer() of ``(?P<p0>A0)|(?P<p1>A1)|...`` that tries only alternatives that can match.

    Every alternative is compiled on its own. From its parsed pattern come literal sets of
    which every match holds one of each (``scanning.literal_sets``): the literals every
    match starts with, if known (``scanning.leading_literals``), and the best one or two
    other sets. All of them go into one Aho-Corasick automaton; a text is scanned once.
    An alternative is tried only when each of its sets is present: one that must start with
    a literal only where one starts (``regex.match``), others are searched. The matches are
    merged as the single alternation would produce them: the leftmost start, and at the
    same start the earlier alternative. So the cost grows with what a text can match, not
    with the size of the lexicon.
    """

    _EXTRA_SETS = 2  # required literal sets checked besides the leading one

    def __init__(self, alternatives: list[tuple[str, TermEntry]], flags: int, *, bounded: bool):
        self._ignore_case = bool(flags & re.IGNORECASE)
        self._regexes: list[re.Pattern[str]] = []
        set_ids: dict[frozenset[str], int] = {}
        # Per alternative: the set ids that must all be present.
        self._needs: list[frozenset[int]] = []
        self._searched: list[int] = []  # alternatives without leading literals
        leads: dict[str, list[int]] = {}  # literal -> alternatives that may start with it
        for number, (name, entry) in enumerate(alternatives):
            pattern = entry.pattern or ""
            body = f"(?P<{name}>{pattern})"
            starts = first_characters(body)
            start_filter = f"(?={starts})" if starts else ""
            if bounded:
                # The cheap start-character test first, the boundary tests after it.
                body = f"{start_filter}{ASCII_BOUNDARY_BEFORE}{body}{ASCII_BOUNDARY_AFTER}"
            elif opens_slowly(body, flags):
                body = f"{start_filter}{body}"  # else the regex engine skips at C speed
            self._regexes.append(re.compile(body, flags))
            leading = _usable(gate_literals(leading_literals(pattern, flags), flags))
            # Other literal sets only where the leading one is common ("a", "个"): each
            # literal looked for adds hits to every scan. Without a leading set, the best
            # set gates the search even when it is common.
            others = [
                literals
                for literals in (
                    _usable(gate_literals(found, flags)) for found in literal_sets(pattern, flags)
                )
                if literals is not None and literals != leading
            ]
            if leading is not None and _selective(leading):
                sets = []
            else:
                sets = [literals for literals in others if _selective(literals)]
                if leading is None and others and others[0] not in sets:
                    sets.insert(0, others[0])
                sets = sets[: self._EXTRA_SETS]
            if leading is not None:
                for literal in leading:
                    leads.setdefault(literal, []).append(number)
                sets.append(leading)
            else:
                self._searched.append(number)
            self._needs.append(frozenset(set_ids.setdefault(found, len(set_ids)) for found in sets))
        words = sorted({literal for found in set_ids for literal in found} | set(leads))
        self._words = words
        self._index = LiteralIndex(words)
        # Per literal (by index): the sets it belongs to, the alternatives it may start.
        self._word_sets = [
            tuple(set_id for found, set_id in set_ids.items() if word in found) for word in words
        ]
        self._word_leads = [tuple(leads.get(word, ())) for word in words]

    def gate(self, number: int) -> str:
        """How alternative ``number`` is gated, for people tuning the lexicon."""
        leads = sorted(
            word
            for word, owners in zip(self._words, self._word_leads, strict=True)
            if number in owners
        )
        others = len(self._needs[number]) - (1 if leads else 0)
        if not leads:
            if not others:
                return "searched in every text: no literal gate"
            return f"searched in texts holding one of each of {others} literal set(s)"
        weak = "" if _selective(frozenset(leads)) else "common "
        shown = ", ".join(repr(word) for word in leads[:6]) + (", ..." if len(leads) > 6 else "")
        return f"tried at the {weak}leading literals {shown}; {others} other literal set(s)"

    def _pairs(self, text: str, lowered: str | None) -> tuple[list[tuple[int, int]], list[int]]:
        """(start, alternative) pairs to try with ``match``, and alternatives to search."""
        if self._ignore_case and lowered is None:
            lowered = lowered_for_gates(text)
            if lowered is None:  # exotic case mappings: no substring shortcut
                return [], list(range(len(self._regexes)))
        haystack = lowered if self._ignore_case and lowered is not None else text
        found = self._index.all(haystack)
        seen = {word for word, _start, _end in found}
        present: set[int] = set()
        for word in seen:
            present.update(self._word_sets[word])
        needs, word_leads = self._needs, self._word_leads
        # Per literal seen: the alternatives it may start whose literal sets are all present.
        allowed = {
            word: [number for number in word_leads[word] if needs[number] <= present]
            for word in seen
            if word_leads[word]
        }
        pairs = {(start, number) for word, start, _end in found for number in allowed.get(word, ())}
        searched = [number for number in self._searched if needs[number] <= present]
        return sorted(pairs), searched

    def finditer(self, text: str, lowered: str | None) -> Iterator[re.Match[str]]:
        pairs, searched = self._pairs(text, lowered)
        regexes = self._regexes
        # The next match of each searched alternative: (start, alternative, match).
        pending: list[tuple[int, int, re.Match[str]]] = []
        for number in searched:
            match = regexes[number].search(text)
            if match is not None:
                pending.append((match.start(), number, match))
        position = index = 0
        lead: tuple[int, int, re.Match[str]] | None = None
        while True:
            if lead is None or lead[0] < position:
                # The first pair at or after ``position`` that matches: the leftmost match of
                # the alternatives that start with literals (a pair that failed once fails
                # again: a match at a fixed place does not depend on where the scan is).
                lead = None
                while index < len(pairs):
                    start, number = pairs[index]
                    index += 1
                    if start >= position:
                        match = regexes[number].match(text, start)
                        if match is not None:
                            lead = (start, number, match)
                            break
            if pending:
                for slot, (start, number, match) in enumerate(pending):
                    if start < position:
                        again = regexes[number].search(text, position)
                        pending[slot] = (again.start(), number, again) if again else (-1, 0, match)
                pending = [item for item in pending if item[0] >= 0]
            best = lead
            for item in pending:
                if best is None or item[:2] < best[:2]:
                    best = item
            if best is None:
                return
            yield best[2]
            position = best[2].end()  # alternatives never match empty (checked by the caller)


def _selective(literals: frozenset[str]) -> bool:
    """Whether a literal set is rare enough in text to be worth looking for: each literal
    has at least three letters or digits, or two other (e.g. Chinese) characters."""
    return all(
        sum(1 if char.isascii() else 2 for char in literal if char.isalnum()) >= 3
        for literal in literals
    )


def _usable(literals: frozenset[str] | None) -> frozenset[str] | None:
    """Literal sets an automaton can hold (no surrogates or U+FFFD: see LiteralIndex)."""
    if literals is None or any(
        "\ufffd" in literal or any("\ud800" <= char <= "\udfff" for char in literal)
        for literal in literals
    ):
        return None
    return literals


def _may_match_empty(pattern: str, flags: int) -> bool:
    try:
        return _parser.parse(pattern, flags).getwidth()[0] == 0
    except re.error:
        return True


def _is_english_pattern(entry: TermEntry) -> bool:
    return entry.language == "en" or is_ascii_word(entry.pattern or "")


def _wrapped(entry: TermEntry) -> str:
    pattern = entry.pattern or ""
    if _is_english_pattern(entry):
        return ASCII_BOUNDARY_BEFORE + "(?:" + pattern + ")" + ASCII_BOUNDARY_AFTER
    return pattern


def _flags(entry: TermEntry) -> int:
    return _ENGLISH_PATTERN_FLAGS if _is_english_pattern(entry) else 0
