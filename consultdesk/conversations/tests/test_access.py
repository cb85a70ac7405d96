"""Charlie sees nothing of Alice's consultation: every staff page answers 404."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from consultdesk.accounts.models import User
from consultdesk.conftest import logged_in
from consultdesk.consultations.models import Consultation
from consultdesk.conversations.models import MeetingEntry, Question, SummaryVersion
from consultdesk.conversations.services import meeting_create, question_add, summary_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything(alices_case: Consultation, alice: User) -> dict[str, int]:
    question = question_add(consultation=alices_case, text="高峰时段？", actor=alice)
    meeting = meeting_create(consultation=alices_case, starts_at=timezone.now(), actor=alice)
    summary_save(
        consultation=alices_case,
        sections={"goals": "g", "concerns": "c", "to_confirm": "t"},
        based_on=None,
        actor=alice,
    )
    return {"pk": alices_case.pk, "question": question.pk, "meeting": meeting.pk}


def _pages(ids: dict[str, int]) -> list[tuple[str, str]]:
    pk, question, meeting = ids["pk"], ids["question"], ids["meeting"]
    return [
        ("get", reverse("checklist", args=[pk])),
        ("get", reverse("checklist_print", args=[pk])),
        ("post", reverse("checklist_generate", args=[pk])),
        ("post", reverse("question_add", args=[pk])),
        ("post", reverse("question_update", args=[pk, question])),
        ("post", reverse("question_move", args=[pk, question])),
        ("post", reverse("question_remove", args=[pk, question])),
        ("get", reverse("meeting_new", args=[pk])),
        ("post", reverse("meeting_new", args=[pk])),
        ("get", reverse("meeting_detail", args=[pk, meeting])),
        ("post", reverse("meeting_entry", args=[pk, meeting])),
        ("get", reverse("meeting_offline_worker", args=[pk, meeting])),
        ("get", reverse("meeting_entry_delete", args=[pk, meeting, "alice-key-1"])),
        ("post", reverse("meeting_entry_delete", args=[pk, meeting, "alice-key-1"])),
        ("post", reverse("meeting_end", args=[pk, meeting])),
        ("get", reverse("summary_editor", args=[pk])),
        ("post", reverse("summary_editor", args=[pk])),
        ("post", reverse("summary_draft", args=[pk])),
        ("get", reverse("summary_diff", args=[pk]) + "?a=1&b=1"),
        ("get", reverse("summary_version", args=[pk, 1])),
        ("post", reverse("summary_send", args=[pk, 1])),
        ("get", reverse("summary_export", args=[pk, 1, "docx"])),
        ("get", reverse("summary_export", args=[pk, 1, "md"])),
    ]


def test_charlie_gets_404_on_every_page_and_changes_nothing(
    everything: dict[str, int], charlie: User
) -> None:
    client = logged_in(charlie)
    payload = {
        "text": "x",
        "status": "answered",
        "offset": "1",
        "key": "charlie-key-1",
        "kind": "listen",
        "starts_at": "2026-11-25T10:00",
        "goals": "x",
    }
    for method, url in _pages(everything):
        response = client.get(url) if method == "get" else client.post(url, payload)
        assert response.status_code == 404, url
    question = Question.objects.get(pk=everything["question"])
    assert (question.status, question.removed, Question.objects.count()) == ("open", False, 1)
    assert not MeetingEntry.objects.exists()
    assert SummaryVersion.objects.get().sent_at is None
    assert Consultation.objects.get(pk=everything["pk"]).stage == "received"


def test_bob_on_the_team_is_also_kept_out_until_the_case_is_shared(
    everything: dict[str, int], bob: User
) -> None:
    client = logged_in(bob)
    assert client.get(reverse("checklist", args=[everything["pk"]])).status_code == 404
    Consultation.objects.get(pk=everything["pk"]).shared_with.add(bob)
    assert client.get(reverse("checklist", args=[everything["pk"]])).status_code == 200


def test_a_meeting_of_another_consultation_is_404_under_alices(
    everything: dict[str, int], alice: User
) -> None:
    from consultdesk.consultations.choices import Channel
    from consultdesk.consultations.services import consultation_create

    other = consultation_create(title="其他", channel=Channel.PHONE, owner=alice, actor=alice)
    url = reverse("meeting_detail", args=[other.pk, everything["meeting"]])
    assert logged_in(alice).get(url).status_code == 404


def test_every_staff_page_needs_a_login(everything: dict[str, int], client) -> None:
    for method, url in _pages(everything):
        response = client.get(url) if method == "get" else client.post(url)
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert "/login/" in response.url
