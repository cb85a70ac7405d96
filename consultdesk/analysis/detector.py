"""Finding detection: lexicon hits filtered by the context that makes them precise or vague."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
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
from .segmentation import BoundaryChecker

_NUMBER_AHEAD = re.compile(
    rf"\s*(?:[$¥￥€]|US\$)?\s*(?:\d|[{CHINESE_NUMERAL_CHARS}]{{1,3}}[^\w]?|[{CHINESE_NUMERAL_CHARS}])"
)
_NUMBER_BEHIND = re.compile(
    rf"(?:\d|[{CHINESE_NUMERAL_CHARS}])\s*[^\s\d，。,.；;！？!?]{{0,3}}\s*$"
)
# A quality is measurable when its sentence carries a figure in a measurable unit.
_MEASURE = re.compile(
    rf"(?<![A-Za-z])(?:\d+(?:\.\d+)?|[{CHINESE_NUMERAL_CHARS}]+)\s*(?:ms|毫秒|秒钟|秒|s\b|secs?\b|seconds?|分钟|minutes?|mins?\b|"
    r"%|％|percent|次|qps|tps|rps|个?并发|concurrent|requests?\s*(?:per|/)|fps|帧|小时|hours?\b|个9|nines|"
    r"笔/秒|条/秒|万条|/s\b|/sec|/秒|mb|gb|tb|mbps)|百分之|99\.\d+",
    re.IGNORECASE,
)
_INTEGRATION_SPECIFICS = re.compile(
    r"API|接口文档|开放接口|REST|webhook|字段|单向|双向|nightly|hourly|one-way|two-way|"
    r"CSV|SFTP|fields|endpoint|OAuth|SOAP|ODBC|JDBC|事件推送|消息队列",
    re.IGNORECASE,
)
_CLOSED_LIST_AFTER = re.compile(
    rf"\s*(?:\d+|[{CHINESE_NUMERAL_CHARS}]+)\s*(?:个|种|家|类|项|款|所|条|位|名|套|大|部分)"
)
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
        phrases = [
            (match.start(), match.end(), entries[match.lastgroup or ""])
            for regex, entries, needs_latin in self._patterns
            if latin or not needs_latin
            for match in regex.finditer(text)
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
        return sorted(phrase_findings + kept_words, key=lambda finding: finding.start)

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
        number_ahead = bool(_NUMBER_AHEAD.match(text, end))
        number_behind = bool(_NUMBER_BEHIND.search(text, max(0, start - 8), start))
        if entry.needs_number_after and not number_ahead:
            return None
        if entry.needs_number_before and not number_behind:
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
            # "先别提中台", "we don't want a new platform": a means rejected is not a goal.
            return not _NEGATION_BEFORE.search(text, max(0, start - 12), start)
        if entry.kind == "open_ended" and entry.term in {"等", "等等"}:
            # "等三种支付方式" closes the list with a count, so it is not open-ended.
            return not _CLOSED_LIST_AFTER.match(text, end)
        return True


# Modifier kinds add information inside a longer phrase of another kind ("做一个【一站式】的平台"),
# and so does any word inside a wished-for product ("a 【robust】 and 【secure】 platform");
# other words inside a phrase are the phrase's own point ("should be a simple job").
_NESTABLE_KINDS = frozenset({"hedge", "sweeping_scope", "open_ended"})


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


# (regex, entries by group name, whether the regex can only match Latin letters)
PatternGroup = tuple[re.Pattern[str], dict[str, TermEntry], bool]


def _combined_patterns(entries: list[TermEntry]) -> list[PatternGroup]:
    """Pattern entries joined into one regex per style: one scan instead of dozens.

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
        body = "|".join(f"(?P<{name}>{entry.pattern})" for name, entry in names.items())
        starts = first_characters(body)
        # Grouped either way: the word boundaries below must apply to every alternative.
        body = f"(?={starts})(?:{body})" if starts else f"(?:{body})"
        if style is english:
            # One boundary test per position instead of one per alternative.
            body = ASCII_BOUNDARY_BEFORE + body + ASCII_BOUNDARY_AFTER
        try:
            groups.append((re.compile(body, _flags(style[0])), names, style is english))
        except re.error:
            groups += [
                (
                    re.compile(f"(?P<p0>{_wrapped(entry)})", _flags(entry)),
                    {"p0": entry},
                    style is english,
                )
                for entry in style
            ]
    return groups


def _is_english_pattern(entry: TermEntry) -> bool:
    return entry.language == "en" or is_ascii_word(entry.pattern or "")


def _wrapped(entry: TermEntry) -> str:
    pattern = entry.pattern or ""
    if _is_english_pattern(entry):
        return ASCII_BOUNDARY_BEFORE + "(?:" + pattern + ")" + ASCII_BOUNDARY_AFTER
    return pattern


def _flags(entry: TermEntry) -> int:
    return _ENGLISH_PATTERN_FLAGS if _is_english_pattern(entry) else 0
