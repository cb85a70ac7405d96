from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from consultdesk.accounts.models import User
from consultdesk.conftest import logged_in
from consultdesk.consultations.models import Consultation
from consultdesk.conversations.models import (
    CategoryQuestion,
    Question,
    QuestionSource,
    QuestionStatus,
)
from consultdesk.conversations.services import (
    MISSING_FIELD_QUESTIONS,
    checklist_generate,
    question_add,
    question_move,
    question_remove,
    question_update,
)
from consultdesk.conversations.tests.conftest import in_chinese
from consultdesk.insights.models import Finding, FindingStatus

pytestmark = pytest.mark.django_db


def _texts(consultation: Consultation) -> list[str]:
    return [
        question.text for question in Question.objects.filter(consultation=consultation).listed()
    ]


def test_it_generates_questions_from_findings_category_and_missing_fields(
    analysed_case: Consultation, alice: User
) -> None:
    analysed_case.category = "architecture_refactoring"
    analysed_case.save()
    questions = checklist_generate(consultation=analysed_case, actor=alice)
    sources = {question.source for question in questions}
    assert sources == {
        QuestionSource.FINDING,
        QuestionSource.CATEGORY,
        QuestionSource.MISSING_FIELD,
    }
    finding_questions = [q for q in questions if q.source == QuestionSource.FINDING]
    assert all(q.finding is not None for q in finding_questions)
    category_texts = [q.text for q in questions if q.source == QuestionSource.CATEGORY]
    assert category_texts == [  # the client writes Chinese
        t.text_zh for t in CategoryQuestion.objects.filter(category="architecture_refactoring")
    ]
    assert in_chinese(MISSING_FIELD_QUESTIONS["budget_max"]) in _texts(analysed_case)


def test_regenerating_the_checklist_adds_nothing_twice(
    alices_case: Consultation, alice: User
) -> None:
    first = checklist_generate(consultation=alices_case, actor=alice)
    second = checklist_generate(consultation=alices_case, actor=alice)
    assert [q.pk for q in second] == [q.pk for q in first]
    assert Question.objects.filter(consultation=alices_case).count() == len(first)


def test_a_removed_generated_question_does_not_come_back(
    alices_case: Consultation, alice: User
) -> None:
    questions = checklist_generate(consultation=alices_case, actor=alice)
    question_remove(question=questions[0], actor=alice)
    again = checklist_generate(consultation=alices_case, actor=alice)
    assert questions[0].pk not in [q.pk for q in again]
    assert len(again) == len(questions) - 1


def test_an_unclassified_consultation_gets_the_what_problem_questions(
    alices_case: Consultation, alice: User
) -> None:
    checklist_generate(consultation=alices_case, actor=alice)
    texts = _texts(alices_case)
    assert "现在遇到的最大问题是什么？能举一个最近发生的具体例子吗？" in texts


def test_an_english_speaking_client_gets_english_questions_whatever_the_ui_language(
    alice: User,
) -> None:
    from consultdesk.consultations.choices import Channel
    from consultdesk.consultations.services import consultation_create

    case = consultation_create(
        title="Slow checkout",
        channel=Channel.EMAIL,
        owner=alice,
        first_message="Our checkout is slow, we probably need a rewrite.",
        actor=alice,
    )
    with translation.override("zh-hans"):
        checklist_generate(consultation=case, actor=alice)
    texts = _texts(case)
    assert "What is the biggest problem today? Could you give a recent concrete example?" in texts
    assert "What budget range has been set aside?" in texts


def test_questions_can_be_added_moved_answered_and_removed(
    alices_case: Consultation, alice: User
) -> None:
    first = question_add(consultation=alices_case, text="高峰时段是几点？", actor=alice)
    second = question_add(consultation=alices_case, text="家长端用户有多少？", actor=alice)
    question_move(question=second, offset=-1, actor=alice)
    assert _texts(alices_case) == ["家长端用户有多少？", "高峰时段是几点？"]
    question_update(question=first, status=QuestionStatus.ANSWERED, answer="晚上7-9点", actor=alice)
    first.refresh_from_db()
    assert (first.status, first.answer) == (QuestionStatus.ANSWERED, "晚上7-9点")
    question_remove(question=second, actor=alice)
    assert not Question.objects.filter(pk=second.pk).exists()  # a manual one is deleted


def test_answering_a_finding_question_resolves_the_finding(
    analysed_case: Consultation, alice: User
) -> None:
    questions = checklist_generate(consultation=analysed_case, actor=alice)
    from_finding = next(q for q in questions if q.source == QuestionSource.FINDING)
    question_update(question=from_finding, status=QuestionStatus.ANSWERED, answer="是", actor=alice)
    assert Finding.objects.get(pk=from_finding.finding_id).status == FindingStatus.RESOLVED


def test_an_empty_manual_question_is_refused_and_nothing_saved(
    alices_case: Consultation, alice: User
) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        question_add(consultation=alices_case, text="   ", actor=alice)
    assert not Question.objects.filter(consultation=alices_case).exists()


class TestChecklistPages:
    def test_alice_generates_and_prints_her_checklist(
        self, alices_case: Consultation, alice: User
    ) -> None:
        client = logged_in(alice)
        response = client.post(reverse("checklist_generate", args=[alices_case.pk]))
        assert response.status_code == 302
        page = client.get(reverse("checklist", args=[alices_case.pk]))
        assert in_chinese(MISSING_FIELD_QUESTIONS["budget_max"]) in page.content.decode()
        printed = client.get(reverse("checklist_print", args=[alices_case.pk]))
        assert printed.status_code == 200
        assert "@media print" not in printed.content.decode()  # the stylesheet is linked
        assert "conversations.css" in printed.content.decode()

    def test_bob_can_add_and_tick_off_on_a_shared_case(
        self, alices_case: Consultation, alice: User, bob: User
    ) -> None:
        alices_case.shared_with.add(bob)
        client = logged_in(bob)
        client.post(reverse("question_add", args=[alices_case.pk]), {"text": "并发量多少？"})
        question = Question.objects.get(consultation=alices_case)
        client.post(
            reverse("question_update", args=[alices_case.pk, question.pk]),
            {"status": "not_applicable", "answer": ""},
        )
        question.refresh_from_db()
        assert question.status == QuestionStatus.NOT_APPLICABLE

    def test_the_checklist_page_makes_the_same_queries_for_5_or_50_questions(
        self, alices_case: Consultation, alice: User
    ) -> None:
        client = logged_in(alice)
        url = reverse("checklist", args=[alices_case.pk])
        Question.objects.bulk_create(
            Question(consultation=alices_case, text=f"q{i}", source="manual", order=i)
            for i in range(5)
        )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            client.get(url)
        Question.objects.bulk_create(
            Question(consultation=alices_case, text=f"q{i}", source="manual", order=i)
            for i in range(5, 50)
        )
        with CaptureQueriesContext(connection) as many:
            response = client.get(url)
        assert response.content.decode().count('class="question ') == 50
        assert len(many) == len(few)
