"""The stage table and its gates, without a database."""

import datetime

import pytest

from consultdesk.consultations.choices import Stage
from consultdesk.consultations.workflow import (
    ORDER,
    Move,
    RecordSnapshot,
    classify_move,
    entry_gaps,
    next_stage,
    transition_gaps,
)

COMPLETE = RecordSnapshot(
    industry="education",
    organisation_size="medium",
    technical_level="basic",
    core_goal="家长端加载超时率降到 5% 以下",
    budget_max=300_000,
    timeline_days=60,
    existing_systems="家长端 App",
    primary_contact_role="business",
)


def fields(gaps: list) -> list[str]:
    return [gap.field for gap in gaps]


def test_the_stages_run_from_received_to_closed_in_the_documented_order() -> None:
    assert [stage.value for stage in ORDER] == [
        "received",
        "recorded",
        "classified",
        "prepared",
        "met",
        "summary_sent",
        "summary_confirmed",
        "analysis",
        "proposal",
        "delivery",
        "closed",
    ]


def test_it_lists_every_missing_mandatory_field_before_recorded() -> None:
    gaps = transition_gaps(current=Stage.RECEIVED, target=Stage.RECORDED, record=RecordSnapshot())
    assert fields(gaps) == [
        "industry",
        "organisation_size",
        "technical_level",
        "core_goal",
        "existing_systems",
        "budget_max",
        "timeline_days",
        "primary_contact",
    ]
    assert all(gap.code == "required" for gap in gaps)


def test_a_complete_record_may_be_recorded() -> None:
    assert transition_gaps(current=Stage.RECEIVED, target=Stage.RECORDED, record=COMPLETE) == []


def test_either_end_of_the_budget_and_either_form_of_timeline_is_enough() -> None:
    record = RecordSnapshot(
        **{
            **COMPLETE.__dict__,
            "budget_min": 100,
            "budget_max": None,
            "timeline_days": None,
            "timeline_date": datetime.date(2027, 1, 31),
        }
    )
    assert entry_gaps(Stage.RECORDED, record) == []


def test_a_whitespace_only_goal_is_still_missing() -> None:
    record = RecordSnapshot(**{**COMPLETE.__dict__, "core_goal": "   "})
    assert fields(entry_gaps(Stage.RECORDED, record)) == ["core_goal"]


def test_it_refuses_classifying_without_a_category() -> None:
    gaps = transition_gaps(current=Stage.RECORDED, target=Stage.CLASSIFIED, record=COMPLETE)
    assert fields(gaps) == ["category"]


def test_gates_are_cumulative_so_a_later_stage_still_needs_the_record() -> None:
    record = RecordSnapshot(category="unclear")
    assert "core_goal" in fields(entry_gaps(Stage.PREPARED, record))


def test_it_refuses_skipping_stages_forward() -> None:
    gaps = transition_gaps(current=Stage.RECEIVED, target=Stage.CLASSIFIED, record=COMPLETE)
    assert [(gap.field, gap.code) for gap in gaps] == [("stage", "not_allowed")]


def test_moving_back_needs_a_reason() -> None:
    assert fields(transition_gaps(current=Stage.MET, target=Stage.RECORDED, record=COMPLETE)) == [
        "reason"
    ]
    assert (
        transition_gaps(
            current=Stage.MET, target=Stage.RECORDED, record=COMPLETE, reason="客户改了预算"
        )
        == []
    )


def test_closing_needs_an_outcome_and_a_reason_from_any_open_stage() -> None:
    assert fields(
        transition_gaps(current=Stage.RECEIVED, target=Stage.CLOSED, record=RecordSnapshot())
    ) == ["outcome", "reason"]
    decided = RecordSnapshot(outcome="declined")
    assert (
        transition_gaps(current=Stage.RECEIVED, target=Stage.CLOSED, record=decided, reason="spam")
        == []
    )


def test_reopening_a_closed_consultation_needs_a_reason() -> None:
    assert classify_move(Stage.CLOSED, Stage.ANALYSIS) == Move.REOPEN
    assert fields(
        transition_gaps(current=Stage.CLOSED, target=Stage.ANALYSIS, record=COMPLETE)
    ) == ["reason"]


@pytest.mark.parametrize("stage", list(Stage))
def test_staying_in_the_same_stage_is_not_a_move(stage: Stage) -> None:
    assert classify_move(stage, stage) is None


def test_next_stage_follows_the_order_and_ends_at_closed() -> None:
    assert next_stage(Stage.RECEIVED) == Stage.RECORDED
    assert next_stage(Stage.DELIVERY) == Stage.CLOSED
    assert next_stage(Stage.CLOSED) is None


def test_missing_items_serialise_for_the_api() -> None:
    gap = entry_gaps(Stage.CLASSIFIED, COMPLETE)[0]
    assert gap.as_dict() == {
        "field": "category",
        "code": "required",
        "message": "Choose a category first.",
    }
