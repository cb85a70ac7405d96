"""Seeding the editable calendar from the chinese_calendar library."""

from __future__ import annotations

from datetime import date

import pytest

from consultdesk.sla.businesstime import CalendarSpec, is_working_day
from consultdesk.sla.holidays_cn import (
    OfficialDay,
    coverage_gap,
    library_years,
    official_schedule,
)


def national_day(day: int) -> OfficialDay:
    return OfficialDay(day=date(2026, 10, day), name="National Day", chinese_name="国庆节")


def test_it_lists_the_2026_national_day_break_with_its_names() -> None:
    schedule = official_schedule(start=date(2026, 9, 28), end=date(2026, 10, 31))

    assert schedule.holidays == tuple(national_day(day) for day in range(1, 8))


def test_it_lists_the_2026_national_day_make_up_days() -> None:
    schedule = official_schedule(start=date(2026, 9, 1), end=date(2026, 10, 31))

    assert schedule.makeup_working_days == (
        OfficialDay(day=date(2026, 9, 20), name="National Day", chinese_name="国庆节"),
        national_day(10),
    )
    assert schedule.makeup_working_dates == frozenset({date(2026, 9, 20), date(2026, 10, 10)})


def test_it_includes_the_mid_autumn_break_in_september() -> None:
    schedule = official_schedule(start=date(2026, 9, 1), end=date(2026, 9, 30))

    assert schedule.holiday_dates == frozenset(
        {date(2026, 9, 25), date(2026, 9, 26), date(2026, 9, 27)}
    )
    assert {entry.chinese_name for entry in schedule.holidays} == {"中秋"}


def test_it_lists_the_2026_spring_festival() -> None:
    schedule = official_schedule(start=date(2026, 2, 1), end=date(2026, 2, 28))

    assert [entry.day.day for entry in schedule.holidays] == list(range(15, 24))
    assert {entry.chinese_name for entry in schedule.holidays} == {"春节"}
    assert schedule.makeup_working_dates == frozenset({date(2026, 2, 14), date(2026, 2, 28)})


def test_it_knows_the_library_covers_2004_to_2026_only() -> None:
    years = library_years()

    assert min(years) == 2004
    assert max(years) == 2026
    assert 2027 not in years
    assert years == frozenset(range(2004, 2027))


def test_it_reports_the_uncovered_years_of_a_range() -> None:
    schedule = official_schedule(start=date(2026, 12, 1), end=date(2028, 3, 1))

    assert schedule.covered_years == frozenset({2026})
    assert schedule.uncovered_years == (2027, 2028)
    assert schedule.holidays == ()
    assert schedule.makeup_working_days == ()


def test_it_rejects_a_range_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError, match="end 2026-01-01 is before start 2026-02-01"):
        official_schedule(start=date(2026, 2, 1), end=date(2026, 1, 1))


def test_it_builds_a_valid_calendar_from_every_year_it_knows() -> None:
    schedule = official_schedule(start=date(2004, 1, 1), end=date(2026, 12, 31))

    calendar = CalendarSpec(
        holidays=schedule.holiday_dates, makeup_working_days=schedule.makeup_working_dates
    )

    assert len(schedule.holidays) == len(calendar.holidays)
    assert not is_working_day(date(2026, 10, 1), calendar=calendar)
    assert is_working_day(date(2026, 10, 10), calendar=calendar)


def test_it_finds_the_first_uncovered_date_within_the_horizon() -> None:
    gap = coverage_gap(today=date(2026, 11, 25), horizon_days=60, covered_years=library_years())

    assert gap == date(2027, 1, 1)


def test_it_finds_no_gap_when_the_horizon_is_covered() -> None:
    gap = coverage_gap(today=date(2026, 6, 1), horizon_days=60, covered_years=library_years())

    assert gap is None


def test_it_counts_the_last_day_of_the_horizon() -> None:
    covered = library_years()

    assert coverage_gap(today=date(2026, 11, 2), horizon_days=60, covered_years=covered) == date(
        2027, 1, 1
    )
    assert coverage_gap(today=date(2026, 11, 2), horizon_days=59, covered_years=covered) is None


def test_it_reports_today_when_the_current_year_is_uncovered() -> None:
    gap = coverage_gap(today=date(2027, 3, 5), horizon_days=60, covered_years={2026})

    assert gap == date(2027, 3, 5)


def test_it_accepts_years_entered_by_hand() -> None:
    gap = coverage_gap(today=date(2026, 11, 25), horizon_days=60, covered_years={2026, 2027})

    assert gap is None


def test_it_rejects_a_negative_coverage_horizon() -> None:
    with pytest.raises(ValueError, match="horizon_days must not be negative, got -5"):
        coverage_gap(today=date(2026, 11, 25), horizon_days=-5, covered_years={2026})
