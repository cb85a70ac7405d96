"""Microbenchmark of the business-time maths on 10,000 random arrivals in 2026.

Run: .venv/bin/python bench/businesstime_bench.py
Prints the median microseconds per call of add_working_time(8h) and first_response_due
against the official 2026 calendar with a lunch break.
"""

from __future__ import annotations

import random
import statistics
import time as clock
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from consultdesk.sla.businesstime import (
    CalendarSpec,
    TimeSpan,
    add_working_time,
    first_response_due,
    working_time_between,
)
from consultdesk.sla.holidays_cn import official_schedule

ARRIVALS = 10_000
SEED = 20261125
SHANGHAI = ZoneInfo("Asia/Shanghai")


def official_calendar() -> CalendarSpec:
    schedule = official_schedule(start=date(2026, 1, 1), end=date(2026, 12, 31))
    return CalendarSpec(
        lunch_break=TimeSpan(time(12), time(13, 30)),
        holidays=schedule.holiday_dates,
        makeup_working_days=schedule.makeup_working_dates,
    )


def random_arrivals(count: int, seed: int) -> list[datetime]:
    generator = random.Random(seed)
    year_start = datetime(2026, 1, 1, tzinfo=SHANGHAI)
    # Stop early in December so 500h deadlines stay inside the loaded holidays.
    seconds_in_range = int(timedelta(days=340).total_seconds())
    return [
        year_start + timedelta(seconds=generator.randrange(seconds_in_range)) for _ in range(count)
    ]


def median_microseconds(
    call: Callable[[datetime], object], arrivals: list[datetime], before_each: Callable[[], object]
) -> float:
    timings = []
    for arrival in arrivals:
        before_each()
        started = clock.perf_counter_ns()
        call(arrival)
        timings.append(clock.perf_counter_ns() - started)
    return statistics.median(timings) / 1000


def main() -> None:
    calendar = official_calendar()
    arrivals = random_arrivals(ARRIVALS, SEED)
    cases: dict[str, Callable[[datetime], object]] = {
        "add_working_time(8h)": lambda at: add_working_time(start=at, hours=8, calendar=calendar),
        "add_working_time(500h)": lambda at: add_working_time(
            start=at, hours=500, calendar=calendar
        ),
        "first_response_due": lambda at: first_response_due(received_at=at, calendar=calendar),
        "first_response_due(cutoff 08:30)": lambda at: first_response_due(
            received_at=at, calendar=calendar, after_hours_cutoff=time(8, 30)
        ),
        "working_time_between(7 days)": lambda at: working_time_between(
            start=at, end=at + timedelta(days=7), calendar=calendar
        ),
    }
    print(f"{ARRIVALS} random arrivals in 2026, Asia/Shanghai, official calendar, lunch break")
    # Cold: the calendar's per-day interval cache is emptied before every call, as for
    # a calendar built fresh for one request; warm: as in a sweep over many cases.
    empty_cache = calendar._utc_intervals_by_day.clear
    print(f"{'median µs per call':<34} {'cold':>8} {'warm':>8}")
    for label, call in cases.items():
        cold = median_microseconds(call, arrivals, before_each=empty_cache)
        warm = median_microseconds(call, arrivals, before_each=lambda: None)
        print(f"{label:<34} {cold:8.1f} {warm:8.1f}")


if __name__ == "__main__":
    main()
