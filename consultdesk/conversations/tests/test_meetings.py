from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultdesk.accounts.models import User
from consultdesk.conftest import logged_in
from consultdesk.consultations.choices import Stage
from consultdesk.consultations.models import Consultation
from consultdesk.conversations.models import (
    Activity,
    ActivityKind,
    ConfirmReply,
    EntryKind,
    Meeting,
    MeetingEntry,
    QuestionStatus,
)
from consultdesk.conversations.services import meeting_end, question_add
from consultdesk.conversations.tests.conftest import note
from consultdesk.sla.models import Clock

pytestmark = pytest.mark.django_db


def test_saving_an_entry_again_with_its_key_updates_it_instead_of_duplicating(
    meeting: Meeting,
) -> None:
    note(meeting, EntryKind.LISTEN, "家长", key="k-0000001")
    note(meeting, EntryKind.LISTEN, "家长端打开很慢", key="k-0000001")
    note(meeting, EntryKind.LISTEN, "家长端打开很慢", key="k-0000001")  # a retry
    assert list(meeting.entries.values_list("text", flat=True)) == ["家长端打开很慢"]


def test_a_confirmation_keeps_the_clients_correction(meeting: Meeting) -> None:
    entry = note(
        meeting,
        EntryKind.CONFIRM,
        "您的核心需求是把App整体做快，对吗？",
        key="k-0000002",
        reply=ConfirmReply.CORRECTION,
        response="主要是家长端晚高峰加载慢",
    )
    assert entry.understood == "主要是家长端晚高峰加载慢"


def test_answering_a_checklist_question_in_the_meeting_ticks_it_off(
    meeting: Meeting, alice: User
) -> None:
    question = question_add(consultation=meeting.consultation, text="高峰时段是几点？", actor=alice)
    note(meeting, EntryKind.ASK, "高峰时段是几点？", key="k-0000003", question=question)
    question.refresh_from_db()
    assert question.status == QuestionStatus.ASKED
    note(
        meeting,
        EntryKind.ASK,
        "高峰时段是几点？",
        key="k-0000003",
        question=question,
        response="晚上7点到9点",
    )
    question.refresh_from_db()
    assert (question.status, question.answer) == (QuestionStatus.ANSWERED, "晚上7点到9点")


def test_a_question_of_another_consultation_is_refused_and_nothing_saved(
    meeting: Meeting, alice: User, acme
) -> None:
    from consultdesk.consultations.choices import Channel
    from consultdesk.consultations.services import consultation_create

    other = consultation_create(title="另一个", channel=Channel.PHONE, actor=alice)
    foreign = question_add(consultation=other, text="?", actor=alice)
    with pytest.raises(ValidationError):
        note(meeting, EntryKind.ASK, "?", key="k-0000004", question=foreign)
    assert not MeetingEntry.objects.exists()
    foreign.refresh_from_db()
    assert foreign.status == QuestionStatus.OPEN


def test_an_empty_entry_is_refused_and_nothing_saved(meeting: Meeting) -> None:
    with pytest.raises(ValidationError):
        note(meeting, EntryKind.LISTEN, "   ", key="k-0000005")
    assert not MeetingEntry.objects.exists()


def test_ending_the_meeting_moves_a_prepared_case_to_met_and_starts_the_summary_clock(
    meeting: Meeting, alice: User
) -> None:
    ended_at = timezone.now()
    ended = meeting_end(meeting=meeting, actor=alice, ended_at=ended_at)
    consultation = Consultation.objects.get(pk=meeting.consultation_id)
    assert ended.stage.moved_to == Stage.MET
    assert consultation.stage == Stage.MET
    assert consultation.summary_due is not None and consultation.summary_due > ended_at
    assert Clock.objects.filter(consultation=consultation, kind="summary").exists()
    assert Activity.objects.filter(kind=ActivityKind.MEETING_ENDED).count() == 1


def test_ending_a_meeting_twice_counts_once(meeting: Meeting, alice: User) -> None:
    first_end = timezone.now()
    meeting_end(meeting=meeting, actor=alice, ended_at=first_end)
    meeting_end(meeting=meeting, actor=alice, ended_at=first_end + timedelta(minutes=5))
    meeting.refresh_from_db()
    assert meeting.ended_at == first_end
    assert Activity.objects.filter(kind=ActivityKind.MEETING_ENDED).count() == 1


def test_a_meeting_on_an_unprepared_case_leaves_the_stage_and_says_why(
    alices_case: Consultation, alice: User
) -> None:
    from consultdesk.conversations.services import meeting_create

    meeting = meeting_create(consultation=alices_case, starts_at=timezone.now(), actor=alice)
    ended = meeting_end(meeting=meeting, actor=alice)
    alices_case.refresh_from_db()
    assert alices_case.stage == Stage.RECEIVED
    assert ended.stage.moved_to is None
    assert ended.stage.notes == [
        "The stage stays “Received”: it moves to “Met” by itself only from “Prepared”."
    ]


class TestMeetingPages:
    def test_alice_opens_a_meeting_and_autosaves_a_note(
        self, prepared_case: Consultation, alice: User
    ) -> None:
        client = logged_in(alice)
        response = client.post(
            reverse("meeting_new", args=[prepared_case.pk]),
            {"starts_at": "2026-11-25T10:00", "place": "客户办公室"},
        )
        meeting = Meeting.objects.get(consultation=prepared_case)
        assert response.url == reverse("meeting_detail", args=[prepared_case.pk, meeting.pk])
        url = reverse("meeting_entry", args=[prepared_case.pk, meeting.pk])
        payload = {"key": "a1b2c3d4e5f6", "kind": "listen", "text": "晚上家长端很卡"}
        for _attempt in range(2):  # the browser resends after a lost answer
            saved = client.post(url, payload, headers={"X-Autosave": "1"})
            assert saved.status_code == 200
            assert saved.json()["saved"] is True
        assert list(meeting.entries.values_list("text", flat=True)) == ["晚上家长端很卡"]

    def test_a_note_without_text_gets_422_and_is_not_saved(
        self, meeting: Meeting, alice: User
    ) -> None:
        url = reverse("meeting_entry", args=[meeting.consultation_id, meeting.pk])
        response = logged_in(alice).post(
            url, {"key": "a1b2c3d4e5f6", "kind": "listen", "text": ""}, headers={"X-Autosave": "1"}
        )
        assert response.status_code == 422
        assert not MeetingEntry.objects.exists()

    def test_the_end_button_moves_the_stage_and_opens_the_summary_editor(
        self, meeting: Meeting, alice: User
    ) -> None:
        response = logged_in(alice).post(
            reverse("meeting_end", args=[meeting.consultation_id, meeting.pk])
        )
        assert response.url == reverse("summary_editor", args=[meeting.consultation_id])
        assert Consultation.objects.get(pk=meeting.consultation_id).stage == Stage.MET

    def test_the_meeting_page_makes_the_same_queries_for_3_or_30_notes(
        self, meeting: Meeting, alice: User
    ) -> None:
        client = logged_in(alice)
        url = reverse("meeting_detail", args=[meeting.consultation_id, meeting.pk])

        def grow(start: int, end: int) -> None:
            for i in range(start, end):
                question = question_add(
                    consultation=meeting.consultation, text=f"问题{i}", actor=alice
                )
                note(meeting, EntryKind.ASK, f"问题{i}", key=f"key-{i:06d}", question=question)

        grow(0, 3)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        grow(3, 30)
        with CaptureQueriesContext(connection) as many:
            response = client.get(url)
        assert response.content.decode().count('class="entry kind-ask"') == 30
        assert len(many) == len(few)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
def test_the_same_note_arriving_twice_at_once_is_saved_once(meeting: Meeting) -> None:
    import threading

    from django.db import connections

    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def save(text: str) -> None:
        try:
            barrier.wait()
            note(meeting, EntryKind.LISTEN, text, key="k-race-0001")
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(f"第{i}次",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert MeetingEntry.objects.filter(meeting=meeting).count() == 1
