"""Deadlines on arrival, on reply, after meetings, and after calendar or policy edits."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError

from consultdesk.consultations.choices import Channel, Priority
from consultdesk.consultations.models import Consultation
from consultdesk.sla.models import (
    ANY_PRIORITY,
    Breach,
    BusinessCalendar,
    CalendarDay,
    Clock,
    ClockKind,
    DayKind,
    DaySource,
    ServicePolicy,
    SummaryMode,
)
from consultdesk.sla.services import (
    calendar_coverage_warning,
    calendar_default,
    calendar_seed_holidays,
    calendar_spec_for,
    deadlines_on_inbound,
    deadlines_on_meeting_end,
    deadlines_on_reply,
    deadlines_on_summary_sent,
    deadlines_recompute,
    policy_resolve,
    sla_sweep,
)
from consultdesk.sla.tests.conftest import at

pytestmark = pytest.mark.django_db


def stored(case: Consultation) -> Consultation:
    return Consultation.objects.get(pk=case.pk)


# --- First response -------------------------------------------------------------------


def test_a_22_00_message_before_national_day_is_due_when_work_resumes_after_it(new_case) -> None:
    case = new_case()

    due = deadlines_on_inbound(consultation=case, received_at=at("2026-09-30 22:00"))

    assert due == at("2026-10-08 09:00")
    assert stored(case).first_response_due == at("2026-10-08 09:00")


def test_a_message_in_working_hours_is_due_at_the_end_of_that_day(new_case) -> None:
    case = new_case()

    due = deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 10:15"))

    assert due == at("2026-11-25 18:00")


def test_a_friday_evening_message_is_due_on_monday_morning(new_case) -> None:
    due = deadlines_on_inbound(consultation=new_case(), received_at=at("2026-11-27 19:30"))

    assert due == at("2026-11-30 09:00")


def test_a_message_on_the_make_up_saturday_is_due_that_evening(new_case) -> None:
    due = deadlines_on_inbound(consultation=new_case(), received_at=at("2026-10-10 11:00"))

    assert due == at("2026-10-10 18:00")


def test_the_after_hours_cutoff_moves_the_morning_deadline_earlier(new_case) -> None:
    ServicePolicy.objects.create(name="Early", after_hours_cutoff=time(8, 30))

    due = deadlines_on_inbound(consultation=new_case(), received_at=at("2026-11-25 22:00"))

    assert due == at("2026-11-26 08:30")


def test_a_second_unanswered_message_keeps_the_first_deadline(new_case) -> None:
    case = new_case()
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 10:00"))

    due = deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 20:00"))

    assert due == at("2026-11-25 18:00")
    assert stored(case).first_response_due == at("2026-11-25 18:00")


def test_an_older_message_imported_late_brings_the_deadline_forward(new_case) -> None:
    case = new_case()
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 20:00"))

    due = deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 10:00"))

    assert due == at("2026-11-25 18:00")


def test_our_reply_stops_the_response_clock(new_case) -> None:
    case = new_case()
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 10:00"))

    deadlines_on_reply(consultation=case, replied_at=at("2026-11-25 11:00"))

    assert case.first_response_due is None
    assert stored(case).first_response_due is None
    assert not Clock.objects.filter(consultation=case).exists()


def test_a_client_message_after_our_reply_re_arms_the_response_clock(new_case) -> None:
    case = new_case()
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 10:00"))
    deadlines_on_reply(consultation=case, replied_at=at("2026-11-25 11:00"))

    due = deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 22:00"))

    assert due == at("2026-11-26 09:00")
    assert stored(case).first_response_due == at("2026-11-26 09:00")


def test_a_reply_dated_before_the_message_does_not_stop_the_clock(new_case) -> None:
    case = new_case()
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 10:00"))

    deadlines_on_reply(consultation=case, replied_at=at("2026-11-25 09:00"))

    assert stored(case).first_response_due == at("2026-11-25 18:00")


def test_a_late_reply_resolves_the_breach_with_the_minutes_late(new_case) -> None:
    case = new_case()
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 10:00"))
    sla_sweep(now=at("2026-11-25 18:01"))

    deadlines_on_reply(consultation=case, replied_at=at("2026-11-25 18:45"))

    breach = Breach.objects.get(consultation=case)
    assert breach.resolved_at == at("2026-11-25 18:45")
    assert breach.minutes_late == 45


# --- Policies ---------------------------------------------------------------------------


def policy(channel: str = "", priority: int = ANY_PRIORITY) -> ServicePolicy:
    return ServicePolicy(name=f"{channel or 'any'}/{priority}", channel=channel, priority=priority)


def test_policy_resolution_prefers_channel_and_priority_then_channel_then_priority() -> None:
    policies = [
        policy(),
        policy(priority=Priority.URGENT),
        policy(channel=Channel.EMAIL),
        policy(channel=Channel.EMAIL, priority=Priority.URGENT),
    ]

    def name(channel: str, priority: int) -> str:
        return policy_resolve(policies=policies, channel=channel, priority=priority).name

    assert name(Channel.EMAIL, Priority.URGENT) == "email/4"
    assert name(Channel.EMAIL, Priority.LOW) == "email/0"
    assert name(Channel.WECHAT, Priority.URGENT) == "any/4"
    assert name(Channel.WECHAT, Priority.LOW) == "any/0"


def test_without_any_policy_the_built_in_rules_apply() -> None:
    resolved = policy_resolve(policies=[], channel=Channel.EMAIL, priority=Priority.LOW)

    assert resolved.summary_hours == 24
    assert resolved.summary_mode == SummaryMode.CALENDAR
    assert resolved.warn_minutes == 60
    assert resolved.after_hours_cutoff is None


def test_a_policy_with_zero_summary_hours_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        ServicePolicy(name="Broken", summary_hours=0).full_clean()

    assert "summary_hours" in error.value.message_dict


# --- Summary ------------------------------------------------------------------------------


def test_the_summary_is_due_24_hours_after_the_meeting(new_case) -> None:
    case = new_case()

    due = deadlines_on_meeting_end(consultation=case, ended_at=at("2026-11-27 16:00"))

    assert due == at("2026-11-28 16:00")
    assert stored(case).summary_due == at("2026-11-28 16:00")


def test_in_working_hours_mode_the_summary_skips_the_weekend(new_case) -> None:
    ServicePolicy.objects.create(name="Working", summary_hours=8, summary_mode=SummaryMode.WORKING)

    due = deadlines_on_meeting_end(consultation=new_case(), ended_at=at("2026-11-27 16:00"))

    assert due == at("2026-11-30 15:00")


def test_sending_the_summary_stops_its_clock(new_case) -> None:
    case = new_case()
    deadlines_on_meeting_end(consultation=case, ended_at=at("2026-11-27 16:00"))

    deadlines_on_summary_sent(consultation=case, sent_at=at("2026-11-28 10:00"))

    assert stored(case).summary_due is None


def test_the_summary_clock_pauses_while_waiting_on_the_client_when_the_policy_says_so(
    new_case,
) -> None:
    ServicePolicy.objects.create(name="Pausing", pause_while_waiting=True)
    case = new_case()
    deadlines_on_meeting_end(consultation=case, ended_at=at("2026-11-27 16:00"))

    deadlines_on_reply(consultation=case, replied_at=at("2026-11-27 18:00"))
    paused_due = stored(case).summary_due
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-28 18:00"))

    assert paused_due is None
    assert stored(case).summary_due == at("2026-11-29 16:00")


def test_without_pausing_a_reply_leaves_the_summary_clock_running(new_case) -> None:
    case = new_case()
    deadlines_on_meeting_end(consultation=case, ended_at=at("2026-11-27 16:00"))

    deadlines_on_reply(consultation=case, replied_at=at("2026-11-27 18:00"))

    assert stored(case).summary_due == at("2026-11-28 16:00")


# --- Calendar ----------------------------------------------------------------------------


def test_the_default_calendar_is_seeded_with_the_official_schedule_on_first_use() -> None:
    calendar = calendar_default()

    national_day = CalendarDay.objects.get(calendar=calendar, date=date(2026, 10, 1))
    assert (national_day.kind, national_day.source) == (DayKind.HOLIDAY, DaySource.LIBRARY)
    assert national_day.name == "国庆节"
    makeup = CalendarDay.objects.get(calendar=calendar, date=date(2026, 10, 10))
    assert makeup.kind == DayKind.MAKEUP


def test_seeding_again_adds_nothing() -> None:
    calendar = calendar_default()
    count = CalendarDay.objects.count()

    added = calendar_seed_holidays(calendar=calendar)

    assert added == 0
    assert CalendarDay.objects.count() == count


def test_seeding_restores_a_deleted_library_day() -> None:
    calendar = calendar_default()
    CalendarDay.objects.filter(calendar=calendar, date=date(2026, 10, 7)).delete()

    added = calendar_seed_holidays(calendar=calendar, years=[2026])

    assert added == 1
    assert CalendarDay.objects.get(calendar=calendar, date=date(2026, 10, 7)).name == "国庆节"


def test_a_day_entered_by_hand_is_kept_when_seeding() -> None:
    calendar = calendar_default()
    CalendarDay.objects.filter(calendar=calendar, date=date(2026, 10, 1)).update(
        name="国庆节（公司）", source=DaySource.MANUAL
    )

    calendar_seed_holidays(calendar=calendar)

    day = CalendarDay.objects.get(calendar=calendar, date=date(2026, 10, 1))
    assert (day.name, day.source) == ("国庆节（公司）", DaySource.MANUAL)


def test_the_calendar_for_a_range_costs_one_query(django_assert_num_queries) -> None:
    calendar = calendar_default()

    with django_assert_num_queries(1):
        spec = calendar_spec_for(calendar=calendar, start=date(2026, 9, 1), end=date(2026, 10, 31))

    assert date(2026, 10, 1) in spec.holidays
    assert spec.makeup_working_days == frozenset({date(2026, 9, 20), date(2026, 10, 10)})


def test_deadlines_move_when_a_holiday_is_added_and_recomputed(new_case) -> None:
    case = new_case()
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 22:00"))
    CalendarDay.objects.create(
        calendar=calendar_default(),
        date=date(2026, 11, 26),
        kind=DayKind.HOLIDAY,
        name="公司年会",
    )

    changed = deadlines_recompute()

    assert changed == 1
    assert stored(case).first_response_due == at("2026-11-27 09:00")
    assert Clock.objects.get(consultation=case).due_at == at("2026-11-27 09:00")


def test_recomputing_twice_changes_nothing_the_second_time(new_case) -> None:
    deadlines_on_inbound(consultation=new_case(), received_at=at("2026-11-25 22:00"))
    ServicePolicy.objects.create(name="Early", after_hours_cutoff=time(8, 30))

    assert deadlines_recompute() == 1
    assert deadlines_recompute() == 0


def test_a_calendar_whose_lunch_lies_outside_its_hours_is_refused() -> None:
    calendar = BusinessCalendar(name="Broken", lunch_start=time(19), lunch_end=time(20))

    with pytest.raises(ValidationError, match="lunch break"):
        calendar.full_clean()


def test_a_calendar_without_working_days_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        BusinessCalendar(name="Never", working_weekdays="").full_clean()

    assert "working_weekdays" in error.value.message_dict


def test_a_calendar_in_another_time_zone_counts_its_own_hours(new_case) -> None:
    berlin = BusinessCalendar.objects.create(
        name="Berlin", timezone="Europe/Berlin", follows_official_schedule=False
    )
    ServicePolicy.objects.create(name="Europe", channel=Channel.EMAIL, calendar=berlin)

    due = deadlines_on_inbound(
        consultation=new_case(channel=Channel.EMAIL), received_at=at("2026-11-25 22:00")
    )

    # 22:00 in Shanghai is 15:00 in Berlin: inside the Berlin working day.
    assert due == at("2026-11-26 01:00")


def test_the_coverage_warning_names_2027_when_its_holidays_are_unknown() -> None:
    warning = calendar_coverage_warning(today=date(2026, 11, 25))

    assert warning is not None
    assert "2027-01-01" in warning


def test_the_coverage_warning_goes_once_2027_days_are_entered_by_hand() -> None:
    CalendarDay.objects.create(
        calendar=calendar_default(), date=date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦"
    )

    assert calendar_coverage_warning(today=date(2026, 11, 25)) is None


def test_there_is_no_coverage_warning_in_the_summer() -> None:
    assert calendar_coverage_warning(today=date(2026, 7, 1)) is None


def test_a_first_response_clock_left_running_is_flagged_once_it_is_late(new_case) -> None:
    case = new_case()
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 10:00"))

    sla_sweep(now=at("2026-11-25 18:00") + timedelta(seconds=1))

    assert Clock.objects.get(consultation=case, kind=ClockKind.FIRST_RESPONSE).breached_at


def test_a_lunch_break_does_not_count_as_working_time_for_a_working_hours_summary(
    new_case,
) -> None:
    calendar = calendar_default()
    calendar.lunch_start, calendar.lunch_end = time(12), time(13, 30)
    calendar.save()
    ServicePolicy.objects.create(name="Working", summary_hours=2, summary_mode=SummaryMode.WORKING)

    due = deadlines_on_meeting_end(consultation=new_case(), ended_at=at("2026-11-25 11:00"))

    assert due == at("2026-11-25 14:30")


def test_a_message_over_lunch_is_still_due_the_same_evening(new_case) -> None:
    calendar = calendar_default()
    calendar.lunch_start, calendar.lunch_end = time(12), time(13, 30)
    calendar.save()

    due = deadlines_on_inbound(consultation=new_case(), received_at=at("2026-11-25 12:30"))

    assert due == at("2026-11-25 18:00")


def test_a_paused_working_hours_summary_resumes_with_the_working_time_left(new_case) -> None:
    ServicePolicy.objects.create(
        name="Pausing", summary_hours=8, summary_mode=SummaryMode.WORKING, pause_while_waiting=True
    )
    case = new_case()
    deadlines_on_meeting_end(consultation=case, ended_at=at("2026-11-25 16:00"))  # due 26th 15:00
    deadlines_on_reply(consultation=case, replied_at=at("2026-11-26 10:00"))  # 5 h left

    deadlines_on_inbound(consultation=case, received_at=at("2026-11-27 17:00"))

    # 1 h on Friday, then 4 h from Monday 09:00.
    assert stored(case).summary_due == at("2026-11-30 13:00")


def test_a_deadline_moved_later_can_warn_again(new_case) -> None:
    case = new_case()
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 22:00"))
    sla_sweep(now=at("2026-11-26 08:30"))  # warned: due 09:00
    assert Clock.objects.get(consultation=case).warned_at is not None
    CalendarDay.objects.create(
        calendar=calendar_default(), date=date(2026, 11, 26), kind=DayKind.HOLIDAY
    )

    deadlines_recompute()

    clock = Clock.objects.get(consultation=case)
    assert clock.due_at == at("2026-11-27 09:00")
    assert clock.warned_at is None


def test_editing_a_policy_clears_the_cached_policies_for_the_clocks(
    django_capture_on_commit_callbacks,
) -> None:
    from consultdesk.sla.services import cached_policies, calendar_changed

    assert cached_policies() == []
    ServicePolicy.objects.create(name="New")
    with django_capture_on_commit_callbacks(execute=True):
        calendar_changed()

    assert [policy.name for policy in cached_policies()] == ["New"]


def test_closing_stops_every_clock_and_keeps_the_breaches(new_case) -> None:
    from consultdesk.sla.services import deadlines_on_close

    case = new_case()
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 10:00"))
    deadlines_on_meeting_end(consultation=case, ended_at=at("2026-11-25 11:00"))
    sla_sweep(now=at("2026-11-25 18:05"))

    deadlines_on_close(consultation=case)

    refreshed = stored(case)
    assert (refreshed.first_response_due, refreshed.summary_due) == (None, None)
    assert not Clock.objects.filter(consultation=case).exists()
    assert Breach.objects.filter(consultation=case).count() == 1


def test_backfill_arms_the_clock_from_the_oldest_message_since_our_last_reply(
    new_case,
) -> None:
    from consultdesk.consultations.choices import Direction
    from consultdesk.consultations.services import message_add
    from consultdesk.sla.services import deadlines_backfill

    case = new_case(received_at=at("2026-11-24 09:00"))
    for direction, moment in [
        (Direction.INBOUND, "2026-11-24 10:00"),
        (Direction.OUTBOUND, "2026-11-24 11:00"),
        (Direction.INBOUND, "2026-11-24 22:00"),
        (Direction.INBOUND, "2026-11-25 08:00"),
    ]:
        message_add(
            consultation=case,
            direction=direction,
            channel=Channel.EMAIL,
            body="…",
            occurred_at=at(moment),
            actor=None,
        )
    Clock.objects.all().delete()
    Consultation.objects.update(first_response_due=None)

    armed = deadlines_backfill()
    again = deadlines_backfill()

    assert (armed, again) == (1, 0)
    assert stored(case).first_response_due == at("2026-11-25 09:00")
