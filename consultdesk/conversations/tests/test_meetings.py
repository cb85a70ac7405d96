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
from consultdesk.conversations.services import meeting_end, meeting_entry_save, question_add
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


# ---------------------------------------------------------------- revisions (autosave order)


def _save(meeting: Meeting, text: str, revision: int | None, key: str = "k-rev-0001"):  # type: ignore[no-untyped-def]
    return meeting_entry_save(
        meeting=meeting, key=key, kind=EntryKind.LISTEN, text=text, actor=None, revision=revision
    )


def test_an_older_save_arriving_after_a_newer_one_changes_nothing(meeting: Meeting) -> None:
    assert _save(meeting, "家长端晚上七点最卡", revision=9).applied
    late = _save(meeting, "家长端晚上", revision=4)  # sent earlier, arrived later
    assert not late.applied
    assert (late.entry.text, late.entry.revision) == ("家长端晚上七点最卡", 9)
    assert list(meeting.entries.values_list("text", "revision")) == [("家长端晚上七点最卡", 9)]


def test_a_repeated_save_is_acknowledged_and_writes_one_row(meeting: Meeting) -> None:
    first = _save(meeting, "家长端晚上", revision=3)
    again = _save(meeting, "家长端晚上", revision=3)  # the answer was lost: sent again
    assert first.applied and again.applied
    assert meeting.entries.count() == 1


def test_a_different_text_under_the_same_revision_does_not_overwrite(meeting: Meeting) -> None:
    _save(meeting, "第一个标签页的文字", revision=5)
    other = _save(meeting, "另一个标签页的文字", revision=5)
    assert not other.applied
    assert meeting.entries.get().text == "第一个标签页的文字"


def test_a_save_without_a_revision_is_the_newest(meeting: Meeting) -> None:
    _save(meeting, "旧", revision=7)
    saved = _save(meeting, "表单提交的新文字", revision=None)  # a form without JavaScript
    assert saved.applied and (saved.entry.text, saved.entry.revision) == ("表单提交的新文字", 8)


class TestAutosaveAnswers:
    def _post(self, client, meeting: Meeting, text: str, revision: int):  # type: ignore[no-untyped-def]
        url = reverse("meeting_entry", args=[meeting.consultation_id, meeting.pk])
        payload = {"key": "k-tab-00001", "kind": "listen", "text": text, "revision": revision}
        return client.post(url, payload, headers={"X-Autosave": "1"})

    def test_two_tabs_saving_the_same_note_make_one_row(
        self, meeting: Meeting, alice: User
    ) -> None:
        first_tab, second_tab = logged_in(alice), logged_in(alice)
        answers = [
            self._post(tab, meeting, "晚上家长端很卡", 2).json() for tab in (first_tab, second_tab)
        ]
        assert [(a["saved"], a["applied"], a["revision"]) for a in answers] == [
            (True, True, 2),
            (True, True, 2),
        ]
        assert list(meeting.entries.values_list("text", flat=True)) == ["晚上家长端很卡"]

    def test_a_late_older_save_is_answered_with_the_revision_the_server_keeps(
        self, meeting: Meeting, alice: User
    ) -> None:
        client = logged_in(alice)
        assert self._post(client, meeting, "晚上家长端很卡，安卓更明显", 6).json()["revision"] == 6
        late = self._post(client, meeting, "晚上家长端很卡", 3).json()
        assert (late["saved"], late["applied"], late["revision"]) == (True, False, 6)
        assert meeting.entries.get().text == "晚上家长端很卡，安卓更明显"

    def test_notes_keep_the_order_they_were_typed_in_when_their_saves_arrive_reversed(
        self, meeting: Meeting, alice: User
    ) -> None:
        client = logged_in(alice)
        url = reverse("meeting_entry", args=[meeting.consultation_id, meeting.pk])
        started = int(timezone.now().timestamp() * 1000) - 60_000
        for key, text, opened in [
            ("k-second-01", "后记的一条", started + 5000),
            ("k-first-001", "先记的一条", started),
        ]:
            payload = {"key": key, "kind": "listen", "text": text, "revision": 1, "opened": opened}
            assert client.post(url, payload, headers={"X-Autosave": "1"}).json()["applied"]

        assert list(meeting.entries.values_list("text", flat=True)) == ["先记的一条", "后记的一条"]
        page = client.get(reverse("meeting_detail", args=[meeting.consultation_id, meeting.pk]))
        html = page.content.decode()
        assert html.index("先记的一条") < html.index("后记的一条")

    def test_an_unbelievable_opening_time_is_replaced_by_the_servers(
        self, meeting: Meeting, alice: User
    ) -> None:
        url = reverse("meeting_entry", args=[meeting.consultation_id, meeting.pk])
        payload = {"key": "k-future-01", "kind": "listen", "text": "时钟快了", "opened": 10**13}
        logged_in(alice).post(url, payload, headers={"X-Autosave": "1"})

        entry = meeting.entries.get()
        assert entry.opened_at is not None and entry.opened_at <= timezone.now()


# ---------------------------------------------------------------- after the meeting


def _edits() -> list[Activity]:
    return list(Activity.objects.filter(kind=ActivityKind.MEETING_NOTES_EDITED))


def test_during_the_meeting_changes_are_not_edits(meeting: Meeting) -> None:
    _save(meeting, "家长", revision=1)
    entry = _save(meeting, "家长端很慢", revision=2).entry
    assert entry.edited_at is None and _edits() == []


def test_correcting_notes_after_the_end_is_one_audit_row_per_session_and_moves_no_stage(
    meeting: Meeting, alice: User
) -> None:
    from consultdesk.consultations.models import Event

    _save(meeting, "家长端很慢", revision=1)
    _save(meeting, "第二条", revision=1, key="k-rev-0002")
    meeting_end(meeting=meeting, actor=alice)
    stage_moves = Event.objects.filter(kind="stage_changed").count()
    for revision, text in enumerate(
        ["家长端很慢，", "家长端很慢，尤其安卓", "家长端很慢，尤其是安卓"], 2
    ):
        saved = meeting_entry_save(
            meeting=meeting,
            key="k-rev-0001",
            kind=EntryKind.LISTEN,
            text=text,
            actor=alice,
            revision=revision,
        )
        assert saved.applied and saved.entry.edited_at is not None
    meeting_entry_save(
        meeting=meeting,
        key="k-rev-0002",
        kind=EntryKind.LISTEN,
        text="第二条改过",
        actor=alice,
        revision=2,
    )
    (session,) = _edits()
    assert (session.actor, session.data["meeting"]) == (alice, meeting.pk)
    assert session.data["entries"] == ["k-rev-0001", "k-rev-0002"]
    assert Event.objects.filter(kind="meeting_notes_edited").count() == 1
    # Ending again (a second tab) and editing moved nothing: "met" happened once.
    meeting_end(meeting=meeting, actor=alice)
    assert Event.objects.filter(kind="stage_changed").count() == stage_moves
    assert Activity.objects.filter(kind=ActivityKind.MEETING_ENDED).count() == 1
    assert Consultation.objects.get(pk=meeting.consultation_id).stage == Stage.MET

    # Half an hour later it is a new editing session.
    session.data["last_at"] = (timezone.now() - timedelta(minutes=31)).isoformat()
    session.save(update_fields=["data"])
    meeting_entry_save(
        meeting=meeting,
        key="k-rev-0002",
        kind=EntryKind.LISTEN,
        text="第二条再改",
        actor=alice,
        revision=3,
    )
    assert len(_edits()) == 2


def test_an_answer_typed_after_the_meeting_answers_the_question(
    meeting: Meeting, alice: User
) -> None:
    question = question_add(consultation=meeting.consultation, text="高峰时段是几点？", actor=alice)
    ask = {
        "meeting": meeting,
        "key": "k-ask-0001",
        "kind": EntryKind.ASK,
        "text": question.text,
        "question": question,
        "actor": alice,
    }
    meeting_entry_save(**ask, revision=1)
    meeting_end(meeting=meeting, actor=alice)
    question.refresh_from_db()
    assert question.status == QuestionStatus.ASKED
    meeting_entry_save(**ask, response="晚上7点到9点", revision=2)
    question.refresh_from_db()
    assert (question.status, question.answer) == (QuestionStatus.ANSWERED, "晚上7点到9点")
    meeting_entry_save(**ask, response="", revision=3)  # taken back: asked again
    question.refresh_from_db()
    assert (question.status, question.answer) == (QuestionStatus.ASKED, "")


def test_a_deleted_note_stays_deleted_when_a_late_save_arrives(
    meeting: Meeting, alice: User
) -> None:
    from consultdesk.conversations.drafting import draft_sections
    from consultdesk.conversations.services import meeting_entry_delete

    note(
        meeting,
        EntryKind.CONFIRM,
        "您要的是全部重做，对吗？",
        key="k-del-0001",
        reply=ConfirmReply.YES,
    )
    meeting_end(meeting=meeting, actor=alice)
    meeting_entry_delete(meeting=meeting, key="k-del-0001", actor=alice)
    late = meeting_entry_save(
        meeting=meeting,
        key="k-del-0001",
        kind=EntryKind.CONFIRM,
        text="您要的是全部重做，对吗？",
        reply=ConfirmReply.YES,
        actor=alice,
        revision=99,
    )
    assert not late.applied and late.entry.deleted_at is not None
    assert not MeetingEntry.objects.live().exists()
    assert "全部重做" not in draft_sections(meeting.consultation)["goals"]
    (session,) = _edits()
    assert session.data["deleted"] == ["您要的是全部重做，对吗？"]


def test_deleting_a_note_the_server_has_not_seen_keeps_it_from_arriving_later(
    meeting: Meeting, alice: User
) -> None:
    from consultdesk.conversations.services import meeting_entry_delete

    meeting_entry_delete(meeting=meeting, key="k-del-0002", actor=alice)
    assert not _save(meeting, "还在路上的笔记", revision=1, key="k-del-0002").applied
    assert not MeetingEntry.objects.live().exists()


class TestEditingPages:
    def test_delete_asks_first_then_deletes(self, meeting: Meeting, alice: User) -> None:
        note(meeting, EntryKind.LISTEN, "记错的一条", key="k-del-0003")
        client = logged_in(alice)
        url = reverse(
            "meeting_entry_delete", args=[meeting.consultation_id, meeting.pk, "k-del-0003"]
        )
        page = client.get(url)
        assert page.status_code == 200 and "记错的一条" in page.content.decode()
        assert MeetingEntry.objects.live().count() == 1  # asking deletes nothing
        answer = client.post(url, headers={"X-Autosave": "1"})
        assert answer.json() == {"deleted": True, "key": "k-del-0003"}
        detail = client.get(reverse("meeting_detail", args=[meeting.consultation_id, meeting.pk]))
        assert "记错的一条" not in detail.content.decode()

    def test_the_offline_worker_is_javascript_scoped_to_the_meeting(
        self, meeting: Meeting, alice: User
    ) -> None:
        url = reverse("meeting_offline_worker", args=[meeting.consultation_id, meeting.pk])
        response = logged_in(alice).get(url)
        assert response["Content-Type"].startswith("text/javascript")
        assert "self.registration.scope" in response.content.decode()

    def test_an_ended_meeting_page_makes_the_same_queries_for_3_or_30_edited_notes(
        self, meeting: Meeting, alice: User
    ) -> None:
        from consultdesk.conversations.services import meeting_entry_delete

        client = logged_in(alice)
        url = reverse("meeting_detail", args=[meeting.consultation_id, meeting.pk])
        meeting_end(meeting=meeting, actor=alice)

        def grow(start: int, end: int) -> None:
            for i in range(start, end):
                question = question_add(
                    consultation=meeting.consultation, text=f"问题{i}", actor=alice
                )
                key = f"key-{i:06d}"
                note(
                    meeting,
                    EntryKind.ASK,
                    f"问题{i}",
                    key=key,
                    question=question,
                    response=f"答{i}",
                )
                if i % 3 == 0:
                    meeting_entry_delete(meeting=meeting, key=key, actor=alice)

        grow(0, 3)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        grow(3, 30)
        with CaptureQueriesContext(connection) as many:
            response = client.get(url)
        page = response.content.decode()
        assert page.count('class="entry kind-ask"') == 20
        assert page.count('class="muted small edited"') == 20
        assert "data-ended" in page
        assert len(many) == len(few)
