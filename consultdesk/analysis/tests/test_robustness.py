import time
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultdesk.analysis import FINDING_KINDS, analyze

TODAY = date(2026, 5, 15)


def assert_valid(text: str) -> None:
    result = analyze(text, today=TODAY)
    data = result.to_dict()
    assert data["language"] in ("zh", "en")
    for finding in result.findings:
        assert finding.kind in FINDING_KINDS
        assert 0 <= finding.start < finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.text
    assert len(result.questions) <= 8
    assert len(set(result.questions)) == len(result.questions)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_it_returns_a_valid_result_for_any_text(text: str) -> None:
    assert_valid(text)


@settings(max_examples=100, deadline=None)
@given(
    st.text(
        alphabet="慢快卡等大概应该没问题所有无缝对接预算万元月底前 ,.，。、0123456789abcASAPetc"
    )
)
def test_it_keeps_offsets_exact_on_dense_lexicon_text(text: str) -> None:
    assert_valid(text)


def test_it_handles_empty_text() -> None:
    result = analyze("", today=TODAY)

    assert (result.findings, result.fields.budget, result.category.value) == ((), None, "unclear")


def test_it_handles_lone_surrogates_emoji_and_binary_garbage() -> None:
    for text in (
        "\ud800 系统很慢 \udfff",
        "😀🚀 页面卡顿 🐢",
        bytes(range(256)).decode("latin-1"),
        "\x00\x01慢",
    ):
        assert_valid(text)


def test_it_ignores_markup_but_keeps_offsets_in_the_original_html() -> None:
    html = '<div class="fast slow"><p>系统&nbsp;很慢</p><a href="https://x.cn/slow">link</a></div>'

    findings = analyze(html, today=TODAY).findings

    assert [(f.kind, f.text) for f in findings] == [("unquantified_quality", "很慢")]
    assert html[findings[0].start : findings[0].end] == "很慢"


def test_it_analyses_text_in_time_linear_in_its_length() -> None:
    unit = "系统反应很慢，大概需要尽快优化，支持微信、支付宝等。The portal is slow, etc. "
    analyze(unit * 10, today=TODAY)  # warm up: lexicons and the jieba boundary dictionary

    small, large = unit * 300, unit * 3_000
    started = time.process_time()
    analyze(small, today=TODAY)
    small_seconds = time.process_time() - started
    started = time.process_time()
    result = analyze(large, today=TODAY)
    large_seconds = time.process_time() - started

    assert len(result.findings) == 3_000 * 6
    # Ten times the text may take at most ~25 times as long (generous for a shared CI box).
    assert large_seconds < max(small_seconds, 0.02) * 25


@pytest.mark.slow
def test_it_returns_a_valid_result_for_a_megabyte_of_mixed_text() -> None:
    paragraph = (
        "<p>我们是一家200人左右的公司，系统很慢，预算30万以内，年底前上线。</p>"
        "We need it ASAP and the budget is limited, maybe $50k. 微信: abc_123 😀 \ud800 "
    )
    text = paragraph * (1_000_000 // len(paragraph) + 1)

    assert_valid(text)
