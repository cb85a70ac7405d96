"""Raw first, then one decision for every channel.

`inbound_receive` stores what arrived in its own committed transaction, then parses it
with the channel's adapter and hands the result to `message_ingest`, the only place that
decides between a new consultation and a message on an existing one. A failure after
the raw bytes are stored leaves the item FAILED with its error, ready for `inbound_retry`.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django_tasks import task

from consultdesk.accounts.models import User
from consultdesk.clients.models import Client, Contact
from consultdesk.consultations.choices import Channel, Direction
from consultdesk.consultations.models import Attachment, Consultation, Message
from consultdesk.consultations.services import (
    consultation_assign,
    consultation_create,
    message_add,
)
from consultdesk.intake import matching
from consultdesk.intake.inbound import InboundMessage
from consultdesk.intake.models import InboundItem, InboundStatus
from consultdesk.intake.spreadsheet import SheetRow, read_rows

logger = logging.getLogger(__name__)
TITLE_LENGTH = 80
EMPTY_BODY = "(—)"  # a message with attachments only, or a blank form field

Parser = Callable[[bytes], InboundMessage]


def _parsers() -> dict[str, Parser]:
    # Imported lazily: adapters are pure modules with their own (heavier) imports.
    from consultdesk.intake.channels import email, webform
    from consultdesk.wechat import parsers as wechat

    limit = settings.CONSULTDESK_MAX_ATTACHMENT_MB * 1024 * 1024
    return {
        Channel.EMAIL: partial(email.parse_email, max_attachment_bytes=limit),
        Channel.WEB_FORM: webform.parse_submission,
        Channel.WECOM: wechat.parse_wecom_raw,
        Channel.OFFICIAL_ACCOUNT: wechat.parse_official_account_raw,
        Channel.WECHAT: wechat.parse_kf_raw,
    }


@dataclass(frozen=True)
class IngestResult:
    consultation: Consultation
    message: Message
    created_consultation: bool
    duplicate: bool


def inbound_store(*, channel: Channel, raw: bytes, metadata: dict[str, Any]) -> InboundItem:
    """Keep the bytes exactly as received, committed before any parsing is attempted."""
    with transaction.atomic():
        return InboundItem.objects.create(
            channel=channel, raw=raw, size=len(raw), metadata=metadata
        )


def inbound_receive(*, channel: Channel, raw: bytes, metadata: dict[str, Any]) -> InboundItem:
    """Store, then process; the item records whether processing worked."""
    item = inbound_store(channel=channel, raw=raw, metadata=metadata)
    return inbound_process(item=item)


def inbound_process(*, item: InboundItem) -> InboundItem:
    """Parse and ingest a stored item; on failure keep it FAILED with the error."""
    InboundItem.objects.filter(pk=item.pk).update(attempts=item.attempts + 1)
    item.attempts += 1
    try:
        parsed = _parsers()[item.channel](bytes(item.raw))
        result = message_ingest(inbound=parsed)
    except Exception as error:  # noqa: BLE001 - any failure must leave the raw item retryable
        logger.exception("inbound item %s could not be processed", item.pk)
        item.status = InboundStatus.FAILED
        item.error = f"{type(error).__name__}: {error}"[:2000].replace("\x00", "")
        item.save(update_fields=["status", "error"])
        return item
    item.status = InboundStatus.DUPLICATE if result.duplicate else InboundStatus.PROCESSED
    item.external_id = parsed.external_id[:300]
    item.error = ""
    item.processed_at = timezone.now()
    item.consultation = result.consultation
    item.message = result.message
    item.save()
    return item


def inbound_retry(*, item: InboundItem, actor: User | None) -> InboundItem:
    """Process a failed item again (e.g. after a fix was deployed)."""
    if item.status != InboundStatus.FAILED:
        return item
    logger.info("retrying inbound item %s for %s", item.pk, actor)
    return inbound_process(item=item)


def message_ingest(*, inbound: InboundMessage) -> IngestResult:
    """New consultation or a message on an open one; a repeated delivery creates nothing."""
    existing = _already_ingested(inbound)
    if existing is not None:
        return IngestResult(existing.consultation, existing, False, duplicate=True)
    try:
        with transaction.atomic():
            return _ingest(inbound)
    except IntegrityError:
        # A concurrent delivery of the same message won the race for the unique id.
        existing = _already_ingested(inbound)
        if existing is None:
            raise
        return IngestResult(existing.consultation, existing, False, duplicate=True)


def _already_ingested(inbound: InboundMessage) -> Message | None:
    if not inbound.external_id:
        return None
    return (
        Message.objects.select_related("consultation")
        .filter(channel=inbound.channel, external_id=inbound.external_id)
        .first()
    )


def _without_nul(inbound: InboundMessage) -> InboundMessage:
    """PostgreSQL text cannot hold NUL characters; broken mail sometimes carries them."""
    text_fields = (
        "body",
        "subject",
        "sender_name",
        "sender_email",
        "sender_phone",
        "sender_wechat",
        "organisation",
        "external_id",
    )
    changes = {
        name: getattr(inbound, name).replace("\x00", "")
        for name in text_fields
        if "\x00" in getattr(inbound, name)
    }
    return dataclasses.replace(inbound, **changes) if changes else inbound


def _ingest(inbound: InboundMessage) -> IngestResult:
    inbound = _without_nul(inbound)
    member = matching.team_member_for(inbound)
    if member is not None:
        return _ingest_forwarded(inbound, member)
    contact = matching.contact_for(inbound)
    consultation = matching.thread_for(inbound) or matching.open_consultation_for(contact)
    created = consultation is None
    if contact is None:
        contact = _contact_create(inbound, client=consultation.client if consultation else None)
    if consultation is None:
        consultation = consultation_create(
            title=_title(inbound),
            channel=Channel(inbound.channel),
            client=contact.client,
            contact=contact,
            received_at=inbound.received_at or timezone.now(),
            actor=None,
        )
    elif not consultation.contacts.filter(pk=contact.pk).exists():
        consultation.contacts.add(contact)
    message = message_add(
        consultation=consultation,
        direction=Direction.INBOUND,
        channel=Channel(inbound.channel),
        body=inbound.body if inbound.body.strip() else EMPTY_BODY,
        subject=inbound.subject[:300],
        sender=_sender_label(inbound),
        contact=contact,
        occurred_at=inbound.received_at or timezone.now(),
        external_id=inbound.external_id[:300],
        actor=None,
    )
    _attachments_save(message, inbound)
    if inbound.channel != Channel.IMPORT:
        _notify_team(consultation, message)
    return IngestResult(consultation, message, created, duplicate=False)


def _notify_team(consultation: Consultation, message: Message) -> None:
    """The owner hears of every new client message; unassigned work goes to everyone
    who can pick it up (in-app, and by email/WeCom after commit)."""
    from consultdesk.sla.models import NotificationKind
    from consultdesk.sla.notifications import NotificationDraft, notify

    if consultation.owner_id is not None:
        recipients = [consultation.owner]
    else:
        recipients = list(User.objects.filter(is_active=True))
    snippet = " ".join(message.body.split())[:80]
    label = str(consultation.client or message.sender or consultation.reference)
    text = f"{consultation.reference} {label}: {snippet}"
    notify(
        drafts=[
            NotificationDraft(
                user=user, kind=NotificationKind.NEW_INBOUND, text=text, consultation=consultation
            )
            for user in recipients
            if user is not None
        ],
        now=timezone.now(),
    )


def _ingest_forwarded(inbound: InboundMessage, member: User) -> IngestResult:
    """A consultant forwarded a client's words from WeCom: they land on the consultation
    named in the text (CD-…), or open a new one that the consultant owns; the client
    is not the consultant, so no contact is made from the sender."""
    consultation = matching.thread_for(inbound)
    created = consultation is None
    if consultation is None:
        consultation = consultation_create(
            title=_title(inbound),
            channel=Channel.WECOM,
            owner=member,
            received_at=inbound.received_at or timezone.now(),
            actor=member,
        )
    message = message_add(
        consultation=consultation,
        direction=Direction.INBOUND,
        channel=Channel.WECOM,
        body=inbound.body if inbound.body.strip() else EMPTY_BODY,
        sender=f"{member} (WeCom)"[:200],
        occurred_at=inbound.received_at or timezone.now(),
        external_id=inbound.external_id[:300],
        actor=member,
    )
    _attachments_save(message, inbound)
    return IngestResult(consultation, message, created, duplicate=False)


def _attachments_save(message: Message, inbound: InboundMessage) -> None:
    """Keep what the adapter kept; a dropped attachment is noted in the message instead."""
    dropped = []
    for attachment in inbound.attachments:
        if attachment.content is None:
            dropped.append(
                f"{attachment.filename} ({attachment.size} B, {attachment.dropped_reason})"
            )
            continue
        Attachment.objects.create(
            message=message,
            file=ContentFile(attachment.content, name=_storage_name(attachment.filename)),
            filename=attachment.filename[:255],
            content_type=attachment.content_type[:100],
            size=attachment.size,
        )
    if dropped:
        note = "\n\n[" + "; ".join(dropped) + "]"
        Message.objects.filter(pk=message.pk).update(body=message.body + note)


def quick_entry_ingest(
    *,
    channel: Channel,
    caller: str,
    phone: str,
    organisation: str,
    gist: str,
    referred_by: str,
    when: datetime.datetime | None,
    actor: User,
) -> IngestResult:
    """A call, visit or referral logged by a consultant: same decision as any channel;
    a new consultation is the consultant's own."""
    body = f"[{referred_by} →] {gist}" if referred_by else gist
    inbound = InboundMessage(
        channel=channel,
        external_id="",
        body=body,
        sender_name=caller,
        sender_phone=phone,
        organisation=organisation,
        received_at=when,
        extra={"referred_by": referred_by} if referred_by else {},
    )
    result = message_ingest(inbound=inbound)
    if result.created_consultation and result.consultation.owner_id is None:
        consultation_assign(consultation=result.consultation, owner=actor, actor=actor)
    return result


def _contact_create(inbound: InboundMessage, *, client: Client | None) -> Contact:
    if client is None and inbound.organisation.strip():
        name = inbound.organisation.strip()[:200]
        client = Client.objects.filter(name__iexact=name).first() or Client.objects.create(
            name=name
        )
    contact = Contact(
        client=client,
        name=(inbound.sender_name or inbound.sender_email or inbound.sender_phone or "?")[:100],
        email=inbound.sender_email[:254],
        phone=inbound.sender_phone[:40],
        wechat_id=inbound.sender_wechat[:100] if inbound.channel != Channel.WECOM else "",
        wecom_id=inbound.sender_wechat[:100] if inbound.channel == Channel.WECOM else "",
    )
    contact.full_clean(exclude=["email"])  # a malformed address is kept as given
    contact.save()
    return contact


def _storage_name(filename: str) -> str:
    # The original name is kept in Attachment.filename; on disk, no path tricks.
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if not base.strip(". "):
        return "attachment"
    stem, dot, extension = get_valid_filename(base).rpartition(".")
    if not dot:
        return stem[:60] or extension[:60]
    return f"{stem[:50]}.{extension[:10]}"


def _title(inbound: InboundMessage) -> str:
    from consultdesk.intake.channels.email import strip_reply_prefixes

    subject = strip_reply_prefixes(inbound.subject).strip()
    text = subject or " ".join(inbound.body.split())
    if len(text) > TITLE_LENGTH:
        text = text[: TITLE_LENGTH - 1] + "…"
    return text or "(no subject)"


def _sender_label(inbound: InboundMessage) -> str:
    parts = [inbound.sender_name, inbound.sender_email or inbound.sender_phone]
    return " ".join(part for part in parts if part)[:200]


@dataclass(frozen=True)
class ImportReport:
    created: int
    appended: int
    duplicates: int
    invalid: int


def spreadsheet_preview(*, item: InboundItem) -> list[SheetRow]:
    """The stored file's rows with their errors (raises SpreadsheetError)."""
    return read_rows(
        content=bytes(item.raw),
        filename=item.metadata.get("filename", ""),
        time_zone=settings.TIME_ZONE,
    )


def spreadsheet_import(*, item: InboundItem, actor: User | None) -> ImportReport:
    """Ingest every valid row of a stored spreadsheet; re-importing creates nothing new."""
    rows = spreadsheet_preview(item=item)
    counts = {"created": 0, "appended": 0, "duplicates": 0, "invalid": 0}
    for row in rows:
        if row.errors:
            counts["invalid"] += 1
            continue
        result = message_ingest(inbound=row.inbound())
        if result.duplicate:
            counts["duplicates"] += 1
        elif result.created_consultation:
            counts["created"] += 1
        else:
            counts["appended"] += 1
    InboundItem.objects.filter(pk=item.pk).update(
        status=InboundStatus.PROCESSED,
        processed_at=timezone.now(),
        metadata={**item.metadata, "report": counts, "imported_by": str(actor or "")},
    )
    return ImportReport(**counts)


@task()
def spreadsheet_import_task(item_id: int, actor_id: int | None) -> dict[str, int]:
    """Large logs are imported by the worker, not inside a web request."""
    item = InboundItem.objects.get(pk=item_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    try:
        report = spreadsheet_import(item=item, actor=actor)
    except Exception as error:
        InboundItem.objects.filter(pk=item_id).update(
            status=InboundStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    return report.__dict__
