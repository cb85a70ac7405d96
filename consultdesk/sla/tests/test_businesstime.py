"""Behaviour of the pure business-time maths behind service levels (DESIGN.md §3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultdesk.sla.businesstime import (
    MAX_DAYS_WITHOUT_WORK,
    CalendarSpec,
    DeadlineClock,
    NoWorkingTimeError,
    TimeSpan,
    WorkingInterval,
    add_working_time,
    first_response_due,
    is_working_day,
    is_working_time,
    needed_range,
    next_working_moment,
    next_working_start,
    summary_due,
    uniform_week,
    working_intervals,
    working_time_between,
)
from consultdesk.sla.holidays_cn import official_schedule

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
LUNCH = TimeSpan(time(12), time(13, 30))

SCHEDULE_2026 = official_schedule(start=date(2026, 1, 1), end=date(2026, 12, 31))
# Mon-Fri 09:00-18:00 with no lunch and no holidays: the simplest arithmetic.
PLAIN = CalendarSpec()
# The team's real calendar: official 2026 holidays and 调休, lunch 12:00-13:30.
OFFICIAL = CalendarSpec(
    lunch_break=LUNCH,
    holidays=SCHEDULE_2026.holiday_dates,
    makeup_working_days=SCHEDULE_2026.makeup_working_dates,
)
OFFICIAL_NO_LUNCH = CalendarSpec(
    holidays=SCHEDULE_2026.holiday_dates,
    makeup_working_days=SCHEDULE_2026.makeup_working_dates,
)
BERLIN_OFFICE = CalendarSpec(timezone_name="Europe/Berlin")


def shanghai(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def berlin(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=BERLIN)


def assert_same_instant_and_zone(actual: datetime, expected: datetime) -> None:
    assert actual == expected
    assert actual.utcoffset() == expected.utcoffset()
    assert actual.tzinfo == expected.tzinfo


# --- CalendarSpec ---------------------------------------------------------------------


def test_it_defaults_to_shanghai_monday_to_friday_nine_to_six() -> None:
    assert PLAIN.timezone_name == "Asia/Shanghai"
    assert PLAIN.weekly_hours == (TimeSpan(time(9), time(18)),) * 5 + (None, None)
    assert PLAIN.lunch_break is None


def test_it_rejects_hours_that_end_before_they_start() -> None:
    with pytest.raises(ValueError, match="end 09:00 must be after start 18:00"):
        TimeSpan(time(18), time(9))


def test_it_rejects_an_empty_span() -> None:
    with pytest.raises(ValueError, match="must be after start"):
        TimeSpan(time(9), time(9))


def test_it_rejects_a_lunch_break_outside_the_working_hours() -> None:
    with pytest.raises(ValueError, match="lunch break 17:30-19:00 must lie inside"):
        CalendarSpec(lunch_break=TimeSpan(time(17, 30), time(19)))


def test_it_rejects_a_lunch_break_touching_the_start_of_the_day() -> None:
    with pytest.raises(ValueError, match="lunch break 09:00-10:00 must lie inside"):
        CalendarSpec(lunch_break=TimeSpan(time(9), time(10)))


def test_it_rejects_a_lunch_break_outside_the_make_up_day_hours() -> None:
    with pytest.raises(ValueError, match="inside make-up day hours 14:00-18:00"):
        CalendarSpec(lunch_break=LUNCH, makeup_day_hours=TimeSpan(time(14), time(18)))


def test_it_rejects_a_week_without_seven_days() -> None:
    with pytest.raises(ValueError, match="weekly_hours needs 7 entries .Monday first., got 5"):
        CalendarSpec(weekly_hours=(TimeSpan(time(9), time(18)),) * 5)


def test_it_rejects_a_week_without_any_working_hours() -> None:
    with pytest.raises(ValueError, match="no working hours on any weekday"):
        CalendarSpec(weekly_hours=(None,) * 7)


def test_it_rejects_an_unknown_time_zone() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        CalendarSpec(timezone_name="Mars/Olympus")


def test_it_rejects_a_date_that_is_both_holiday_and_make_up_day() -> None:
    with pytest.raises(ValueError, match="both holiday and make-up working day: 2026-10-10"):
        CalendarSpec(holidays={date(2026, 10, 10)}, makeup_working_days={date(2026, 10, 10)})


def test_it_rejects_time_zone_aware_wall_times() -> None:
    with pytest.raises(ValueError, match="use naive local times"):
        TimeSpan(time(9, tzinfo=UTC), time(18))


def test_it_freezes_plain_sets_so_the_calendar_is_hashable() -> None:
    spec = CalendarSpec(holidays={date(2026, 10, 1)}, makeup_working_days={date(2026, 10, 10)})

    assert spec.holidays == frozenset({date(2026, 10, 1)})
    assert isinstance(spec.holidays, frozenset)
    assert isinstance(spec.makeup_working_days, frozenset)
    assert hash(spec) == hash(
        CalendarSpec(holidays={date(2026, 10, 1)}, makeup_working_days={date(2026, 10, 10)})
    )


def test_it_forgets_cached_days_when_a_calendar_is_replaced() -> None:
    before = CalendarSpec()
    assert is_working_time(shanghai(2026, 11, 30, 10), calendar=before)

    after = replace(before, holidays={date(2026, 11, 30)})

    assert not is_working_time(shanghai(2026, 11, 30, 10), calendar=after)
    assert is_working_time(shanghai(2026, 11, 30, 10), calendar=before)


def test_it_builds_a_uniform_week_for_chosen_weekdays() -> None:
    week = uniform_week(start=time(8, 30), end=time(17, 30), weekdays={0, 1, 2, 3, 4, 5})

    assert week == (TimeSpan(time(8, 30), time(17, 30)),) * 6 + (None,)


def test_it_widens_the_range_to_load_by_a_day_on_each_side() -> None:
    assert needed_range(start=date(2026, 11, 25), horizon_days=60) == (
        date(2026, 11, 24),
        date(2027, 1, 25),
    )


def test_it_rejects_a_negative_horizon() -> None:
    with pytest.raises(ValueError, match="horizon_days must not be negative, got -1"):
        needed_range(start=date(2026, 11, 25), horizon_days=-1)


# --- Working days and intervals -------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 27), True),  # ordinary Friday
        (date(2026, 11, 28), False),  # ordinary Saturday
        (date(2026, 10, 1), False),  # National Day, a Thursday
        (date(2026, 10, 5), False),  # National Day break, a Monday
        (date(2026, 10, 8), True),  # first working day after National Day
        (date(2026, 10, 10), True),  # make-up Saturday
        (date(2026, 9, 20), True),  # make-up Sunday
        (date(2026, 2, 14), True),  # make-up Saturday before Spring Festival
        (date(2026, 2, 16), False),  # Spring Festival, a Monday
    ],
)
def test_it_knows_working_days_from_the_official_calendar(day: date, expected: bool) -> None:
    assert is_working_day(day, calendar=OFFICIAL) is expected


def test_it_splits_a_working_day_at_lunch() -> None:
    assert working_intervals(date(2026, 11, 27), calendar=OFFICIAL) == [
        WorkingInterval(shanghai(2026, 11, 27, 9), shanghai(2026, 11, 27, 12)),
        WorkingInterval(shanghai(2026, 11, 27, 13, 30), shanghai(2026, 11, 27, 18)),
    ]


def test_it_gives_a_make_up_saturday_the_normal_weekday_hours() -> None:
    assert working_intervals(date(2026, 10, 10), calendar=OFFICIAL_NO_LUNCH) == [
        WorkingInterval(shanghai(2026, 10, 10, 9), shanghai(2026, 10, 10, 18)),
    ]


def test_it_uses_explicit_make_up_day_hours_when_given() -> None:
    spec = CalendarSpec(
        makeup_working_days={date(2026, 10, 10)}, makeup_day_hours=TimeSpan(time(10), time(16))
    )

    assert working_intervals(date(2026, 10, 10), calendar=spec) == [
        WorkingInterval(shanghai(2026, 10, 10, 10), shanghai(2026, 10, 10, 16)),
    ]


def test_it_has_no_intervals_on_a_holiday() -> None:
    assert working_intervals(date(2026, 10, 1), calendar=OFFICIAL) == []


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (shanghai(2026, 11, 27, 8, 59, 59), False),
        (shanghai(2026, 11, 27, 9), True),
        (shanghai(2026, 11, 27, 11, 59, 59), True),
        (shanghai(2026, 11, 27, 12), False),  # lunch starts
        (shanghai(2026, 11, 27, 13, 30), True),  # lunch over
        (shanghai(2026, 11, 27, 17, 59, 59), True),
        (shanghai(2026, 11, 27, 18), False),  # end of day is not working time
        (datetime(2026, 11, 27, 1, 30, tzinfo=UTC), True),  # 09:30 in Shanghai
    ],
)
def test_it_treats_working_periods_as_half_open(moment: datetime, expected: bool) -> None:
    assert is_working_time(moment, calendar=OFFICIAL) is expected


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (shanghai(2026, 11, 30, 9), shanghai(2026, 11, 30, 9)),
        (shanghai(2026, 11, 30, 10), shanghai(2026, 11, 30, 13, 30)),
        (shanghai(2026, 11, 30, 12, 15), shanghai(2026, 11, 30, 13, 30)),
        (shanghai(2026, 11, 27, 18), shanghai(2026, 11, 30, 9)),
        (shanghai(2026, 9, 30, 14), shanghai(2026, 10, 8, 9)),
    ],
)
def test_it_finds_the_next_working_period_start(after: datetime, expected: datetime) -> None:
    assert_same_instant_and_zone(next_working_start(after=after, calendar=OFFICIAL), expected)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (shanghai(2026, 11, 30, 10), shanghai(2026, 11, 30, 10)),
        (shanghai(2026, 11, 30, 12), shanghai(2026, 11, 30, 13, 30)),
        (shanghai(2026, 11, 27, 18), shanghai(2026, 11, 30, 9)),
        (shanghai(2026, 11, 28, 15), shanghai(2026, 11, 30, 9)),
    ],
)
def test_it_finds_the_next_working_moment(at: datetime, expected: datetime) -> None:
    assert_same_instant_and_zone(next_working_moment(at=at, calendar=OFFICIAL), expected)


# --- Adding and measuring working time ------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        # Friday 16:00 + 8h: 2h on Friday, 3h + 3h on Monday around lunch.
        (shanghai(2026, 11, 27, 16), 8, shanghai(2026, 11, 30, 16, 30)),
        # Landing exactly on the end of the day stays at 18:00.
        (shanghai(2026, 11, 27, 16), 2, shanghai(2026, 11, 27, 18)),
        # A weekend start counts from Monday 09:00.
        (shanghai(2026, 11, 28, 10), 1, shanghai(2026, 11, 30, 10)),
        # Lunch is skipped.
        (shanghai(2026, 11, 30, 11), 2, shanghai(2026, 11, 30, 14, 30)),
        # A start inside lunch counts from 13:30.
        (shanghai(2026, 11, 30, 12, 15), 1, shanghai(2026, 11, 30, 14, 30)),
        # A start at exactly 18:00 counts from the next morning.
        (shanghai(2026, 11, 30, 18), 0.5, shanghai(2026, 12, 1, 9, 30)),
        # The whole National Day break is skipped.
        (shanghai(2026, 9, 30, 17), 2, shanghai(2026, 10, 8, 10)),
        # The make-up Saturday counts; its morning ends at 12:00.
        (shanghai(2026, 10, 9, 17), 4, shanghai(2026, 10, 10, 12)),
        # Zero working time is the start itself, even outside working hours.
        (shanghai(2026, 11, 28, 10), 0, shanghai(2026, 11, 28, 10)),
    ],
)
def test_it_adds_working_hours(start: datetime, hours: float, expected: datetime) -> None:
    assert_same_instant_and_zone(
        add_working_time(start=start, hours=hours, calendar=OFFICIAL), expected
    )


def test_it_accepts_a_timedelta_instead_of_hours() -> None:
    due = add_working_time(
        start=shanghai(2026, 11, 30, 9), delta=timedelta(minutes=90), calendar=OFFICIAL
    )

    assert due == shanghai(2026, 11, 30, 10, 30)


def test_it_adds_five_hundred_working_hours_across_eleven_weeks() -> None:
    # 500h = 55 nine-hour days (11 whole weeks) + 5h on the twelfth Monday.
    due = add_working_time(start=shanghai(2026, 1, 5, 9), hours=500, calendar=PLAIN)

    assert due == shanghai(2026, 3, 23, 14)


def test_it_returns_the_calendar_zone_for_a_utc_start() -> None:
    due = add_working_time(start=datetime(2026, 11, 30, 1, tzinfo=UTC), hours=1, calendar=PLAIN)

    assert_same_instant_and_zone(due, shanghai(2026, 11, 30, 10))


def test_it_refuses_both_hours_and_delta() -> None:
    with pytest.raises(ValueError, match="exactly one of hours= or delta="):
        add_working_time(
            start=shanghai(2026, 11, 30, 9), hours=1, delta=timedelta(hours=1), calendar=PLAIN
        )


def test_it_refuses_neither_hours_nor_delta() -> None:
    with pytest.raises(ValueError, match="exactly one of hours= or delta="):
        add_working_time(start=shanghai(2026, 11, 30, 9), calendar=PLAIN)


def test_it_refuses_negative_working_time() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_time(start=shanghai(2026, 11, 30, 9), hours=-1, calendar=PLAIN)


def test_it_stops_with_a_clear_error_when_the_calendar_never_works() -> None:
    every_day = {date(2026, 1, 1) + timedelta(days=offset) for offset in range(366 * 4)}
    closed = CalendarSpec(holidays=every_day)

    with pytest.raises(NoWorkingTimeError, match=f"no working time in the {MAX_DAYS_WITHOUT_WORK}"):
        add_working_time(start=shanghai(2026, 1, 1, 9), hours=1, calendar=closed)
    with pytest.raises(NoWorkingTimeError):
        first_response_due(received_at=shanghai(2026, 1, 1, 9), calendar=closed)


def test_it_measures_nothing_on_a_closed_calendar_without_scanning_ahead() -> None:
    every_day = {date(2026, 1, 1) + timedelta(days=offset) for offset in range(366 * 4)}
    closed = CalendarSpec(holidays=every_day)

    measured = working_time_between(
        start=shanghai(2026, 1, 1), end=shanghai(2026, 2, 1), calendar=closed
    )

    assert measured == timedelta(0)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (shanghai(2026, 11, 27, 16), shanghai(2026, 11, 30, 10), timedelta(hours=3)),
        (shanghai(2026, 11, 30, 11), shanghai(2026, 11, 30, 14), timedelta(hours=1, minutes=30)),
        (shanghai(2026, 11, 30, 12), shanghai(2026, 11, 30, 13, 30), timedelta(0)),
        (shanghai(2026, 9, 30, 17), shanghai(2026, 10, 8, 10), timedelta(hours=2)),
        (shanghai(2026, 11, 30, 9), shanghai(2026, 11, 30, 9), timedelta(0)),
        # Time remaining after a deadline has passed is negative.
        (shanghai(2026, 11, 30, 10), shanghai(2026, 11, 27, 16), timedelta(hours=-3)),
    ],
)
def test_it_measures_working_time_between_two_instants(
    start: datetime, end: datetime, expected: timedelta
) -> None:
    assert working_time_between(start=start, end=end, calendar=OFFICIAL) == expected


# --- First response (DESIGN.md §3) ----------------------------------------------------


@pytest.mark.parametrize(
    ("received_at", "expected"),
    [
        # During working hours: the same working day, by 18:00.
        (shanghai(2026, 11, 27, 16), shanghai(2026, 11, 27, 18)),
        (shanghai(2026, 11, 27, 9), shanghai(2026, 11, 27, 18)),
        (shanghai(2026, 11, 27, 17, 59, 59), shanghai(2026, 11, 27, 18)),
        # The lunch break belongs to the working day.
        (shanghai(2026, 11, 27, 12), shanghai(2026, 11, 27, 18)),
        (shanghai(2026, 11, 27, 12, 45), shanghai(2026, 11, 27, 18)),
        # Before the day starts: by the start of that same day.
        (shanghai(2026, 11, 27, 8, 59), shanghai(2026, 11, 27, 9)),
        # Exactly 18:00 is after hours: the next working day's start.
        (shanghai(2026, 11, 27, 18), shanghai(2026, 11, 30, 9)),
        # Weekend: Monday 09:00.
        (shanghai(2026, 11, 28, 10), shanghai(2026, 11, 30, 9)),
        (shanghai(2026, 11, 29, 23, 59), shanghai(2026, 11, 30, 9)),
        # The last working day before National Day, late evening: after the whole break.
        (shanghai(2026, 9, 30, 22), shanghai(2026, 10, 8, 9)),
        # Mid-autumn break Friday 25 to Sunday 27 September.
        (shanghai(2026, 9, 24, 20), shanghai(2026, 9, 28, 9)),
        # Make-up working days count like weekdays.
        (shanghai(2026, 9, 20, 10), shanghai(2026, 9, 20, 18)),
        (shanghai(2026, 10, 9, 19), shanghai(2026, 10, 10, 9)),
        # Arrival given in UTC: 01:30 UTC is 09:30 in Shanghai.
        (datetime(2026, 11, 27, 1, 30, tzinfo=UTC), shanghai(2026, 11, 27, 18)),
        # 16:00 UTC Friday is Saturday 00:00 in Shanghai.
        (datetime(2026, 11, 27, 16, tzinfo=UTC), shanghai(2026, 11, 30, 9)),
    ],
)
def test_it_sets_the_first_response_deadline(received_at: datetime, expected: datetime) -> None:
    assert_same_instant_and_zone(
        first_response_due(received_at=received_at, calendar=OFFICIAL), expected
    )


@pytest.mark.parametrize(
    ("received_at", "expected"),
    [
        (shanghai(2026, 11, 27, 22), shanghai(2026, 11, 30, 8, 30)),
        (shanghai(2026, 9, 30, 22), shanghai(2026, 10, 8, 8, 30)),
        (shanghai(2026, 11, 30, 8), shanghai(2026, 11, 30, 8, 30)),
        # At or after the cutoff but before 09:00 the cutoff has passed; 09:00 still holds.
        (shanghai(2026, 11, 30, 8, 30), shanghai(2026, 11, 30, 9)),
        (shanghai(2026, 11, 30, 8, 45), shanghai(2026, 11, 30, 9)),
        # The cutoff plays no part during working hours.
        (shanghai(2026, 11, 30, 10), shanghai(2026, 11, 30, 18)),
    ],
)
def test_it_moves_the_after_hours_deadline_to_the_cutoff(
    received_at: datetime, expected: datetime
) -> None:
    due = first_response_due(
        received_at=received_at, calendar=OFFICIAL, after_hours_cutoff=time(8, 30)
    )

    assert_same_instant_and_zone(due, expected)


def test_it_ignores_a_cutoff_later_than_the_start_of_the_day() -> None:
    due = first_response_due(
        received_at=shanghai(2026, 11, 27, 22), calendar=OFFICIAL, after_hours_cutoff=time(10)
    )

    assert due == shanghai(2026, 11, 30, 9)


# --- Summary (DESIGN.md §3) -----------------------------------------------------------


def test_it_gives_a_summary_twenty_four_calendar_hours_by_default() -> None:
    due = summary_due(meeting_end=shanghai(2026, 11, 27, 16), calendar=OFFICIAL)

    assert_same_instant_and_zone(due, shanghai(2026, 11, 28, 16))


def test_it_gives_a_summary_twenty_four_working_hours_when_asked() -> None:
    # 2h Friday + 7.5h Monday + 7.5h Tuesday + 7h Wednesday (3h, then 4h after lunch).
    due = summary_due(meeting_end=shanghai(2026, 11, 27, 16), mode="working", calendar=OFFICIAL)

    assert_same_instant_and_zone(due, shanghai(2026, 12, 2, 17, 30))


def test_it_accepts_the_clock_as_an_enum_and_other_hours() -> None:
    due = summary_due(
        meeting_end=shanghai(2026, 11, 27, 16),
        hours=4,
        mode=DeadlineClock.WORKING,
        calendar=OFFICIAL,
    )

    assert due == shanghai(2026, 11, 30, 11)


def test_it_rejects_an_unknown_summary_clock() -> None:
    with pytest.raises(ValueError, match="'wall' is not a valid DeadlineClock"):
        summary_due(meeting_end=shanghai(2026, 11, 27, 16), mode="wall", calendar=OFFICIAL)


def test_it_rejects_negative_summary_hours() -> None:
    with pytest.raises(ValueError, match="hours must not be negative"):
        summary_due(meeting_end=shanghai(2026, 11, 27, 16), hours=-1, calendar=OFFICIAL)


# --- Naive datetimes ------------------------------------------------------------------

NAIVE = datetime(2026, 11, 27, 16)  # noqa: DTZ001 - the point of these tests


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_working_time(start=NAIVE, hours=1, calendar=PLAIN),
        lambda: working_time_between(start=NAIVE, end=shanghai(2026, 12, 1), calendar=PLAIN),
        lambda: working_time_between(start=shanghai(2026, 11, 1), end=NAIVE, calendar=PLAIN),
        lambda: next_working_start(after=NAIVE, calendar=PLAIN),
        lambda: next_working_moment(at=NAIVE, calendar=PLAIN),
        lambda: is_working_time(NAIVE, calendar=PLAIN),
        lambda: first_response_due(received_at=NAIVE, calendar=PLAIN),
        lambda: summary_due(meeting_end=NAIVE, calendar=PLAIN),
    ],
)
def test_it_rejects_naive_datetimes(call: object) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match="must be timezone-aware, got naive 2026-11-27T16:00:00"):
        call()


def test_it_rejects_a_date_where_a_datetime_is_needed() -> None:
    with pytest.raises(TypeError, match="received_at must be a datetime, got date"):
        first_response_due(received_at=date(2026, 11, 27), calendar=PLAIN)  # type: ignore[arg-type]


# --- Another time zone, across daylight saving ----------------------------------------
# Berlin moves from +01:00 to +02:00 at 02:00 on Sunday 29 March 2026 and back at 03:00
# on Sunday 25 October 2026.


def test_it_keeps_nine_to_six_on_the_monday_after_the_clocks_go_forward() -> None:
    assert working_intervals(date(2026, 3, 30), calendar=BERLIN_OFFICE) == [
        WorkingInterval(berlin(2026, 3, 30, 9), berlin(2026, 3, 30, 18)),
    ]
    assert berlin(2026, 3, 30, 9).astimezone(UTC) == datetime(2026, 3, 30, 7, tzinfo=UTC)


def test_it_answers_a_saturday_message_in_berlin_at_monday_nine_local() -> None:
    due = first_response_due(received_at=berlin(2026, 3, 28, 12), calendar=BERLIN_OFFICE)

    assert_same_instant_and_zone(due, berlin(2026, 3, 30, 9))
    assert due.utcoffset() == timedelta(hours=2)


def test_it_adds_working_time_across_the_clock_change() -> None:
    start = berlin(2026, 3, 27, 17)  # +01:00

    due = add_working_time(start=start, hours=2, calendar=BERLIN_OFFICE)

    assert_same_instant_and_zone(due, berlin(2026, 3, 30, 10))
    assert working_time_between(start=start, end=due, calendar=BERLIN_OFFICE) == timedelta(hours=2)
    # Real elapsed time is one hour short of the wall-clock difference.
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=64)


def test_it_counts_calendar_hours_as_elapsed_time_across_the_clock_change() -> None:
    due = summary_due(meeting_end=berlin(2026, 3, 28, 12), calendar=BERLIN_OFFICE)

    assert_same_instant_and_zone(due, berlin(2026, 3, 29, 13))


def test_it_measures_a_night_shift_by_real_hours_on_both_clock_changes() -> None:
    night = TimeSpan(time(1), time(5))
    night_shift = CalendarSpec(timezone_name="Europe/Berlin", weekly_hours=(night,) * 7)

    def hours_worked(day: date) -> timedelta:
        return sum(
            (interval.duration for interval in working_intervals(day, calendar=night_shift)),
            timedelta(0),
        )

    assert hours_worked(date(2026, 3, 29)) == timedelta(hours=3)
    assert hours_worked(date(2026, 10, 25)) == timedelta(hours=5)
    assert hours_worked(date(2026, 10, 26)) == timedelta(hours=4)
    assert working_time_between(
        start=berlin(2026, 10, 25), end=berlin(2026, 10, 26), calendar=night_shift
    ) == timedelta(hours=5)


# --- Properties -----------------------------------------------------------------------

ARRIVAL_ZONES = st.sampled_from([SHANGHAI, BERLIN, UTC])
arrivals = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2026, 12, 20),  # noqa: DTZ001
    timezones=ARRIVAL_ZONES,
)
# A night shift that starts inside the spring-forward gap and spans the autumn repeat.
BERLIN_NIGHT_SHIFT = CalendarSpec(
    timezone_name="Europe/Berlin", weekly_hours=(TimeSpan(time(2, 30), time(6)),) * 7
)
calendars = st.sampled_from([OFFICIAL, OFFICIAL_NO_LUNCH, BERLIN_OFFICE, BERLIN_NIGHT_SHIFT])
cutoffs = st.sampled_from([None, time(8, 30), time(7)])
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=600))


def utc(moment: datetime) -> datetime:
    # Two datetimes sharing a tzinfo compare by wall clock, which misorders the hour
    # repeated when Berlin's clocks go back; UTC compares instants.
    return moment.astimezone(UTC)


@given(received_at=arrivals, calendar=calendars, cutoff=cutoffs)
def test_it_never_sets_a_deadline_before_the_arrival(
    received_at: datetime, calendar: CalendarSpec, cutoff: time | None
) -> None:
    due = first_response_due(received_at=received_at, calendar=calendar, after_hours_cutoff=cutoff)

    assert utc(due) >= utc(received_at)


@given(first=arrivals, second=arrivals, calendar=calendars, cutoff=cutoffs)
def test_it_never_gives_a_later_arrival_an_earlier_deadline(
    first: datetime, second: datetime, calendar: CalendarSpec, cutoff: time | None
) -> None:
    earlier, later = sorted([first, second], key=utc)

    due_earlier = first_response_due(
        received_at=earlier, calendar=calendar, after_hours_cutoff=cutoff
    )
    due_later = first_response_due(received_at=later, calendar=calendar, after_hours_cutoff=cutoff)

    assert utc(due_earlier) <= utc(due_later)


@given(received_at=arrivals, calendar=calendars)
def test_it_sets_first_response_deadlines_on_working_days_only(
    received_at: datetime, calendar: CalendarSpec
) -> None:
    due = first_response_due(received_at=received_at, calendar=calendar)

    local_day = due.astimezone(calendar.zone).date()
    intervals = working_intervals(local_day, calendar=calendar)
    assert local_day not in calendar.holidays
    assert is_working_day(local_day, calendar=calendar)
    assert utc(due) in (utc(intervals[0].start), utc(intervals[-1].end))


@given(received_at=arrivals, calendar=calendars, cutoff=cutoffs)
def test_it_only_ever_moves_a_deadline_earlier_with_a_cutoff(
    received_at: datetime, calendar: CalendarSpec, cutoff: time | None
) -> None:
    with_cutoff = first_response_due(
        received_at=received_at, calendar=calendar, after_hours_cutoff=cutoff
    )
    without_cutoff = first_response_due(received_at=received_at, calendar=calendar)

    assert utc(received_at) <= utc(with_cutoff) <= utc(without_cutoff)


@given(start=arrivals, delta=durations, calendar=calendars)
def test_it_measures_back_exactly_the_working_time_it_added(
    start: datetime, delta: timedelta, calendar: CalendarSpec
) -> None:
    due = add_working_time(start=start, delta=delta, calendar=calendar)

    assert utc(due) >= utc(start)
    assert working_time_between(start=start, end=due, calendar=calendar) == delta


@given(start=arrivals, delta=durations, calendar=calendars)
def test_it_never_lands_inside_a_holiday_or_outside_working_hours(
    start: datetime, delta: timedelta, calendar: CalendarSpec
) -> None:
    due = add_working_time(start=start, delta=delta + timedelta(microseconds=1), calendar=calendar)

    local_day = due.astimezone(calendar.zone).date()
    assert local_day not in calendar.holidays
    assert any(
        utc(interval.start) < utc(due) <= utc(interval.end)
        for interval in working_intervals(local_day, calendar=calendar)
    )


@given(moments=st.lists(arrivals, min_size=3, max_size=3), calendar=calendars)
def test_it_adds_up_working_time_over_consecutive_spans(
    moments: list[datetime], calendar: CalendarSpec
) -> None:
    first, middle, last = sorted(moments, key=utc)

    def between(start: datetime, end: datetime) -> timedelta:
        return working_time_between(start=start, end=end, calendar=calendar)

    assert between(first, middle) + between(middle, last) == between(first, last)


@settings(max_examples=50)
@given(start=arrivals, smaller=durations, larger=durations, calendar=calendars)
def test_it_never_finishes_more_work_sooner(
    start: datetime, smaller: timedelta, larger: timedelta, calendar: CalendarSpec
) -> None:
    smaller, larger = sorted([smaller, larger])

    sooner = add_working_time(start=start, delta=smaller, calendar=calendar)
    later = add_working_time(start=start, delta=larger, calendar=calendar)

    assert utc(sooner) <= utc(later)


def test_it_starts_a_shift_inside_the_spring_gap_when_the_clock_jumps() -> None:
    # 02:30 never shows on 29 March; the clock jumps from 02:00 to 03:00 summer time.
    early_shift = CalendarSpec(
        timezone_name="Europe/Berlin", weekly_hours=(TimeSpan(time(2, 30), time(5)),) * 7
    )

    assert working_intervals(date(2026, 3, 29), calendar=early_shift) == [
        WorkingInterval(berlin(2026, 3, 29, 3), berlin(2026, 3, 29, 5)),
    ]


def test_it_ends_a_shift_inside_the_spring_gap_when_the_clock_jumps() -> None:
    late_shift = CalendarSpec(
        timezone_name="Europe/Berlin", weekly_hours=(TimeSpan(time(1, 30), time(2, 30)),) * 7
    )

    [interval] = working_intervals(date(2026, 3, 29), calendar=late_shift)

    assert interval.duration == timedelta(minutes=30)
    assert_same_instant_and_zone(interval.end, berlin(2026, 3, 29, 3))


def test_it_skips_a_shift_that_lies_wholly_inside_the_spring_gap() -> None:
    lost_shift = CalendarSpec(
        timezone_name="Europe/Berlin", weekly_hours=(TimeSpan(time(2, 10), time(2, 50)),) * 7
    )

    assert working_intervals(date(2026, 3, 29), calendar=lost_shift) == []
    assert first_response_due(received_at=berlin(2026, 3, 28, 23), calendar=lost_shift) == berlin(
        2026, 3, 30, 2, 10
    )


def test_it_starts_a_shift_at_the_first_of_two_repeated_autumn_times() -> None:
    repeated_shift = CalendarSpec(
        timezone_name="Europe/Berlin", weekly_hours=(TimeSpan(time(2, 30), time(4)),) * 7
    )

    [interval] = working_intervals(date(2026, 10, 25), calendar=repeated_shift)

    assert interval.start.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert interval.duration == timedelta(hours=2, minutes=30)
