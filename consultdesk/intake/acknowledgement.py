"""What the public form tells the client about when to expect an answer."""

from __future__ import annotations

import datetime

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from consultdesk.consultations.models import Consultation
from consultdesk.sla.businesstime import CalendarSpec, first_response_due, is_working_time
from consultdesk.sla.holidays_cn import official_schedule


def default_calendar(around: datetime.date) -> CalendarSpec:
    """The mainland China calendar from the library's data, until a team edits its own."""
    schedule = official_schedule(
        start=around - datetime.timedelta(days=3), end=around + datetime.timedelta(days=40)
    )
    return CalendarSpec(
        holidays=schedule.holiday_dates, makeup_working_days=schedule.makeup_working_dates
    )


def expected_answer(*, consultation: Consultation) -> tuple[datetime.datetime, bool]:
    """(answer due, arrived after hours): the stored deadline when the SLA set one."""
    received = consultation.received_at
    calendar = default_calendar(timezone.localdate(received))
    due = consultation.first_response_due or first_response_due(
        received_at=received, calendar=calendar
    )
    return due, not is_working_time(received, calendar=calendar)


def acknowledgement_send(*, consultation: Consultation, email: str, language: str) -> None:
    """The acknowledgement email, in the language the client used the form in."""
    due, _after_hours = expected_answer(consultation=consultation)
    with translation.override(language):
        context = {"consultation": consultation, "due": timezone.localtime(due)}
        subject = render_to_string("intake/ack_subject.txt", context).strip()
        body = render_to_string("intake/ack_email.txt", context)
    send_mail(subject, body, None, [email])
