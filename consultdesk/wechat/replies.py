"""Replying to a WeChat Customer Service client from the consultation page (kf/send_msg).

As with email replies, the reply is on the timeline first; the API call happens in a
task after commit and its outcome is recorded on `Message.delivery`.
"""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from consultdesk.accounts.models import User
from consultdesk.consultations.choices import Channel, Direction
from consultdesk.consultations.models import Consultation, Delivery, Message
from consultdesk.consultations.services import message_add
from consultdesk.wechat.client import WeChatApiError, WeComApi

logger = logging.getLogger(__name__)
# WeChat lets a servicer answer within 48 hours of the client's last message.
KF_REPLY_WINDOW = datetime.timedelta(hours=48)
KF_TEXT_LIMIT_BYTES = 2048


@dataclass(frozen=True)
class KfReplyTarget:
    open_kfid: str
    external_userid: str
    last_inbound_at: datetime.datetime


def kf_reply_target(consultation: Consultation) -> KfReplyTarget | None:
    """Who to answer and through which account: the client's latest Customer Service
    message, read from its stored raw item."""
    latest = (
        consultation.messages.filter(channel=Channel.WECHAT, direction=Direction.INBOUND)
        .order_by("-occurred_at", "-id")
        .first()
    )
    item = latest.inbound_items.order_by("-id").first() if latest else None
    if latest is None or item is None:
        return None
    try:
        stored = json.loads(bytes(item.raw))
        msg = stored["msg"]
        target = KfReplyTarget(
            str(msg.get("open_kfid") or ""),
            str(msg.get("external_userid") or ""),
            latest.occurred_at,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return target if target.open_kfid and target.external_userid else None


def wechat_reply_send(*, consultation: Consultation, body: str, actor: User) -> Message:
    """Record a reply on the timeline and queue it for WeChat Customer Service; only
    within 48 hours of the client's last message, and at most 2048 bytes."""
    target = kf_reply_target(consultation)
    if target is None:
        raise ValidationError(
            {"body": _("This client has not written through WeChat Customer Service.")}
        )
    if timezone.now() - target.last_inbound_at > KF_REPLY_WINDOW:
        raise ValidationError(
            {"body": _("WeChat allows replies only within 48 hours of the client's message.")}
        )
    if len(body.encode("utf-8")) > KF_TEXT_LIMIT_BYTES:
        raise ValidationError({"body": _("A WeChat message is limited to 2048 bytes.")})
    with transaction.atomic():
        message = message_add(
            consultation=consultation,
            direction=Direction.OUTBOUND,
            channel=Channel.WECHAT,
            body=body,
            sender=str(actor),
            # Passed to kf/send_msg as its msgid: a repeated send is recognised by WeChat.
            external_id=uuid.uuid4().hex,
            actor=actor,
        )
        Message.objects.filter(pk=message.pk).update(delivery=Delivery.SENDING)
        payload = {"open_kfid": target.open_kfid, "touser": target.external_userid}
        transaction.on_commit(lambda: wechat_reply_deliver.enqueue(message.pk, payload))
    return message


@task()
def wechat_reply_deliver(message_id: int, payload: dict[str, str]) -> None:
    """Send a queued reply with kf/send_msg and record the outcome on the message."""
    message = Message.objects.get(pk=message_id)
    try:
        WeComApi.customer_service().kf_send_text(
            open_kfid=payload["open_kfid"],
            touser=payload["touser"],
            content=message.body,
            msgid=message.external_id,
        )
    except WeChatApiError as error:
        logger.warning("WeChat reply %s could not be sent: %s", message_id, error)
        Message.objects.filter(pk=message_id).update(
            delivery=Delivery.FAILED, delivery_error=str(error)[:1000]
        )
        return
    Message.objects.filter(pk=message_id).update(delivery=Delivery.SENT, delivery_error="")
