"""What the public form tells the client about when to expect an answer."""

from __future__ import annotations

import datetime

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from consultdesk.consultations.models import Consultation
from consultdesk.sla.businesstime import is_working_time
from consultdesk.sla.services import rules_for


def expected_answer(*, consultation: Consultation) -> tuple[datetime.datetime, bool]:
    """(answer due, arrived after hours) on the team's own calendar and policy, the same
    rules that set the consultation's response deadline."""
    received = consultation.received_at
    rules = rules_for(consultation=consultation, around=received)
    due = consultation.first_response_due or rules.first_response_due(received)
    return due, not is_working_time(received, calendar=rules.spec)


def acknowledgement_send(*, consultation: Consultation, email: str, language: str) -> None:
    """The acknowledgement email, in the language the client used the form in."""
    due, _after_hours = expected_answer(consultation=consultation)
    with translation.override(language):
        context = {"consultation": consultation, "due": timezone.localtime(due)}
        subject = render_to_string("intake/ack_subject.txt", context).strip()
        body = render_to_string("intake/ack_email.txt", context)
    send_mail(subject, body, None, [email])
