from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from consultdesk.consultations.choices import Channel
from consultdesk.consultations.models import Consultation

TIMELINE_LIMIT = 500


@dataclass
class TimelineItem:
    type: str
    at: datetime
    pk: int | None = None
    direction: str | None = None
    channel: str | None = None
    channel_label: str = ""
    sender: str = ""
    body: str = ""
    subject: str = ""
    delivery: str = ""
    delivery_error: str = ""
    attachments: list[Any] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    kind: str = ""
    actor: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def _findings_of(message: Any) -> list[dict[str, Any]]:
    analysis = getattr(message, "analysis", None)
    return list(analysis.result.get("findings", [])) if analysis else []


def timeline_entries(consultation: Consultation) -> list[TimelineItem]:
    """Messages and audit events merged by time (three queries, whatever the length)."""
    messages = (
        consultation.messages.select_related("analysis")
        .prefetch_related("attachments")
        .order_by("-occurred_at", "-id")[:TIMELINE_LIMIT]
    )
    events = consultation.events.select_related("actor").order_by("-created_at", "-id")[
        :TIMELINE_LIMIT
    ]
    items = [
        TimelineItem(
            type="message",
            at=message.occurred_at,
            pk=message.pk,
            direction=message.direction,
            channel=message.channel,
            channel_label=str(Channel(message.channel).label)
            if message.channel in Channel.values
            else message.channel,
            sender=message.sender,
            subject=message.subject,
            body=message.body,
            delivery=message.delivery,
            delivery_error=message.delivery_error,
            attachments=list(message.attachments.all()),
            findings=_findings_of(message),
        )
        for message in messages
    ]
    items += [
        TimelineItem(
            type="event",
            at=event.created_at,
            kind=event.kind,
            actor=str(event.actor) if event.actor else "",
            data=event.data,
        )
        for event in events
    ]
    return sorted(items, key=lambda item: item.at)
