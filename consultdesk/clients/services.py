"""The only write path for clients and contacts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from consultdesk.clients.models import Client, Contact

CLIENT_FIELDS = ("name", "industry", "size", "technical_level", "website", "notes")
CONTACT_FIELDS = ("client", "name", "role", "job_title", "phone", "email", "wechat_id", "wecom_id")


def _apply(instance: Any, changes: Mapping[str, Any], allowed: tuple[str, ...]) -> Any:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError({field: "Unknown field." for field in sorted(unknown)})
    for field, value in changes.items():
        setattr(instance, field, value)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def client_create(**fields: Any) -> Client:
    """A new client organisation; field-level errors as ValidationError."""
    return _apply(Client(), fields, CLIENT_FIELDS)


@transaction.atomic
def client_update(*, client: Client, changes: Mapping[str, Any]) -> Client:
    return _apply(client, changes, CLIENT_FIELDS)


@transaction.atomic
def contact_create(**fields: Any) -> Contact:
    return _apply(Contact(), fields, CONTACT_FIELDS)


@transaction.atomic
def contact_update(*, contact: Contact, changes: Mapping[str, Any]) -> Contact:
    return _apply(contact, changes, CONTACT_FIELDS)


CHANNEL_IDS = ("email", "phone", "wechat_id", "wecom_id")


@transaction.atomic
def contact_merge(*, source: Contact, target: Contact) -> Contact:
    """The same person reached us on another channel: keep one contact that carries
    every id (so future messages match it) and move the messages and consultations."""
    from consultdesk.consultations.models import Consultation, Message

    if source.pk == target.pk:
        raise ValidationError({"target": "A contact cannot be merged into itself."})
    for field in CHANNEL_IDS:
        if not getattr(target, field) and getattr(source, field):
            setattr(target, field, getattr(source, field))
    if target.client_id is None:
        target.client_id = source.client_id
    target.full_clean()
    target.save()
    Message.objects.filter(contact=source).update(contact=target)
    Consultation.objects.filter(primary_contact=source).update(primary_contact=target)
    for consultation in Consultation.objects.filter(contacts=source):
        consultation.contacts.add(target)
    source.delete()
    return target
