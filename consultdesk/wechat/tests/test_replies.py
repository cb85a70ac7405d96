"""Replies through WeChat Customer Service, from the service and from the page."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.utils import timezone

from consultdesk.accounts.models import User
from consultdesk.conftest import logged_in
from consultdesk.consultations.choices import Channel, Direction
from consultdesk.consultations.models import Consultation, Delivery, Message
from consultdesk.wechat.replies import wechat_reply_send
from consultdesk.wechat.services import kf_sync
from consultdesk.wechat.tests.stub import StubWeChat

pytestmark = pytest.mark.django_db
OnCommit = Callable[..., Any]
SEND = "/cgi-bin/kf/send_msg"


@pytest.fixture
def wechat_case(
    stub: StubWeChat, alice: User, django_capture_on_commit_callbacks: OnCommit
) -> Consultation:
    """A consultation opened by a WeChat client a minute ago, owned by Alice."""
    sent = int(timezone.now().timestamp()) - 60
    stub.queue(
        "/cgi-bin/kf/sync_msg",
        {
            "errcode": 0,
            "next_cursor": "C1",
            "has_more": 0,
            "msg_list": [
                {
                    "msgid": "kf-1",
                    "open_kfid": "wkKF1",
                    "external_userid": "wmCHEN",
                    "send_time": sent,
                    "origin": 3,
                    "msgtype": "text",
                    "text": {"content": "想了解一下微服务改造"},
                }
            ],
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        kf_sync(open_kfid="wkKF1")
    consultation = Consultation.objects.get()
    Consultation.objects.filter(pk=consultation.pk).update(owner=alice)
    consultation.refresh_from_db()
    return consultation


class TestWeChatReplySend:
    def test_the_reply_is_recorded_then_sent_with_its_own_msgid(
        self,
        wechat_case: Consultation,
        alice: User,
        stub: StubWeChat,
        django_capture_on_commit_callbacks: OnCommit,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            message = wechat_reply_send(
                consultation=wechat_case, body="您好，明天上午方便通话吗？", actor=alice
            )
        message.refresh_from_db()
        assert (message.direction, message.channel, message.delivery) == (
            Direction.OUTBOUND,
            Channel.WECHAT,
            Delivery.SENT,
        )
        assert stub.calls(SEND)[0].body == {
            "touser": "wmCHEN",
            "open_kfid": "wkKF1",
            "msgid": message.external_id,
            "msgtype": "text",
            "text": {"content": "您好，明天上午方便通话吗？"},
        }

    def test_a_refused_send_is_recorded_as_failed(
        self,
        wechat_case: Consultation,
        alice: User,
        stub: StubWeChat,
        django_capture_on_commit_callbacks: OnCommit,
    ) -> None:
        stub.queue(SEND, {"errcode": 95001, "errmsg": "send msg count limit"})
        with django_capture_on_commit_callbacks(execute=True):
            message = wechat_reply_send(consultation=wechat_case, body="补充一点", actor=alice)
        message.refresh_from_db()
        assert message.delivery == Delivery.FAILED
        assert message.delivery_error == "WeChat API error 95001: send msg count limit"

    def test_it_refuses_a_client_who_never_wrote_on_wechat(
        self, alices_case: Consultation, alice: User, stub: StubWeChat
    ) -> None:
        before = alices_case.messages.count()
        with pytest.raises(ValidationError):
            wechat_reply_send(consultation=alices_case, body="您好", actor=alice)
        assert alices_case.messages.count() == before
        assert stub.calls(SEND) == []

    def test_it_refuses_after_the_48_hour_window(
        self, wechat_case: Consultation, alice: User, stub: StubWeChat
    ) -> None:
        Message.objects.filter(consultation=wechat_case).update(
            occurred_at=timezone.now() - datetime.timedelta(hours=49)
        )
        with pytest.raises(ValidationError, match="48 hours"):
            wechat_reply_send(consultation=wechat_case, body="您好", actor=alice)
        assert wechat_case.messages.count() == 1

    def test_it_refuses_a_text_over_2048_bytes(
        self, wechat_case: Consultation, alice: User
    ) -> None:
        with pytest.raises(ValidationError, match="2048"):
            wechat_reply_send(consultation=wechat_case, body="长" * 683, actor=alice)


class TestReplyView:
    def test_alice_replies_from_the_consultation_page(
        self,
        wechat_case: Consultation,
        alice: User,
        stub: StubWeChat,
        django_capture_on_commit_callbacks: OnCommit,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = logged_in(alice).post(
                f"/intake/wechat/reply/{wechat_case.pk}/", {"body": "收到，稍后回复"}
            )
        assert response.status_code == 302
        assert response["Location"] == f"/consultations/{wechat_case.pk}/"
        assert wechat_case.messages.filter(direction=Direction.OUTBOUND).count() == 1
        assert len(stub.calls(SEND)) == 1

    def test_charlie_gets_404_and_nothing_is_sent(
        self, wechat_case: Consultation, charlie: User, stub: StubWeChat
    ) -> None:
        response = logged_in(charlie).post(
            f"/intake/wechat/reply/{wechat_case.pk}/", {"body": "hi"}
        )
        assert response.status_code == 404
        assert wechat_case.messages.count() == 1
        assert stub.calls(SEND) == []

    def test_an_anonymous_visitor_is_sent_to_the_login_page(
        self, wechat_case: Consultation, stub: StubWeChat
    ) -> None:
        response = HttpClient().post(f"/intake/wechat/reply/{wechat_case.pk}/", {"body": "hi"})
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
        assert wechat_case.messages.count() == 1
