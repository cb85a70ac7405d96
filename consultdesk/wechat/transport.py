"""A notification transport for consultdesk.sla.notifications: copies each in-app
notification to the consultant's WeCom as an application message (text card)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.urls import reverse

from consultdesk.wechat import config
from consultdesk.wechat.client import WeChatApiError
from consultdesk.wechat.models import WeComMember
from consultdesk.wechat.notify import wecom_notify, wecom_notify_configured

if TYPE_CHECKING:
    from consultdesk.sla.models import Notification

logger = logging.getLogger(__name__)


class WeComTransport:
    name = "wecom"

    def send(self, notifications: Sequence[Notification]) -> None:
        """One message per notification to users with a WeCom UserID; a refusal for one
        is logged and the rest still go out."""
        if not notifications or not wecom_notify_configured():
            return
        user_ids = {item.user_id for item in notifications}
        members = dict(
            WeComMember.objects.filter(user_id__in=user_ids).values_list("user_id", "userid")
        )
        for item in notifications:
            userid = members.get(item.user_id)
            if not userid:
                continue
            try:
                wecom_notify(
                    userids=[userid],
                    text=item.text,
                    url=consultation_link(item.consultation_id),
                    title=str(item.get_kind_display()),
                )
            except WeChatApiError as error:
                logger.warning("WeCom notification %s to %s failed: %s", item.pk, userid, error)


def consultation_link(consultation_id: int | None) -> str:
    """An absolute link for the text card; none without CONSULTDESK_BASE_URL."""
    base = config.setting("CONSULTDESK_BASE_URL").rstrip("/")
    if not base or consultation_id is None:
        return ""
    return base + reverse("consultation_detail", kwargs={"pk": consultation_id})
