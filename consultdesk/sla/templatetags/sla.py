"""``{% load sla %}``: deadline clocks and the unread-notifications badge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template

from consultdesk.consultations.models import Consultation
from consultdesk.sla.display import ClockState, clock_state
from consultdesk.sla.models import Notification
from consultdesk.sla.services import cached_policies, policy_resolve

register = template.Library()


@register.simple_tag
def consultation_clock(consultation: Consultation, now: datetime) -> ClockState:
    """The most urgent running deadline of a consultation, with its colour."""
    dues = [due for due in (consultation.first_response_due, consultation.summary_due) if due]
    policy = policy_resolve(
        policies=cached_policies(), channel=consultation.channel, priority=consultation.priority
    )
    return clock_state(min(dues) if dues else None, now, policy.warn_minutes)


@register.inclusion_tag("sla/_badge.html", takes_context=True)
def notification_badge(context: dict[str, Any]) -> dict[str, Any]:
    """The unread count for the signed-in user (one query)."""
    user = context["request"].user
    unread = 0
    if user.is_authenticated:
        unread = Notification.objects.filter(user=user, read_at=None).count()
    return {"unread_count": unread}
