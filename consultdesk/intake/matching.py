"""Which contact sent this, and which consultation does it belong to."""

from __future__ import annotations

import re

from consultdesk.accounts.models import User
from consultdesk.clients.models import Contact
from consultdesk.consultations.choices import Channel
from consultdesk.consultations.models import Consultation, Message
from consultdesk.intake.inbound import InboundMessage

DIGITS = re.compile(r"\D+")


def normalised_phone(phone: str) -> str:
    """Digits only, without China's +86 prefix: '+86 138-0013-8001' → '13800138001'."""
    digits = DIGITS.sub("", phone)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def contact_for(inbound: InboundMessage) -> Contact | None:
    """The known contact behind an inbound item: by email, WeChat/WeCom id, then phone."""
    contacts = Contact.objects.select_related("client")
    if inbound.sender_email:
        found = contacts.filter(email__iexact=inbound.sender_email).order_by("id").first()
        if found:
            return found
    if inbound.sender_wechat:
        field = "wecom_id" if inbound.channel == Channel.WECOM else "wechat_id"
        found = contacts.filter(**{field: inbound.sender_wechat}).order_by("id").first()
        if found:
            return found
    phone = normalised_phone(inbound.sender_phone)
    if len(phone) >= 7:
        # Stored numbers are kept as typed; compare on the trailing digits.
        for candidate in contacts.filter(phone__endswith=phone[-7:]).order_by("id")[:20]:
            if normalised_phone(candidate.phone) == phone:
                return candidate
    return None


def thread_for(inbound: InboundMessage) -> Consultation | None:
    """An explicit thread: a reply to a stored message, then a [CD-…] tag in the subject."""
    if inbound.replies_to:
        message = (
            Message.objects.select_related("consultation")
            .filter(external_id__in=inbound.replies_to)
            .order_by("-occurred_at")
            .first()
        )
        if message:
            return message.consultation
    from consultdesk.intake.channels.email import find_reference

    # The subject for mail; the text itself for chat, where consultants paste "CD-…".
    reference = find_reference(inbound.subject) or (
        find_reference(inbound.body[:500]) if inbound.channel != Channel.EMAIL else None
    )
    if not reference:
        return None
    consultation = Consultation.objects.filter(reference=reference).first()
    for _hop in range(10):  # follow merges, bounded against a (corrupt) cycle
        if consultation is None or consultation.merged_into_id is None:
            break
        consultation = consultation.merged_into
    return consultation


def team_member_for(inbound: InboundMessage) -> User | None:
    """The consultant behind a WeCom message: they forward clients' words or log notes."""
    if inbound.channel != Channel.WECOM or not inbound.sender_wechat:
        return None
    from consultdesk.wechat.models import WeComMember

    member = (
        WeComMember.objects.select_related("user")
        .filter(userid=inbound.sender_wechat, user__is_active=True)
        .first()
    )
    return member.user if member else None


def open_consultation_for(contact: Contact | None) -> Consultation | None:
    """The contact's most recently active open consultation, if any."""
    if contact is None:
        return None
    return (
        Consultation.objects.filter(contacts=contact).open().order_by("-last_activity_at").first()
    )
