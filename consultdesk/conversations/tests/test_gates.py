from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultdesk.accounts.models import User
from consultdesk.consultations.models import Consultation
from consultdesk.conversations.gates import ConversationFacts, conversation_facts
from consultdesk.conversations.services import (
    meeting_end,
    question_add,
    summary_confirm,
    summary_save,
    summary_send,
)

pytestmark = pytest.mark.django_db
SECTIONS = {"goals": "g", "concerns": "c", "to_confirm": "t"}


def test_the_facts_follow_the_conversation_one_query_each_time(
    alices_case: Consultation, alice: User
) -> None:
    from django.utils import timezone

    from consultdesk.conversations.services import meeting_create

    consultation = alices_case
    meeting = meeting_create(consultation=consultation, starts_at=timezone.now(), actor=alice)
    assert conversation_facts(consultation) == ConversationFacts()
    question_add(consultation=consultation, text="?", actor=alice)
    meeting_end(meeting=meeting, actor=alice)
    first = summary_save(consultation=consultation, sections=SECTIONS, based_on=None, actor=alice)
    summary_send(version=first, actor=alice)
    summary_confirm(version=first)
    with CaptureQueriesContext(connection) as queries:
        facts = conversation_facts(consultation)
    assert facts == ConversationFacts(True, True, True, True)
    assert len(queries) == 1
    second = summary_save(
        consultation=consultation, sections={**SECTIONS, "goals": "g2"}, based_on=1, actor=alice
    )
    summary_send(version=second, actor=alice)
    assert conversation_facts(consultation) == ConversationFacts(True, True, True, False)


@pytest.fixture
def gates_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gates proposed for the workflow, reading this app's facts (one case per test)."""
    from consultdesk.consultations import workflow
    from consultdesk.consultations.choices import Stage

    def gate(fact: str):  # type: ignore[no-untyped-def]
        def check(record: workflow.RecordSnapshot) -> list[workflow.Missing]:
            facts = conversation_facts(Consultation.objects.get())
            return [] if getattr(facts, fact) else [workflow.Missing(fact, "required", fact)]

        return check

    for stage, fact in (
        (Stage.PREPARED, "has_checklist"),
        (Stage.MET, "meeting_ended"),
        (Stage.SUMMARY_SENT, "summary_sent"),
        (Stage.SUMMARY_CONFIRMED, "summary_confirmed"),
    ):
        monkeypatch.setitem(workflow.GATES, stage, gate(fact))


def test_every_stage_effect_passes_gates_that_check_this_apps_facts(
    gates_on: None, prepared_case: Consultation, alice: User
) -> None:
    from django.utils import timezone

    from consultdesk.consultations.choices import Stage
    from consultdesk.conversations.services import meeting_create

    meeting = meeting_create(consultation=prepared_case, starts_at=timezone.now(), actor=alice)
    assert meeting_end(meeting=meeting, actor=alice).stage.moved_to == Stage.MET
    version = summary_save(
        consultation=prepared_case, sections=SECTIONS, based_on=None, actor=alice
    )
    assert summary_send(version=version, actor=alice).stage.moved_to == Stage.SUMMARY_SENT
    assert summary_confirm(version=version).moved_to == Stage.SUMMARY_CONFIRMED


def test_with_the_gates_on_a_case_without_a_checklist_is_not_prepared(
    gates_on: None, alices_case: Consultation, alice: User
) -> None:
    from consultdesk.consultations.choices import Stage
    from consultdesk.consultations.services import (
        TransitionRefused,
        consultation_transition,
        consultation_update_record,
    )
    from consultdesk.conversations.tests.conftest import RECORD

    case = consultation_update_record(
        consultation=alices_case, changes=RECORD, expected_version=alices_case.version, actor=alice
    )
    for step in (Stage.RECORDED, Stage.CLASSIFIED):
        case = consultation_transition(consultation=case, to=step, actor=alice)
    with pytest.raises(TransitionRefused) as refusal:
        consultation_transition(consultation=case, to=Stage.PREPARED, actor=alice)
    assert [item.field for item in refusal.value.missing] == ["has_checklist"]
