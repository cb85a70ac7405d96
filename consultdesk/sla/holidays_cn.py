"""Official Chinese holidays and make-up working days (调休) as seed data.

Reads the ``chinese_calendar`` library, which ships each year's State Council schedule
some weeks after it is published (1.11 covers 2004-2026). The results seed the team's
editable calendar tables; ``coverage_gap`` tells when the coming days have no data yet,
so someone can enter the new schedule by hand. Pure: no Django, no clock.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

__all__ = [
    "OfficialDay",
    "OfficialSchedule",
    "coverage_gap",
    "library_years",
    "official_schedule",
]


@dataclass(frozen=True, order=True)
class OfficialDay:
    """One date of the official schedule and the festival it belongs to."""

    day: date
    name: str
    chinese_name: str


@dataclass(frozen=True)
class OfficialSchedule:
    """Holidays and make-up working days from ``start`` to ``end`` (inclusive).

    ``holidays`` include the weekend days inside a festival's break. Dates in years not
    in ``covered_years`` are simply absent, which does not mean they are ordinary days.
    """

    start: date
    end: date
    holidays: tuple[OfficialDay, ...]
    makeup_working_days: tuple[OfficialDay, ...]
    covered_years: frozenset[int]

    @property
    def holiday_dates(self) -> frozenset[date]:
        return frozenset(entry.day for entry in self.holidays)

    @property
    def makeup_working_dates(self) -> frozenset[date]:
        return frozenset(entry.day for entry in self.makeup_working_days)

    @property
    def uncovered_years(self) -> tuple[int, ...]:
        """Years in the range that the library has no schedule for."""
        years = range(self.start.year, self.end.year + 1)
        return tuple(year for year in years if year not in self.covered_years)


def library_years() -> frozenset[int]:
    """Every year the installed ``chinese_calendar`` has an official schedule for."""
    return frozenset(day.year for day in chinese_calendar.holidays)


def official_schedule(*, start: date, end: date) -> OfficialSchedule:
    """The official schedule between ``start`` and ``end`` (inclusive), as far as known."""
    if end < start:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
    available = library_years()
    covered = frozenset(year for year in range(start.year, end.year + 1) if year in available)
    return OfficialSchedule(
        start=start,
        end=end,
        holidays=_named_days_between(chinese_calendar.holidays, start, end),
        makeup_working_days=_named_days_between(chinese_calendar.workdays, start, end),
        covered_years=covered,
    )


def _named_days_between(
    names_by_day: Mapping[date, str], start: date, end: date
) -> tuple[OfficialDay, ...]:
    return tuple(
        sorted(
            OfficialDay(day=day, name=name, chinese_name=_chinese_name(name))
            for day, name in names_by_day.items()
            if start <= day <= end
        )
    )


def _chinese_name(english_name: str) -> str:
    # A festival added by a newer library release may lack a translation; keep English.
    try:
        return str(chinese_calendar.Holiday(english_name).chinese)
    except ValueError:
        return english_name


def coverage_gap(*, today: date, horizon_days: int, covered_years: Collection[int]) -> date | None:
    """The first date from ``today`` to ``today + horizon_days`` (inclusive) whose year
    has no official schedule, or None when the whole horizon is covered."""
    if horizon_days < 0:
        raise ValueError(f"horizon_days must not be negative, got {horizon_days}")
    last_day = today + timedelta(days=horizon_days)
    for year in range(today.year, last_day.year + 1):
        if year not in covered_years:
            return max(today, date(year, 1, 1))
    return None
