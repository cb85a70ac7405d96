"""`consultdesk seed_holidays`: copy the official schedule into the calendars (idempotent)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from consultdesk.sla.holidays_cn import library_years
from consultdesk.sla.models import BusinessCalendar, CalendarDay
from consultdesk.sla.services import calendar_changed, calendar_default, calendar_seed_holidays


class Command(BaseCommand):
    help = (
        "Add the Chinese official holidays and make-up working days known to the "
        "chinese_calendar library to every calendar that follows the official schedule. "
        "Days already present, including days edited by hand, are kept."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            dest="years",
            help="Only this year (repeatable); default: every year known.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        years = options["years"] or []
        unknown = sorted(set(years) - library_years())
        if unknown:
            raise CommandError(
                f"chinese_calendar has no schedule for {', '.join(map(str, unknown))}; "
                "enter those days in the admin (Service levels → Calendar days)"
            )
        before = CalendarDay.objects.count()
        calendar_default()  # created and seeded on first use
        for calendar in BusinessCalendar.objects.filter(follows_official_schedule=True):
            calendar_seed_holidays(calendar=calendar, years=years)
        added = CalendarDay.objects.count() - before
        if added:
            calendar_changed()
        self.stdout.write(f"added {added} days")
