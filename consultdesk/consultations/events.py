"""Writing the audit trail. Every service that changes a consultation records an event."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from consultdesk.accounts.models import User
from consultdesk.consultations.choices import EventKind
from consultdesk.consultations.models import Consultation, Event


def jsonable(value: Any) -> Any:
    """A JSON-safe form of a field value for the before/after record."""
    if isinstance(value, models.Model):
        return {"id": value.pk, "label": str(value)}
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def event_record(
    *, consultation: Consultation, actor: User | None, kind: EventKind, data: Mapping[str, Any]
) -> Event:
    return Event.objects.create(consultation=consultation, actor=actor, kind=kind, data=dict(data))


def changes_between(
    before: Mapping[str, Any], after: Mapping[str, Any], fields: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """{field: {"before": …, "after": …}} for the fields whose value differs."""
    return {
        field: {"before": jsonable(before[field]), "after": jsonable(after[field])}
        for field in fields
        if before[field] != after[field]
    }
