"""The fast scanners find exactly what the plain regular expressions find."""

import _sre
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultdesk.analysis import budget, category, default_engine, fields, timeline
from consultdesk.analysis.detector import (
    ASCII_BOUNDARY_AFTER,
    ASCII_BOUNDARY_BEFORE,
    GatedAlternation,
    SingleRegex,
    _flags,
)
from consultdesk.analysis.matching import (
    LiteralScan,
    first_characters,
    is_ascii_word,
    trie_regex,
)
from consultdesk.analysis.scanning import (
    EXOTIC_CASE_CHARS,
    AnchoredScan,
    CaselessScan,
    LiteralGate,
    leading_literals,
    lowered_for_gates,
    required_literals,
)

# Characters the patterns care about, plus a few with special case mappings.
ALPHABET = (
    "0123456789 ,.-+$¥€%\n万元千百十一二两三五几多约不超过以内预算到至人员工用户年月日周天前后"
    "季度底春节中秋端午元宵很慢等都更字好所有对接平台系统上线"
    "abcdefkmnqrstuyABDEKMQSUYſıİK"
)
WORDS = [
    "up to ",
    "no more than ",
    "US$",
    "about ",
    "employees",
    "users",
    "by the end of ",
    "year",
    "Q3",
    "quarter",
    "March",
    "may ",
    "next ",
    "month",
    "Friday",
    "within ",
    "weeks",
    "reduce ",
    "from ",
    " to ",
    "seconds",
    "really ",
    "slow",
    "all our ",
    "systems",
    "fast-",
    "etc.",
    "should be ",
    "easy",
    "integrate with ",
    "AI",
    "做个",
    "小程序",
    "预算不多",
    "性能要好",
    "大概",
    "20",
    "21st of ",
    "mid-",
    "during the ",
    "before ",
    "end of ",
    "June",
    "sept. ",
    "this ",
    "  \t",
    "q4 2027",
]
texts = st.lists(
    st.one_of(st.text(alphabet=ALPHABET, max_size=6), st.sampled_from(WORDS)), max_size=40
).map("".join)


def spans(matches) -> list[tuple[tuple[int, int], dict]]:
    return [(match.span(), match.groupdict()) for match in matches]


@settings(max_examples=400, deadline=None)
@given(texts)
def test_anchored_scans_find_the_matches_of_the_plain_patterns(text: str) -> None:
    for scan in (budget._AMOUNT_SCAN, fields._ZH_SIZE_SCAN, fields._EN_SIZE_SCAN):
        assert spans(scan.finditer(text)) == spans(scan.regex.finditer(text))


def test_an_anchored_scan_refuses_a_prefix_it_cannot_bound() -> None:
    with pytest.raises(ValueError):
        AnchoredScan(r"[a-z]*", r"\d+")


CASELESS = [
    timeline._EN_DURATION,
    timeline._EN_YEAR_END,
    timeline._EN_QUARTER,
    timeline._EN_MONTH_END,
    timeline._EN_MONTH,
    timeline._EN_CHRISTMAS,
    timeline._WEEKDAY,
    timeline._ZH_QUARTER,
    category._MEASURABLE_TARGET,
]


@pytest.mark.parametrize(
    "text",
    [
        "x before the end of March, early mid-June or 21st of sept 2027",
        "a  before \t the  end\nof   December 3rd",
        "during the end of next quarter, before the end of the q3 2026",
        "standby March; thin may 5; 1st  of  may",
    ],
)
def test_anchored_date_scans_find_matches_with_their_longest_openings(text: str) -> None:
    for scan in CASELESS:
        plain = re.compile(scan.regex.pattern, re.IGNORECASE)
        found = spans(scan.finditer(text, lowered_for_gates(text)))
        assert found == spans(plain.finditer(text))


def test_the_timeline_patterns_take_the_lower_case_path() -> None:
    assert all(scan._lower is not None for scan in CASELESS)


@settings(max_examples=1000, deadline=None)
@given(texts)
def test_caseless_scans_find_the_matches_of_the_case_insensitive_patterns(text: str) -> None:
    plain = [re.compile(scan.regex.pattern, re.IGNORECASE) for scan in CASELESS]
    for scan, regex in zip(CASELESS, plain, strict=True):
        found = spans(scan.finditer(text, lowered_for_gates(text)))
        assert found == spans(regex.finditer(text))


def test_upper_case_letters_keep_a_pattern_on_the_case_insensitive_path() -> None:
    assert CaselessScan(r"by Q[1-4]")._lower is None
    assert CaselessScan(r"by q[1-4][A-Za-z]")._lower is not None


GROUPS = default_engine()._detector._patterns


def joined(names: dict) -> re.Pattern[str]:
    """The reference: all alternatives of a group in one regex, as before the gating."""
    english = next(iter(names.values()))
    body = "|".join(f"(?P<{name}>{entry.pattern})" for name, entry in names.items())
    starts = first_characters(body)
    body = f"(?={starts})(?:{body})" if starts else body
    flags = _flags(english)
    if flags & re.IGNORECASE:
        body = ASCII_BOUNDARY_BEFORE + body + ASCII_BOUNDARY_AFTER
    return re.compile(body, flags)


REFERENCES = [joined(names) for _scanner, names, _latin in GROUPS]


@settings(max_examples=400, deadline=None)
@given(texts)
def test_gated_phrase_scans_find_the_matches_of_one_alternation(text: str) -> None:
    for (scanner, _names, _latin), reference in zip(GROUPS, REFERENCES, strict=True):
        found = [(m.span(), m.lastgroup) for m in scanner.finditer(text, lowered_for_gates(text))]
        assert found == [(m.span(), m.lastgroup) for m in reference.finditer(text)]


def test_the_shipped_phrases_are_gated() -> None:
    assert all(isinstance(scanner, GatedAlternation) for scanner, _n, _l in GROUPS)
    assert not isinstance(GROUPS[0][0], SingleRegex)


@settings(max_examples=400, deadline=None)
@given(
    st.sets(st.text(alphabet="aAbc-.慢很", min_size=1, max_size=4), min_size=1, max_size=8),
    st.text(alphabet="aAbc-.慢很 _1", max_size=40),
)
def test_literal_scans_find_what_the_trie_regexes_find(words: set[str], text: str) -> None:
    plain = re.compile(trie_regex(words))
    # Word-bounded terms are ASCII words (TermMatcher's rule).
    bounded_words = {word for word in words if is_ascii_word(word)} or {"a"}
    bounded = re.compile(ASCII_BOUNDARY_BEFORE + trie_regex(bounded_words) + ASCII_BOUNDARY_AFTER)

    shipped = LiteralScan.AUTOMATON_FROM
    for automaton_from in (0, 10_000):  # the Aho-Corasick scan, and the trie regex
        LiteralScan.AUTOMATON_FROM = automaton_from
        try:
            assert LiteralScan(words, bounded=False).finditer(text) == [
                m.span() for m in plain.finditer(text)
            ]
            assert LiteralScan(bounded_words, bounded=True).finditer(text) == [
                m.span() for m in bounded.finditer(text)
            ]
        finally:
            LiteralScan.AUTOMATON_FROM = shipped


def test_required_and_leading_literals_are_read_from_the_pattern() -> None:
    assert required_literals(r"(?:a few|several) (?:hundred|thousand)") == {"hundred", "thousand"}
    assert leading_literals(r"(?<!x)(?:a few|several) hundred") == {
        "a few hundred",
        "several hundred",
    }
    # The parser folds common prefixes ("s" + "ome|uch"); the run goes on into the group.
    assert leading_literals(r"(?:some|such) x(?:y|z)+") == {
        "some xy",
        "some xz",
        "such xy",
        "such xz",
    }
    assert leading_literals(r"an? b") == {"a b", "an b"}
    assert leading_literals(r"(?:a|b)?c") == {"ac", "bc", "c"}
    assert leading_literals(r"都(?=要|能)") == {"都要", "都能"}  # a look-ahead counts
    assert leading_literals(r"(?:a|)b") == {"ab", "b"}
    assert leading_literals(r"\d+ days") is None
    assert LiteralGate(r"Budget", re.IGNORECASE).admits("the BUDGET", "the budget")


def test_the_exotic_case_list_holds_every_character_str_lower_maps_differently() -> None:
    exotic = set()
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF or code < 128:
            continue
        char = chr(code)
        lowered = char.lower()
        if len(lowered) != 1 or ord(lowered) != _sre.unicode_tolower(code):
            exotic.add(char)  # str.lower() and the regex engine disagree
        if _sre.unicode_tolower(code) in extras or code in related:
            exotic.add(char)  # the engine folds it together with other characters
    assert exotic <= set(EXOTIC_CASE_CHARS)


extras = re._casefix._EXTRA_CASES  # type: ignore[attr-defined]
related = {code for key, others in extras.items() for code in (key, *others)}


def test_the_exotic_case_list_is_no_longer_than_needed() -> None:
    assert all(
        len(char.lower()) != 1 or ord(char) in related or _sre.unicode_tolower(ord(char)) in extras
        for char in EXOTIC_CASE_CHARS
    )


def test_texts_with_special_case_mappings_match_as_the_regex_engine_folds_them() -> None:
    from datetime import date

    from consultdesk.analysis import analyze

    # The regex engine folds "ſ" (long s) to "s" and "K" (Kelvin) to "k"; str.lower does not
    # fold the first, so these texts take the case-insensitive path.
    result = analyze(
        "The app is ſuper ſlow, we need it aſap, budget up to $50\u212a", today=date(2026, 5, 15)
    )

    assert [(f.kind, f.text) for f in result.findings] == [
        ("unquantified_quality", "ſuper ſlow"),
        ("unbounded_time", "aſap"),
    ]
    assert result.fields.budget is not None and result.fields.budget.max == 50000


def test_one_engine_gives_the_same_results_from_several_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor
    from datetime import date

    from consultdesk.analysis.evaluation import corpus_files, default_corpus_dir, load_corpus

    engine = default_engine()
    texts = [m.text for f in corpus_files(default_corpus_dir()) for m in load_corpus(f)][:120]
    today = date(2026, 5, 15)
    expected = [engine.analyze(text, today=today).to_dict() for text in texts]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda text: engine.analyze(text, today=today).to_dict(), texts))

    assert results == expected
