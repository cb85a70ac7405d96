from datetime import date

import pytest

from consultdesk.analysis import QuestionTemplate, TermEntry, analyze, build_engine

TODAY = date(2026, 5, 15)


def test_it_flags_a_term_added_at_run_time_and_asks_its_question() -> None:
    engine = build_engine(
        extra_terms=[TermEntry(kind="hedge", language="zh", term="看情况")],
        extra_questions=[
            QuestionTemplate(
                subject="hedge",
                language="zh",
                variant="term",
                term="看情况",
                text="看什么情况？由谁决定？",
            )
        ],
    )

    result = engine.analyze("功能看情况再定", today=TODAY)

    assert [(f.kind, f.text, f.questions) for f in result.findings] == [
        ("hedge", "看情况", ("看什么情况？由谁决定？",))
    ]


def test_it_leaves_the_default_engine_unchanged_by_extras() -> None:
    build_engine(extra_terms=[TermEntry(kind="hedge", language="en", term="guesstimate")])

    assert analyze("a guesstimate", today=TODAY).findings == ()


def test_it_lets_an_installation_reclassify_a_shipped_term() -> None:
    engine = build_engine(extra_terms=[TermEntry(kind="assumption", language="zh", term="尽快")])

    assert [f.kind for f in engine.analyze("尽快", today=TODAY).findings] == ["assumption"]


def test_it_accepts_extra_patterns() -> None:
    engine = build_engine(
        extra_terms=[TermEntry(kind="open_ended", language="en", pattern=r"and what ?not")]
    )

    assert [f.text for f in engine.analyze("forms, reports and whatnot", today=TODAY).findings] == [
        "and whatnot"
    ]


def test_it_rejects_a_term_of_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown finding kind"):
        TermEntry(kind="vague", language="en", term="x")


def test_it_rejects_an_entry_with_both_term_and_pattern() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        TermEntry(kind="hedge", language="en", term="x", pattern="y")
