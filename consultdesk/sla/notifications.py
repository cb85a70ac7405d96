"""Notifications: stored in-app first, then copied out by transports after commit.

``notify(drafts=..., now=...)`` is the one entry point. It writes the in-app rows inside
the caller's transaction and hands the saved rows to every configured transport
once that transaction commits, so a rolled-back sweep sends nothing and no network I/O
happens inside ``atomic()``. A new channel (WeCom application messages, say) is one
class with ``name`` and ``send(notifications)``, listed by dotted path in the setting
``CONSULTDESK_NOTIFICATION_TRANSPORTS`` (default: email only), read at call time.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils.module_loading import import_string

from consultdesk.sla.models import Notification, NotificationKind

if TYPE_CHECKING:
    from consultdesk.accounts.models import User
    from consultdesk.consultations.models import Consultation

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotificationDraft:
    """One notification to one person, before it is stored."""

    user: User
    kind: NotificationKind
    text: str
    consultation: Consultation | None = None


class Transport(Protocol):
    """Sends stored notifications somewhere outside the app; must not raise for one
    bad address (log it), since the in-app copy is already saved."""

    name: str

    def send(self, notifications: Sequence[Notification]) -> None: ...


class EmailTransport:
    name = "email"

    def send(self, notifications: Sequence[Notification]) -> None:
        messages = [
            EmailMessage(subject=item.text[:150], body=item.text, to=[item.user.email])
            for item in notifications
            if item.user.email
        ]
        if messages:
            get_connection(fail_silently=False).send_messages(messages)


DEFAULT_TRANSPORTS = ["consultdesk.sla.notifications.EmailTransport"]


def transports() -> list[Transport]:
    """The configured transports, e.g. email plus
    ``consultdesk.wechat.transport.WeComTransport``."""
    paths = getattr(settings, "CONSULTDESK_NOTIFICATION_TRANSPORTS", DEFAULT_TRANSPORTS)
    return [import_string(path)() for path in paths]


def notify(*, drafts: Sequence[NotificationDraft], now: datetime) -> list[Notification]:
    """Store the notifications now and send them through every transport after commit."""
    if not drafts:
        return []
    rows = Notification.objects.bulk_create(
        Notification(
            user=draft.user,
            kind=draft.kind,
            consultation=draft.consultation,
            text=draft.text[:500],
            created_at=now,
        )
        for draft in drafts
    )
    for transport in transports():
        transaction.on_commit(partial(_send_quietly, transport, rows))
    return rows


def _send_quietly(transport: Transport, rows: Sequence[Notification]) -> None:
    # A mail server that is down must not fail the sweep that already committed.
    try:
        transport.send(rows)
    except Exception:
        logger.exception("notification transport %s failed for %d items", transport.name, len(rows))
