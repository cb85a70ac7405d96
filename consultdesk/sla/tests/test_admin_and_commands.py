"""Editing the calendar in the admin recomputes deadlines; seed_holidays is idempotent."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultdesk.accounts.models import Role
from consultdesk.accounts.services import user_create
from consultdesk.conftest import PASSWORD, logged_in
from consultdesk.consultations.models import Consultation
from consultdesk.sla.models import CalendarDay, DaySource
from consultdesk.sla.services import calendar_default, deadlines_on_inbound
from consultdesk.sla.tests.conftest import at

pytestmark = pytest.mark.django_db


def test_adding_a_holiday_in_the_admin_moves_running_deadlines(
    new_case, django_capture_on_commit_callbacks
) -> None:
    admin = user_create(username="root", role=Role.ADMIN, password=PASSWORD, validate=False)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    case = new_case()
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 22:00"))

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(admin).post(
            "/admin/sla/calendarday/add/",
            {
                "calendar": calendar_default().pk,
                "date": "2026-11-26",
                "kind": "holiday",
                "name": "公司年会",
                "source": "library",
            },
        )

    assert response.status_code == 302
    day = CalendarDay.objects.get(date=date(2026, 11, 26))
    assert day.source == DaySource.MANUAL
    assert Consultation.objects.get(pk=case.pk).first_response_due == at("2026-11-27 09:00")


def test_seed_holidays_twice_adds_the_days_once() -> None:
    first, second = StringIO(), StringIO()

    call_command("seed_holidays", stdout=first)
    call_command("seed_holidays", stdout=second)

    assert int(first.getvalue().split()[1]) > 700  # 2004-2026
    assert second.getvalue().strip() == "added 0 days"
    assert CalendarDay.objects.filter(date=date(2026, 10, 1)).count() == 1


def test_seed_holidays_refuses_a_year_the_library_does_not_know() -> None:
    with pytest.raises(CommandError, match="no schedule for 2027"):
        call_command("seed_holidays", "--year", "2027")


def test_a_message_costs_seven_statements(new_case) -> None:
    case = new_case()
    calendar_default()

    with CaptureQueriesContext(connection) as queries:
        deadlines_on_inbound(consultation=case, received_at=at("2026-11-25 22:00"))

    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    # policy, calendar, the range's days, a paused summary clock, the response clock
    # (read, insert), the consultation's mirror column
    assert len(statements) == 7
