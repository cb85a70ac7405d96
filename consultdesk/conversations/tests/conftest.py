"""Alice's consultation walked to the stage a test starts from."""

from __future__ import annotations

from typing import Any

import pytest

from consultdesk.accounts.models import User
from consultdesk.consultations.choices import Category, Stage
from consultdesk.consultations.models import Consultation
from consultdesk.consultations.services import consultation_transition, consultation_update_record
from consultdesk.conversations.models import EntryKind, Meeting, MeetingEntry, QuestionStatus
from consultdesk.conversations.services import (
    meeting_create,
    meeting_entry_save,
    question_add,
    question_update,
)

RECORD = {
    "industry": "education",
    "organisation_size": "medium",
    "technical_level": "intermediate",
    "core_goal": "家长端App加载慢，导致课程退订率上升",
    "budget_max": 300_000,
    "timeline_days": 60,
    "existing_systems": "现有教学平台（Java）",
    "stressed": ["预算不超过30万"],
    "category": Category.FEATURE_OPTIMISATION,
}


def walk_to(consultation: Consultation, stage: Stage, actor: User) -> Consultation:
    consultation_update_record(
        consultation=consultation,
        changes=RECORD,
        expected_version=consultation.version,
        actor=actor,
    )
    # "Prepared" means a checklist exists (the gate may ask for it): one settled question
    # that neither the drafts nor the meeting tests count as open or answered.
    question = question_add(
        consultation=consultation, text="会前已确认：联系人与会议时间", actor=actor
    )
    question_update(question=question, status=QuestionStatus.NOT_APPLICABLE, answer="", actor=actor)
    for step in (Stage.RECORDED, Stage.CLASSIFIED, Stage.PREPARED, Stage.MET, Stage.SUMMARY_SENT):
        consultation.refresh_from_db()
        if consultation.stage == stage:
            break
        consultation_transition(consultation=consultation, to=step, actor=actor)
    consultation.refresh_from_db()
    return consultation


@pytest.fixture
def prepared_case(alices_case: Consultation, alice: User) -> Consultation:
    return walk_to(alices_case, Stage.PREPARED, alice)


@pytest.fixture
def meeting(prepared_case: Consultation, alice: User) -> Meeting:
    from django.utils import timezone

    return meeting_create(
        consultation=prepared_case,
        starts_at=timezone.now(),
        place="腾讯会议 123-456",
        participants_ours="Alice",
        participants_theirs="陈校长",
        actor=alice,
    )


def note(meeting: Meeting, kind: EntryKind, text: str, key: str, **extra: Any) -> MeetingEntry:
    saved = meeting_entry_save(meeting=meeting, key=key, kind=kind, text=text, actor=None, **extra)
    return saved.entry


@pytest.fixture
def analysed_case(alices_case: Consultation) -> Consultation:
    """Alice's case with its first message analysed (the task runs after commit)."""
    from consultdesk.insights.services import message_analyse

    message_analyse(message=alices_case.messages.get())
    alices_case.refresh_from_db()
    return alices_case


def in_chinese(text: object) -> str:
    """A lazy UI string as the Chinese client reads it (English until it is translated)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return str(text)
