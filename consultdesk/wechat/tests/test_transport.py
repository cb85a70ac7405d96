"""Notifications copied to consultants' WeCom."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from consultdesk.accounts.models import User
from consultdesk.consultations.models import Consultation
from consultdesk.sla.models import Notification, NotificationKind
from consultdesk.wechat.models import WeComMember
from consultdesk.wechat.tests.stub import StubWeChat
from consultdesk.wechat.transport import WeComTransport

pytestmark = pytest.mark.django_db
SEND = "/cgi-bin/message/send"


def notification(user: User, consultation: Consultation | None) -> Notification:
    return Notification.objects.create(
        user=user,
        kind=NotificationKind.BREACH,
        consultation=consultation,
        text="CD 首次回复已超时",
        created_at=timezone.now(),
    )


def test_alice_gets_a_card_linking_to_her_consultation(
    stub: StubWeChat, settings: Any, alice: User, bob: User, alices_case: Consultation
) -> None:
    settings.CONSULTDESK_BASE_URL = "https://desk.example.cn/"
    WeComMember.objects.create(user=alice, userid="alice.wang")
    # Bob has no WeCom UserID: his copy stays in-app only.
    WeComTransport().send([notification(alice, alices_case), notification(bob, alices_case)])
    (call,) = stub.calls(SEND)
    assert call.body["touser"] == "alice.wang"
    assert call.body["textcard"]["url"] == (
        f"https://desk.example.cn/consultations/{alices_case.pk}/"
    )
    assert call.body["textcard"]["description"] == "CD 首次回复已超时"


def test_without_a_base_url_it_sends_plain_text(
    stub: StubWeChat, alice: User, alices_case: Consultation
) -> None:
    WeComMember.objects.create(user=alice, userid="alice.wang")
    WeComTransport().send([notification(alice, alices_case)])
    assert stub.calls(SEND)[0].body["msgtype"] == "text"


def test_a_refusal_for_one_does_not_stop_the_others(
    stub: StubWeChat, alice: User, bob: User
) -> None:
    WeComMember.objects.create(user=alice, userid="alice.wang")
    WeComMember.objects.create(user=bob, userid="bob.li")
    stub.queue(SEND, {"errcode": 60111, "errmsg": "userid not found"})
    WeComTransport().send([notification(alice, None), notification(bob, None)])
    assert [call.body["touser"] for call in stub.calls(SEND)] == ["alice.wang", "bob.li"]


def test_nothing_is_sent_when_wecom_is_not_configured(
    stub: StubWeChat, settings: Any, alice: User
) -> None:
    settings.CONSULTDESK_WECOM_SECRET = ""
    WeComMember.objects.create(user=alice, userid="alice.wang")
    WeComTransport().send([notification(alice, None)])
    assert stub.seen == []
