import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consultdesk.accounts.models import User
from consultdesk.clients.models import Contact
from consultdesk.consultations.choices import Channel, Direction, EventKind, Outcome, Stage
from consultdesk.consultations.models import Consultation, Event
from consultdesk.consultations.services import (
    RecordConflict,
    TransitionRefused,
    consultation_assign,
    consultation_create,
    consultation_transition,
    consultation_update_record,
    message_add,
    reference_next,
)

COMPLETE_RECORD = {
    "industry": "education",
    "organisation_size": "medium",
    "technical_level": "basic",
    "core_goal": "家长端加载超时率降到 5% 以下",
    "budget_max": 300_000,
    "timeline_days": 60,
    "existing_systems": "家长端 App",
}


def complete(consultation: Consultation, actor: User) -> Consultation:
    return consultation_update_record(
        consultation=consultation,
        changes=COMPLETE_RECORD,
        expected_version=consultation.version,
        actor=actor,
    )


def test_references_count_up_per_year(db: None) -> None:
    assert reference_next(year=2026) == "CD-2026-000001"
    assert reference_next(year=2026) == "CD-2026-000002"
    assert reference_next(year=2027) == "CD-2027-000001"


def test_a_new_consultation_waits_for_a_reply_and_shows_its_first_words(
    alices_case: Consultation,
) -> None:
    alices_case.refresh_from_db()
    assert alices_case.awaiting_reply is True
    assert alices_case.latest_snippet == "我们想优化一下在线教学系统，大概想要体验更好一点。"
    assert alices_case.industry == "education"  # copied from the client
    assert list(alices_case.events.values_list("kind", flat=True)) == [
        EventKind.CREATED,
        EventKind.MESSAGE_ADDED,
    ]


def test_replying_clears_awaiting_and_a_note_does_not(
    alices_case: Consultation, alice: User
) -> None:
    message_add(
        consultation=alices_case,
        direction=Direction.NOTE,
        channel=Channel.MANUAL,
        body="内部备注",
        actor=alice,
    )
    alices_case.refresh_from_db()
    assert alices_case.awaiting_reply is True
    message_add(
        consultation=alices_case,
        direction=Direction.OUTBOUND,
        channel=Channel.EMAIL,
        body="陈校长您好",
        actor=alice,
    )
    alices_case.refresh_from_db()
    assert alices_case.awaiting_reply is False
    assert alices_case.latest_snippet == "陈校长您好"


def test_an_older_imported_message_does_not_move_the_inbox_state(
    alices_case: Consultation, alice: User
) -> None:
    before = Consultation.objects.get(pk=alices_case.pk)
    message_add(
        consultation=alices_case,
        direction=Direction.OUTBOUND,
        channel=Channel.EMAIL,
        body="old reply",
        occurred_at=before.last_activity_at - datetime.timedelta(days=3),
        actor=alice,
    )
    after = Consultation.objects.get(pk=alices_case.pk)
    assert (after.awaiting_reply, after.latest_snippet) == (True, before.latest_snippet)


def test_a_record_update_bumps_the_version_and_audits_before_and_after(
    alices_case: Consultation, alice: User
) -> None:
    updated = consultation_update_record(
        consultation=alices_case,
        changes={"budget_max": 300_000},
        expected_version=1,
        actor=alice,
    )
    assert updated.version == 2
    event = Event.objects.filter(kind=EventKind.RECORD_CHANGED).get()
    assert event.data == {"changes": {"budget_max": {"before": None, "after": 300000}}}
    assert event.actor == alice


def test_it_refuses_a_stale_version_and_shows_the_other_change(
    alices_case: Consultation, alice: User, bob: User
) -> None:
    consultation_update_record(
        consultation=alices_case, changes={"budget_max": 300_000}, expected_version=1, actor=bob
    )
    with pytest.raises(RecordConflict) as conflict:
        consultation_update_record(
            consultation=alices_case,
            changes={"budget_max": 500_000},
            expected_version=1,
            actor=alice,
        )
    assert conflict.value.theirs == {"budget_max": 300_000}
    assert Consultation.objects.get(pk=alices_case.pk).budget_max == 300_000


def test_it_refuses_a_budget_whose_minimum_exceeds_its_maximum(
    alices_case: Consultation, alice: User
) -> None:
    with pytest.raises(ValidationError) as error:
        consultation_update_record(
            consultation=alices_case,
            changes={"budget_min": 500_000, "budget_max": 300_000},
            expected_version=1,
            actor=alice,
        )
    assert list(error.value.message_dict) == ["budget_max"]
    stored = Consultation.objects.get(pk=alices_case.pk)
    assert (stored.budget_min, stored.budget_max, stored.version) == (None, None, 1)


def test_it_refuses_an_unknown_category_or_an_overlong_goal(
    alices_case: Consultation, alice: User
) -> None:
    with pytest.raises(ValidationError) as error:
        consultation_update_record(
            consultation=alices_case,
            changes={"category": "astrology", "core_goal": "x" * 4001},
            expected_version=1,
            actor=alice,
        )
    assert sorted(error.value.message_dict) == ["category", "core_goal"]
    assert Event.objects.filter(kind=EventKind.RECORD_CHANGED).count() == 0


def test_it_refuses_recording_an_incomplete_record_and_changes_nothing(
    alices_case: Consultation, alice: User
) -> None:
    with pytest.raises(TransitionRefused) as refusal:
        consultation_transition(consultation=alices_case, to=Stage.RECORDED, actor=alice)
    assert [item.field for item in refusal.value.missing] == [
        "organisation_size",
        "technical_level",
        "core_goal",
        "existing_systems",
        "budget_max",
        "timeline_days",
    ]
    stored = Consultation.objects.get(pk=alices_case.pk)
    assert (stored.stage, stored.version) == (Stage.RECEIVED, 1)
    assert not Event.objects.filter(kind=EventKind.STAGE_CHANGED).exists()


def test_a_complete_record_moves_through_the_gates_and_each_move_is_audited(
    alices_case: Consultation, alice: User
) -> None:
    consultation = complete(alices_case, alice)
    consultation = consultation_transition(
        consultation=consultation, to=Stage.RECORDED, actor=alice
    )
    with pytest.raises(TransitionRefused):
        consultation_transition(consultation=consultation, to=Stage.CLASSIFIED, actor=alice)
    consultation = consultation_update_record(
        consultation=consultation,
        changes={"category": "feature_optimisation"},
        expected_version=consultation.version,
        actor=alice,
    )
    consultation = consultation_transition(
        consultation=consultation, to=Stage.CLASSIFIED, actor=alice
    )
    assert consultation.stage == Stage.CLASSIFIED
    moves = Event.objects.filter(kind=EventKind.STAGE_CHANGED).order_by("id")
    assert [(e.data["before"], e.data["after"], e.data["move"]) for e in moves] == [
        ("received", "recorded", "forward"),
        ("recorded", "classified", "forward"),
    ]


def test_the_primary_contact_must_exist_for_recorded(alice: User, acme: object) -> None:
    consultation = consultation_create(
        title="No contact",
        channel=Channel.PHONE,
        client=acme,
        actor=alice,  # type: ignore[arg-type]
    )
    consultation = complete(consultation, alice)
    with pytest.raises(TransitionRefused) as refusal:
        consultation_transition(consultation=consultation, to=Stage.RECORDED, actor=alice)
    assert [item.field for item in refusal.value.missing] == ["primary_contact"]


def test_closing_records_the_outcome_and_reopening_clears_it(
    alices_case: Consultation, alice: User
) -> None:
    closed = consultation_transition(
        consultation=alices_case,
        to=Stage.CLOSED,
        outcome=Outcome.DECLINED,
        reason="预算不足",
        actor=alice,
    )
    assert (closed.stage, closed.outcome, closed.outcome_reason) == (
        Stage.CLOSED,
        Outcome.DECLINED,
        "预算不足",
    )
    reopened = consultation_transition(
        consultation=closed, to=Stage.RECEIVED, reason="客户追加了预算", actor=alice
    )
    assert (reopened.stage, reopened.outcome, reopened.outcome_reason) == (Stage.RECEIVED, "", "")
    last = Event.objects.filter(kind=EventKind.STAGE_CHANGED).latest("id")
    assert last.data["move"] == "reopen"
    assert last.data["reason"] == "客户追加了预算"


def test_assigning_records_who_had_it_before(
    alices_case: Consultation, alice: User, bob: User
) -> None:
    consultation_assign(consultation=alices_case, owner=bob, actor=alice)
    alices_case.refresh_from_db()
    assert alices_case.owner == bob
    event = Event.objects.get(kind=EventKind.ASSIGNED)
    assert event.data == {
        "before": {"id": alice.pk, "label": "alice"},
        "after": {"id": bob.pk, "label": "bob"},
    }


def test_visibility_follows_ownership_sharing_and_role(
    alices_case: Consultation, alice: User, bob: User, charlie: User, maria: User
) -> None:
    unassigned = consultation_create(title="Unassigned", channel=Channel.EMAIL, actor=None)
    assert set(Consultation.objects.visible_to(alice)) == {alices_case, unassigned}
    assert set(Consultation.objects.visible_to(charlie)) == {unassigned}
    assert set(Consultation.objects.visible_to(maria)) == {alices_case, unassigned}
    alices_case.shared_with.add(bob)
    assert set(Consultation.objects.visible_to(bob)) == {alices_case, unassigned}


def test_an_inactive_user_sees_nothing(alices_case: Consultation, alice: User) -> None:
    alice.is_active = False
    assert not Consultation.objects.visible_to(alice).exists()


def test_timestamps_are_aware(alices_case: Consultation) -> None:
    assert timezone.is_aware(alices_case.received_at)


def test_contact_choice_is_limited_to_known_contacts(principal: Contact) -> None:
    assert principal.consultations.count() == 0


def test_merging_moves_the_timeline_and_fills_only_empty_record_fields(
    alices_case: Consultation, alice: User, maria: User, principal: Contact
) -> None:
    from consultdesk.consultations.services import consultation_merge

    duplicate = consultation_create(
        title="dup",
        channel=Channel.EMAIL,
        contact=principal,
        first_message="第二封邮件",
        actor=None,
    )
    consultation_update_record(
        consultation=duplicate,
        changes={
            "core_goal": "家长端加载超时率降到 5% 以下",
            "industry": "finance",
            "stressed": ["预算"],
        },
        expected_version=duplicate.version,
        actor=maria,
    )
    target = consultation_merge(source=duplicate, target=alices_case, actor=maria)
    assert target.messages.count() == 2
    assert target.core_goal == "家长端加载超时率降到 5% 以下"
    assert target.industry == "education"  # the target's own value wins
    assert target.stressed == ["预算"]
    duplicate.refresh_from_db()
    assert (duplicate.stage, duplicate.outcome, duplicate.merged_into) == (
        Stage.CLOSED,
        Outcome.MERGED,
        target,
    )
    assert Event.objects.filter(kind=EventKind.MERGED).count() == 2


def test_merging_into_itself_is_refused(alices_case: Consultation, maria: User) -> None:
    from consultdesk.consultations.services import consultation_merge

    with pytest.raises(ValidationError):
        consultation_merge(source=alices_case, target=alices_case, actor=maria)
    assert Consultation.objects.get(pk=alices_case.pk).stage == Stage.RECEIVED


def test_splitting_gives_a_message_its_own_consultation(
    alices_case: Consultation, alice: User, principal: Contact
) -> None:
    from consultdesk.consultations.services import message_split

    other = message_add(
        consultation=alices_case,
        direction=Direction.INBOUND,
        channel=Channel.EMAIL,
        body="另外，我们财务系统也想升级",
        contact=principal,
        actor=None,
    )
    split_off = message_split(message=other, actor=alice)
    assert list(split_off.messages.values_list("body", flat=True)) == ["另外，我们财务系统也想升级"]
    assert alices_case.messages.count() == 1
    assert (split_off.client, split_off.owner, split_off.awaiting_reply) == (
        alices_case.client,
        alice,
        True,
    )
    with pytest.raises(ValidationError):
        message_split(message=alices_case.messages.get(), actor=alice)
