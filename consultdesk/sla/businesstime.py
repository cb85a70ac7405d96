"""Business-time maths for service levels: pure, no Django, no clock, no settings.

Every function takes aware datetimes and returns aware datetimes in the calendar's time
zone; naive datetimes are refused with ``ValueError``. Working periods are half-open:
a day of 09:00-18:00 with lunch 12:00-13:30 has the periods [09:00, 12:00) and
[13:30, 18:00), so 18:00 itself is not working time and 12:00 is already lunch.

Local wall times are built per date and localised with zoneinfo, then all arithmetic is
done in UTC: Python subtracts and compares two datetimes that share a tzinfo by wall
clock, which is an hour off on a daylight-saving day. Callers comparing two results in
a zone with daylight saving should do the same (``.astimezone(UTC)``); comparing with
a UTC "now" is always safe.

The caller loads holidays and make-up working days once (see ``needed_range``) and
passes them in a ``CalendarSpec``; dates outside what was loaded count as ordinary days.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Set
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DEFAULT_TIMEZONE",
    "MAX_DAYS_WITHOUT_WORK",
    "STANDARD_WEEK",
    "CalendarSpec",
    "DeadlineClock",
    "NoWorkingTimeError",
    "TimeSpan",
    "WorkingInterval",
    "add_working_time",
    "first_response_due",
    "is_working_day",
    "is_working_time",
    "needed_range",
    "next_working_moment",
    "next_working_start",
    "summary_due",
    "uniform_week",
    "working_intervals",
    "working_time_between",
]

DEFAULT_TIMEZONE = "Asia/Shanghai"

# The longest official closure is about nine days; three years without a single working
# minute can only mean a broken calendar, so the scan stops there instead of looping.
MAX_DAYS_WITHOUT_WORK = 366 * 3

ONE_DAY = timedelta(days=1)
NO_TIME = timedelta(0)


class NoWorkingTimeError(ValueError):
    """The calendar has no working time within ``MAX_DAYS_WITHOUT_WORK`` days."""


class DeadlineClock(StrEnum):
    """How a deadline counts hours: every hour, or working hours only."""

    CALENDAR = "calendar"
    WORKING = "working"


@dataclass(frozen=True, order=True)
class TimeSpan:
    """A half-open span of local wall-clock time within one day, ``[start, end)``."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError(f"{self}: use naive local times; the calendar holds the zone")
        if self.end <= self.start:
            raise ValueError(
                f"{self}: end {self.end:%H:%M} must be after start {self.start:%H:%M} "
                "(periods past midnight are not supported)"
            )

    def contains(self, other: TimeSpan) -> bool:
        """True if ``other`` lies strictly inside this span, touching neither edge."""
        return self.start < other.start and other.end < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


class WorkingInterval(NamedTuple):
    """One working period; ``end`` itself is not working time."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        """Real elapsed time; plain ``end - start`` would use wall clocks on a DST day."""
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)


WeeklyHours = tuple[TimeSpan | None, ...]
UtcIntervals = tuple[tuple[datetime, datetime], ...]
INTERVAL_CACHE_SIZE = 4096


def uniform_week(
    *, start: time = time(9), end: time = time(18), weekdays: Set[int] = frozenset(range(5))
) -> WeeklyHours:
    """Seven entries, Monday first: ``start``-``end`` on ``weekdays`` (0 = Monday), else None."""
    hours = TimeSpan(start, end)
    return tuple(hours if weekday in weekdays else None for weekday in range(7))


STANDARD_WEEK: WeeklyHours = uniform_week()


@dataclass(frozen=True)
class CalendarSpec:
    """One team's working calendar.

    ``weekly_hours`` has seven entries, Monday first; None means a day off.
    ``lunch_break`` applies to every working day and must lie strictly inside its hours.
    ``holidays`` are days off even on a weekday; ``makeup_working_days`` (调休) are days
    worked even on a weekend, with ``makeup_day_hours`` (default: the hours of the first
    working weekday, normally Monday). A date cannot be both.
    """

    timezone_name: str = DEFAULT_TIMEZONE
    weekly_hours: WeeklyHours = STANDARD_WEEK
    lunch_break: TimeSpan | None = None
    holidays: Set[date] = frozenset()
    makeup_working_days: Set[date] = frozenset()
    makeup_day_hours: TimeSpan | None = None
    zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _spans_by_weekday: tuple[tuple[TimeSpan, ...], ...] = field(
        init=False, repr=False, compare=False
    )
    _makeup_spans: tuple[TimeSpan, ...] = field(init=False, repr=False, compare=False)
    # Localising is the costly step and deadline sweeps revisit the same few weeks.
    _utc_intervals_by_day: dict[date, UtcIntervals] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        # Callers may pass plain sets; freezing them keeps the spec immutable and hashable.
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "makeup_working_days", frozenset(self.makeup_working_days))
        object.__setattr__(self, "weekly_hours", tuple(self.weekly_hours))
        object.__setattr__(self, "zone", _zone_named(self.timezone_name))
        self._validate_week()
        makeup_hours = self.makeup_day_hours or self._first_weekday_hours()
        self._validate_lunch_inside(makeup_hours, "make-up day hours")
        self._validate_dates()
        spans_by_weekday = tuple(self._spans_within(hours) for hours in self.weekly_hours)
        object.__setattr__(self, "_spans_by_weekday", spans_by_weekday)
        object.__setattr__(self, "_makeup_spans", self._spans_within(makeup_hours))

    def working_spans(self, day: date) -> tuple[TimeSpan, ...]:
        """Local working spans of ``day`` with lunch removed; empty on a day off."""
        if day in self.makeup_working_days:
            return self._makeup_spans
        if day in self.holidays:
            return ()
        return self._spans_by_weekday[day.weekday()]

    def _validate_week(self) -> None:
        if len(self.weekly_hours) != 7:
            raise ValueError(
                f"weekly_hours needs 7 entries (Monday first), got {len(self.weekly_hours)}"
            )
        if self._first_weekday_hours() is None and self.makeup_day_hours is None:
            raise ValueError("the calendar has no working hours on any weekday")
        for weekday, hours in enumerate(self.weekly_hours):
            if hours is not None:
                self._validate_lunch_inside(hours, f"hours of weekday {weekday}")

    def _validate_lunch_inside(self, hours: TimeSpan | None, label: str) -> None:
        if hours is None or self.lunch_break is None:
            return
        if not hours.contains(self.lunch_break):
            raise ValueError(f"lunch break {self.lunch_break} must lie inside {label} {hours}")

    def _validate_dates(self) -> None:
        both = sorted(self.holidays & self.makeup_working_days)
        if both:
            listed = ", ".join(day.isoformat() for day in both)
            raise ValueError(f"dates cannot be both holiday and make-up working day: {listed}")

    def _first_weekday_hours(self) -> TimeSpan | None:
        return next((hours for hours in self.weekly_hours if hours is not None), None)

    def _spans_within(self, hours: TimeSpan | None) -> tuple[TimeSpan, ...]:
        if hours is None:
            return ()
        if self.lunch_break is None:
            return (hours,)
        return (
            TimeSpan(hours.start, self.lunch_break.start),
            TimeSpan(self.lunch_break.end, hours.end),
        )


def _zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def needed_range(*, start: date, horizon_days: int) -> tuple[date, date]:
    """First and last date (inclusive) of holidays to load for deadlines from ``start``.

    One day of slack on each side covers a caller whose "today" is in another zone
    than the calendar's (a UTC server date is a day behind Shanghai before 08:00).
    """
    if horizon_days < 0:
        raise ValueError(f"horizon_days must not be negative, got {horizon_days}")
    return start - ONE_DAY, start + timedelta(days=horizon_days + 1)


# --- Days and intervals ---------------------------------------------------------------


def is_working_day(day: date, *, calendar: CalendarSpec) -> bool:
    """True if ``day`` (a local date) has any working time."""
    return bool(calendar.working_spans(day))


def working_intervals(day: date, *, calendar: CalendarSpec) -> list[WorkingInterval]:
    """The working periods of the local date ``day``, in order; empty on a day off."""
    return [
        WorkingInterval(start.astimezone(calendar.zone), end.astimezone(calendar.zone))
        for start, end in _utc_intervals(day, calendar)
    ]


def is_working_time(moment: datetime, *, calendar: CalendarSpec) -> bool:
    """True if ``moment`` lies inside a working period (lunch and end-of-day excluded)."""
    moment_utc = _as_utc(moment, "moment")
    local_day = moment_utc.astimezone(calendar.zone).date()
    return any(start <= moment_utc < end for start, end in _utc_intervals(local_day, calendar))


def _utc_intervals(day: date, calendar: CalendarSpec) -> UtcIntervals:
    cache = calendar._utc_intervals_by_day
    intervals = cache.get(day)
    if intervals is None:
        if len(cache) >= INTERVAL_CACHE_SIZE:
            cache.clear()
        intervals = cache[day] = _localise_spans(day, calendar)
    return intervals


def _localise_spans(day: date, calendar: CalendarSpec) -> UtcIntervals:
    intervals = []
    for span in calendar.working_spans(day):
        start = _local_to_utc(day, span.start, calendar.zone)
        end = _local_to_utc(day, span.end, calendar.zone)
        # A span lying wholly inside a spring-forward gap never happens on the clock.
        if end > start:
            intervals.append((start, end))
    return tuple(intervals)


def _local_to_utc(day: date, wall_time: time, zone: ZoneInfo) -> datetime:
    """The first instant at which the local clock shows ``wall_time`` on ``day``.

    A time repeated when the clocks go back is its first occurrence; a time skipped when
    they go forward is the moment of the jump, when the clock first shows a later time.
    """
    first_reading = datetime.combine(day, wall_time, tzinfo=zone)
    second_reading = first_reading.replace(fold=1)
    earlier_offset_instant = first_reading.astimezone(UTC)
    later_offset_instant = second_reading.astimezone(UTC)
    if earlier_offset_instant <= later_offset_instant:
        return earlier_offset_instant
    return _clock_jump_between(later_offset_instant, earlier_offset_instant, zone)


def _clock_jump_between(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The instant, to the second, at which ``zone`` moves to the offset it has at ``after``."""
    target_offset = after.astimezone(zone).utcoffset()
    low, high = math.floor(before.timestamp()), math.ceil(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == target_offset:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _as_utc(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def _working_days_from(
    first_day: date, calendar: CalendarSpec
) -> Iterator[tuple[date, UtcIntervals]]:
    """Working days from ``first_day`` on, with their UTC intervals; never ends by itself."""
    day = first_day
    days_without_work = 0
    while True:
        intervals = _utc_intervals(day, calendar)
        if intervals:
            days_without_work = 0
            yield day, intervals
        else:
            days_without_work += 1
            if days_without_work > MAX_DAYS_WITHOUT_WORK:
                raise NoWorkingTimeError(
                    f"no working time in the {MAX_DAYS_WITHOUT_WORK} days before "
                    f"{day.isoformat()}; check the calendar's weekly hours and holidays"
                )
        day += ONE_DAY


def _intervals_after(
    moment_utc: datetime, calendar: CalendarSpec
) -> Iterator[tuple[datetime, datetime]]:
    """UTC working intervals that end after ``moment_utc``, in order."""
    local_day = moment_utc.astimezone(calendar.zone).date()
    for _day, intervals in _working_days_from(local_day, calendar):
        for start, end in intervals:
            if end > moment_utc:
                yield start, end


# --- Moments and durations ------------------------------------------------------------


def next_working_moment(*, at: datetime, calendar: CalendarSpec) -> datetime:
    """``at`` itself if it is working time, else the start of the next working period."""
    at_utc = _as_utc(at, "at")
    start, _end = next(_intervals_after(at_utc, calendar))
    return max(start, at_utc).astimezone(calendar.zone)


def next_working_start(*, after: datetime, calendar: CalendarSpec) -> datetime:
    """The start of the first working period that begins at or after ``after``.

    Inside a period this is the start of the next one (after lunch, or the next day);
    at exactly 18:00 it is the next working day's 09:00.
    """
    after_utc = _as_utc(after, "after")
    for start, _end in _intervals_after(after_utc, calendar):
        if start >= after_utc:
            return start.astimezone(calendar.zone)
    raise AssertionError("unreachable: _intervals_after never ends")  # pragma: no cover


def add_working_time(
    *,
    start: datetime,
    hours: float | None = None,
    delta: timedelta | None = None,
    calendar: CalendarSpec,
) -> datetime:
    """The earliest instant by which ``hours`` (or ``delta``) of working time has elapsed.

    Counting begins at the next working moment if ``start`` is outside working time.
    A result that lands exactly on the end of a period is that end (18:00), not the next
    day's 09:00. Zero returns ``start`` unchanged (in the calendar's zone).
    """
    remaining = _duration(hours=hours, delta=delta)
    start_utc = _as_utc(start, "start")
    if remaining == NO_TIME:
        return start_utc.astimezone(calendar.zone)
    for interval_start, interval_end in _intervals_after(start_utc, calendar):
        counted_from = max(interval_start, start_utc)
        available = interval_end - counted_from
        if remaining <= available:
            return (counted_from + remaining).astimezone(calendar.zone)
        remaining -= available
    raise AssertionError("unreachable: _intervals_after never ends")  # pragma: no cover


def working_time_between(*, start: datetime, end: datetime, calendar: CalendarSpec) -> timedelta:
    """Working time in ``[start, end)``; negative if ``end`` is before ``start``.

    The sign makes "time remaining until due" go below zero once a deadline has passed.
    """
    start_utc = _as_utc(start, "start")
    end_utc = _as_utc(end, "end")
    if end_utc < start_utc:
        return -_working_time_forward(end_utc, start_utc, calendar)
    return _working_time_forward(start_utc, end_utc, calendar)


def _working_time_forward(
    start_utc: datetime, end_utc: datetime, calendar: CalendarSpec
) -> timedelta:
    total = NO_TIME
    day = start_utc.astimezone(calendar.zone).date()
    last_day = end_utc.astimezone(calendar.zone).date()
    # Walks only the dates in between, so an empty calendar simply yields zero here.
    while day <= last_day:
        for interval_start, interval_end in _utc_intervals(day, calendar):
            overlap = min(interval_end, end_utc) - max(interval_start, start_utc)
            if overlap > NO_TIME:
                total += overlap
        day += ONE_DAY
    return total


def _duration(*, hours: float | None, delta: timedelta | None) -> timedelta:
    if hours is not None and delta is None:
        duration = timedelta(hours=hours)
    elif delta is not None and hours is None:
        duration = delta
    else:
        raise ValueError("give exactly one of hours= or delta=")
    if duration < NO_TIME:
        raise ValueError(f"working time to add must not be negative, got {duration}")
    return duration


# --- Service-level deadlines (DESIGN.md §3) -------------------------------------------


def first_response_due(
    *,
    received_at: datetime,
    calendar: CalendarSpec,
    after_hours_cutoff: time | None = None,
) -> datetime:
    """When the first response to a message received at ``received_at`` is due.

    During the working day, meaning from its first period's start up to but excluding
    its last period's end, lunch included: due at the end of that working day (18:00).
    Otherwise (before the start, from exactly 18:00 on, or on a day off): due at the
    start of the next working day ("no overnight wait"), 09:00. ``after_hours_cutoff``
    (e.g. 08:30) moves that deadline earlier to the cutoff on that working day, but only
    when the message arrived before the cutoff; the cutoff never makes it later.
    """
    received_utc = _as_utc(received_at, "received_at")
    local_day = received_utc.astimezone(calendar.zone).date()
    for day, intervals in _working_days_from(local_day, calendar):
        day_start, day_end = intervals[0][0], intervals[-1][1]
        if received_utc < day_start:
            due = _before_day_start_due(received_utc, day, day_start, after_hours_cutoff, calendar)
            return due.astimezone(calendar.zone)
        if received_utc < day_end:
            return day_end.astimezone(calendar.zone)
    raise AssertionError("unreachable: _working_days_from never ends")  # pragma: no cover


def _before_day_start_due(
    received_utc: datetime,
    day: date,
    day_start: datetime,
    cutoff: time | None,
    calendar: CalendarSpec,
) -> datetime:
    if cutoff is None:
        return day_start
    cutoff_utc = _local_to_utc(day, cutoff, calendar.zone)
    if received_utc < cutoff_utc < day_start:
        return cutoff_utc
    return day_start


def summary_due(
    *,
    meeting_end: datetime,
    calendar: CalendarSpec,
    hours: float = 24,
    mode: DeadlineClock | str = DeadlineClock.CALENDAR,
) -> datetime:
    """When the requirement summary for a meeting is due.

    ``calendar`` mode counts elapsed hours (24 real hours, even across a clock change);
    ``working`` mode counts working hours with ``add_working_time``.
    """
    clock = DeadlineClock(mode)
    end_utc = _as_utc(meeting_end, "meeting_end")
    if clock is DeadlineClock.WORKING:
        return add_working_time(start=end_utc, hours=hours, calendar=calendar)
    if hours < 0:
        raise ValueError(f"hours must not be negative, got {hours}")
    return (end_utc + timedelta(hours=hours)).astimezone(calendar.zone)
