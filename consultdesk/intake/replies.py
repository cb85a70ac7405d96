"""Replying to a client by email, threaded the way mail clients expect.

The reply is saved on the timeline first; the SMTP conversation happens afterwards in a
background task, so a slow or failing mail server never blocks or undoes the reply.
"""

from __future__ import annotations

import logging
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django_tasks import task

from consultdesk.accounts.models import User
from consultdesk.consultations.choices import Channel, Direction
from consultdesk.consultations.models import Consultation, Delivery, Message
from consultdesk.consultations.services import message_add
from consultdesk.intake.channels.email import strip_reply_prefixes

logger = logging.getLogger(__name__)
REFERENCES_KEPT = 10


def _recipient(consultation: Consultation) -> str:
    contact = consultation.primary_contact
    if contact and contact.email:
        return contact.email
    latest = (
        consultation.messages.filter(direction=Direction.INBOUND, contact__email__gt="")
        .select_related("contact")
        .order_by("-occurred_at")
        .first()
    )
    return latest.contact.email if latest and latest.contact else ""


def _thread(consultation: Consultation) -> tuple[str, list[str]]:
    """(subject base, message ids of the email thread, oldest first)."""
    emails = list(
        consultation.messages.filter(channel=Channel.EMAIL)
        .exclude(external_id="")
        .order_by("-occurred_at")
        .values_list("subject", "external_id")[:REFERENCES_KEPT]
    )
    subject = next((subject for subject, _id in emails if subject), consultation.title)
    return strip_reply_prefixes(subject), [message_id for _subject, message_id in reversed(emails)]


def email_reply_send(*, consultation: Consultation, body: str, actor: User) -> Message:
    """Record a reply on the timeline and queue it for sending by email."""
    recipient = _recipient(consultation)
    if not recipient:
        raise ValidationError({"body": "This client has no email address to reply to."})
    subject_base, references = _thread(consultation)
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "consultdesk.local"
    message_id = make_msgid(domain=domain).strip("<>")
    with transaction.atomic():
        message = message_add(
            consultation=consultation,
            direction=Direction.OUTBOUND,
            channel=Channel.EMAIL,
            body=body,
            subject=f"[{consultation.reference}] Re: {subject_base}"[:300],
            sender=str(actor),
            external_id=message_id,
            actor=actor,
        )
        Message.objects.filter(pk=message.pk).update(delivery=Delivery.SENDING)
        payload: dict[str, object] = {"to": recipient, "references": references}
        transaction.on_commit(lambda: email_reply_deliver.enqueue(message.pk, payload))
    return message


@task()
def email_reply_deliver(message_id: int, payload: dict[str, object]) -> None:
    """Send a queued reply over SMTP and record the outcome on the message."""
    message = Message.objects.get(pk=message_id)
    references = [str(item) for item in payload["references"]]  # type: ignore[attr-defined]
    headers = {"Message-ID": f"<{message.external_id}>"}
    if references:
        headers["In-Reply-To"] = f"<{references[-1]}>"
        headers["References"] = " ".join(f"<{item}>" for item in references)
    email = EmailMessage(
        subject=message.subject, body=message.body, to=[str(payload["to"])], headers=headers
    )
    try:
        email.send()
    except OSError as error:  # SMTP errors are OSErrors too
        logger.warning("reply %s could not be sent: %s", message_id, error)
        Message.objects.filter(pk=message_id).update(
            delivery=Delivery.FAILED, delivery_error=str(error)[:1000]
        )
        return
    Message.objects.filter(pk=message_id).update(delivery=Delivery.SENT, delivery_error="")
