from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from consultdesk.accounts.models import User
from consultdesk.conftest import logged_in
from consultdesk.consultations.models import Consultation
from consultdesk.conversations.drafting import versions_diff
from consultdesk.conversations.models import (
    ConfirmReply,
    EntryKind,
    Meeting,
    QuestionStatus,
    SummaryVersion,
)
from consultdesk.conversations.services import (
    SummaryConflict,
    question_add,
    question_update,
    summary_draft,
    summary_save,
)
from consultdesk.conversations.tests.conftest import note

pytestmark = pytest.mark.django_db

SECTIONS = {
    "goals": "家长端App加载超时率降到5%以下",
    "concerns": "- 预算不超过30万",
    "to_confirm": "",
}


def test_the_draft_uses_the_record_confirmed_notes_and_answered_questions(
    meeting: Meeting, alice: User
) -> None:
    consultation = meeting.consultation
    note(meeting, EntryKind.LISTEN, "家长抱怨晚上打不开", key="k-listen-1")
    note(
        meeting,
        EntryKind.CONFIRM,
        "核心需求是晚高峰家长端加载不超时，对吗？",
        key="k-confirm-1",
        reply=ConfirmReply.YES,
    )
    note(
        meeting, EntryKind.CONFIRM, "要做成小程序，对吗？", key="k-confirm-2", reply=ConfirmReply.NO
    )
    answered = question_add(consultation=consultation, text="高峰时段是几点？", actor=alice)
    question_update(
        question=answered, status=QuestionStatus.ANSWERED, answer="晚上7-9点", actor=alice
    )
    question_add(consultation=consultation, text="现有服务器能否扩容？", actor=alice)
    asked = question_add(consultation=consultation, text="数据能否迁到云上？", actor=alice)
    note(meeting, EntryKind.ASK, asked.text, key="k-ask-1", question=asked)  # no answer yet

    version = summary_draft(consultation=consultation, actor=alice)

    assert version.number == 1
    assert version.goals.splitlines() == [
        "- 家长端App加载慢，导致课程退订率上升",
        "- 晚高峰家长端加载不超时",
        "- 高峰时段是几点？——晚上7-9点",
    ]
    assert version.concerns.splitlines() == [
        "- 预算不超过30万",  # the client's words; the record's 300,000 CNY is the same budget
        "- 2个月内投入使用",
        "- 与现有系统兼容：现有教学平台（Java）",
    ]
    assert version.to_confirm.splitlines() == [
        "- 尚未达成一致：要做成小程序",
        "- 核心目标尚无可衡量的指标：“家长端App加载慢，导致课程退订率上升”要达到什么数值？"
        "用什么来衡量？",
        "- 数据能否迁到云上？",
        "- 现有服务器能否扩容？",
    ]
    assert "家长抱怨" not in version.goals  # listening notes are not conclusions


def test_saving_unchanged_text_makes_no_new_version(
    prepared_case: Consultation, alice: User
) -> None:
    first = summary_save(consultation=prepared_case, sections=SECTIONS, based_on=None, actor=alice)
    same = summary_save(consultation=prepared_case, sections=SECTIONS, based_on=1, actor=alice)
    changed = summary_save(
        consultation=prepared_case,
        sections={**SECTIONS, "to_confirm": "- 现有服务器能否扩容？"},
        based_on=1,
        actor=alice,
    )
    assert (first.number, same.pk, changed.number) == (1, first.pk, 2)


def test_a_save_based_on_an_old_version_is_refused_and_nothing_saved(
    prepared_case: Consultation, alice: User, bob: User
) -> None:
    summary_save(consultation=prepared_case, sections=SECTIONS, based_on=None, actor=alice)
    summary_save(
        consultation=prepared_case, sections={**SECTIONS, "goals": "Bob"}, based_on=1, actor=bob
    )
    with pytest.raises(SummaryConflict) as conflict:
        summary_save(
            consultation=prepared_case,
            sections={**SECTIONS, "goals": "Alice"},
            based_on=1,
            actor=alice,
        )
    assert conflict.value.latest.number == 2
    assert SummaryVersion.objects.count() == 2


def test_the_diff_shows_removed_and_added_lines_per_section(
    prepared_case: Consultation, alice: User
) -> None:
    old = summary_save(consultation=prepared_case, sections=SECTIONS, based_on=None, actor=alice)
    new = summary_save(
        consultation=prepared_case,
        sections={**SECTIONS, "concerns": "- 预算不超过35万\n- <b>两个月</b>内上线"},
        based_on=1,
        actor=alice,
    )
    sections = {section.name: section for section in versions_diff(old=old, new=new)}
    assert not sections["goals"].changed
    assert [(line.op, line.text) for line in sections["concerns"].lines] == [
        ("removed", "- 预算不超过30万"),
        ("added", "- 预算不超过35万"),
        ("added", "- <b>两个月</b>内上线"),
    ]


class TestSummaryPages:
    def test_alice_drafts_edits_and_compares_versions(self, meeting: Meeting, alice: User) -> None:
        pk = meeting.consultation_id
        client = logged_in(alice)
        client.post(reverse("summary_draft", args=[pk]))
        response = client.post(
            reverse("summary_editor", args=[pk]),
            {**SECTIONS, "concerns": "<script>alert(1)</script>", "based_on": "1"},
        )
        assert response.status_code == 302
        diff = client.get(reverse("summary_diff", args=[pk]), {"a": 1, "b": 2})
        body = diff.content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
        assert "<script>alert(1)" not in body

    def test_a_stale_editor_gets_409_and_keeps_its_text(
        self, prepared_case: Consultation, alice: User, bob: User
    ) -> None:
        summary_save(consultation=prepared_case, sections=SECTIONS, based_on=None, actor=alice)
        summary_save(
            consultation=prepared_case, sections={**SECTIONS, "goals": "Bob"}, based_on=1, actor=bob
        )
        response = logged_in(alice).post(
            reverse("summary_editor", args=[prepared_case.pk]),
            {**SECTIONS, "goals": "Alice 的版本", "based_on": "1"},
        )
        assert response.status_code == 409
        assert "Alice 的版本" in response.content.decode()
        assert SummaryVersion.objects.count() == 2

    def test_a_version_page_prints_with_both_marked_sections(
        self, prepared_case: Consultation, alice: User
    ) -> None:
        summary_save(consultation=prepared_case, sections=SECTIONS, based_on=None, actor=alice)
        page = logged_in(alice).get(reverse("summary_version", args=[prepared_case.pk, 1]))
        body = page.content.decode()
        assert body.count('class="summary-section marked"') == 2
        assert "What the client specially cares about" in body
        assert "Details still to be confirmed" in body


def test_versions_record_who_and_when(prepared_case: Consultation, alice: User) -> None:
    version = summary_save(
        consultation=prepared_case, sections=SECTIONS, based_on=None, actor=alice
    )
    assert version.created_by == alice
    assert version.created_at <= timezone.now()


@pytest.mark.parametrize(
    ("asked", "stated"),
    [
        ("您的核心需求是晚高峰不超时，对吗？", "晚高峰不超时"),
        ("预算上限是30万，是吗?", "预算上限是30万"),
        ("Your core need is fewer drop-outs — right?", "Fewer drop-outs"),
        ("家长端要支持离线", "家长端要支持离线"),
    ],
)
def test_a_confirmed_restatement_reads_as_a_statement(asked: str, stated: str) -> None:
    from consultdesk.conversations.drafting import as_statement

    assert as_statement(asked) == stated
