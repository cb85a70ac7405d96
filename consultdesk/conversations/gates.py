"""Facts the stage gates for "prepared", "met", "summary sent" and "summary confirmed"
need from this app, read in one query (for `Consultation.record_snapshot()`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef

from consultdesk.consultations.models import Consultation
from consultdesk.conversations.models import Meeting, Question, SummaryVersion


@dataclass(frozen=True)
class ConversationFacts:
    has_checklist: bool = False  # at least one question on the checklist
    meeting_ended: bool = False  # at least one meeting has ended
    summary_sent: bool = False  # a version is out with the client (its link is current)
    summary_confirmed: bool = False  # the client confirmed the version currently sent


def conversation_facts(consultation: Consultation) -> ConversationFacts:
    current = SummaryVersion.objects.filter(
        summary__consultation=OuterRef("pk"),
        sent_at__isnull=False,
        sent_counter=F("summary__send_counter"),
    )
    row = (
        Consultation.objects.filter(pk=consultation.pk)
        .annotate(
            has_checklist=Exists(
                Question.objects.filter(consultation=OuterRef("pk"), removed=False)
            ),
            meeting_ended=Exists(
                Meeting.objects.filter(consultation=OuterRef("pk"), ended_at__isnull=False)
            ),
            summary_sent=Exists(current),
            summary_confirmed=Exists(current.filter(confirmed_at__isnull=False)),
        )
        .values("has_checklist", "meeting_ended", "summary_sent", "summary_confirmed")
        .first()
    )
    return ConversationFacts(**row) if row else ConversationFacts()
