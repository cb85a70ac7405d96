import datetime
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse

from consultdesk.accounts.models import User
from consultdesk.clients.models import Contact
from consultdesk.conftest import logged_in
from consultdesk.consultations.models import Consultation, Message
from consultdesk.intake.models import InboundItem, InboundStatus

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def submission(**changes: str) -> dict[str, str]:
    data = {
        "name": "陈校长",
        "organisation": "华育在线教育",
        "phone": "13800138001",
        "email": "chen@huayu.example.cn",
        "wechat": "",
        "preferred_channel": "phone",
        "need": "我们想优化一下在线教学系统，家长端 App 打开很慢。",
        "website": "",
        "submission_key": "key-1",
    }
    data.update(changes)
    return data


def test_the_form_is_public_and_embeddable(db: None) -> None:
    response = HttpClient().get(reverse("web_inquiry"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert 'name="submission_key"' in response.content.decode()


def test_a_submission_is_stored_raw_then_becomes_a_consultation(
    db: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    browser = HttpClient()
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(reverse("web_inquiry"), submission())
    consultation = Consultation.objects.get()
    assert response["Location"] == reverse("web_inquiry_thanks", args=[consultation.reference])
    item = InboundItem.objects.get()
    assert b"need=" in bytes(item.raw) and item.status == InboundStatus.PROCESSED
    assert (item.consultation, item.external_id) == (consultation, "form:key-1")
    assert consultation.channel == "web_form"
    assert consultation.client.name == "华育在线教育"
    assert consultation.primary_contact.phone == "13800138001"
    assert mail.outbox[0].to == ["chen@huayu.example.cn"]
    assert consultation.reference in mail.outbox[0].subject
    thanks = browser.get(response["Location"]).content.decode()
    assert consultation.reference in thanks


def test_a_browser_form_post_is_stored_byte_for_byte(db: None) -> None:
    from urllib.parse import urlencode

    body = urlencode(submission()).encode()
    HttpClient().post(
        reverse("web_inquiry"), body, content_type="application/x-www-form-urlencoded"
    )
    item = InboundItem.objects.get()
    assert (bytes(item.raw), item.metadata["exact_body"]) == (body, True)


def test_submitting_twice_creates_nothing_new(db: None) -> None:
    browser = HttpClient()
    browser.post(reverse("web_inquiry"), submission())
    browser.post(reverse("web_inquiry"), submission())
    assert (Consultation.objects.count(), Message.objects.count()) == (1, 1)
    assert list(InboundItem.objects.values_list("status", flat=True).order_by("id")) == [
        InboundStatus.PROCESSED,
        InboundStatus.DUPLICATE,
    ]


def test_a_known_contact_with_an_open_consultation_gets_the_message_appended(db: None) -> None:
    browser = HttpClient()
    browser.post(reverse("web_inquiry"), submission())
    browser.post(
        reverse("web_inquiry"),
        submission(
            submission_key="key-2", phone="+86 138-0013-8001", email="", need="补充：预算 30 万"
        ),
    )
    consultation = Consultation.objects.get()
    assert consultation.messages.count() == 2
    assert Contact.objects.count() == 1


def test_invalid_input_gets_field_messages_and_stores_nothing(db: None) -> None:
    response = HttpClient().post(
        reverse("web_inquiry"), submission(need="", phone="", email="not-an-email")
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"need", "email", "__all__"}
    assert not InboundItem.objects.exists()


def test_a_contact_channel_is_required(db: None) -> None:
    response = HttpClient().post(reverse("web_inquiry"), submission(phone="", email=""))
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == [
        "Leave a phone number, an email address or a WeChat id."
    ]


def test_the_honeypot_silently_drops_bots(db: None) -> None:
    response = HttpClient().post(reverse("web_inquiry"), submission(website="http://spam"))
    assert response.status_code == 200
    assert not InboundItem.objects.exists()
    assert not Consultation.objects.exists()


@override_settings(CONSULTDESK_FORM_RATE=2)
def test_one_network_is_rate_limited(db: None) -> None:
    browser = HttpClient()
    statuses = [
        browser.post(reverse("web_inquiry"), submission(submission_key=f"k{i}")).status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert InboundItem.objects.count() == 2


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_an_oversized_post_is_refused_and_nothing_is_stored(db: None) -> None:
    response = HttpClient().post(reverse("web_inquiry"), submission(need="慢" * 20_000))
    assert response.status_code == 400
    assert not InboundItem.objects.exists()


def test_the_acknowledgement_belongs_to_the_browser_that_submitted(db: None) -> None:
    HttpClient().post(reverse("web_inquiry"), submission())
    reference = Consultation.objects.get().reference
    assert HttpClient().get(reverse("web_inquiry_thanks", args=[reference])).status_code == 404


@pytest.mark.parametrize(
    "sent_at, after_hours, due",
    [
        # Wednesday 2026-09-30, 22:00: the National Day holiday runs 1-7 October.
        (datetime.datetime(2026, 9, 30, 22, 0, tzinfo=SHANGHAI), True, "2026-10-08 09:00"),
        (datetime.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI), False, "2026-11-25 18:00"),
    ],
)
def test_the_acknowledgement_says_when_to_expect_an_answer(
    db: None,
    sent_at: datetime.datetime,
    after_hours: bool,
    due: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: sent_at)
    browser = HttpClient()
    response = browser.post(reverse("web_inquiry"), submission())
    page = browser.get(response["Location"]).content.decode()
    assert due in page
    assert ("outside working hours" in page) is after_hours


def test_failed_items_wait_in_the_unprocessed_list_for_managers_only(
    maria: User, alice: User
) -> None:
    item = InboundItem.objects.create(
        channel="web_form", raw=b"garbage", status=InboundStatus.FAILED, error="boom"
    )
    assert logged_in(alice).get(reverse("intake_unprocessed")).status_code == 404
    page = logged_in(maria).get(reverse("intake_unprocessed")).content.decode()
    assert "boom" in page
    response = logged_in(maria).post(reverse("intake_retry", args=[item.pk]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.attempts) == (InboundStatus.FAILED, 1)
    assert "no 'need' field" in item.error


def test_a_call_from_a_known_number_is_added_to_the_open_consultation(alice: User) -> None:
    browser = logged_in(alice)
    first = browser.post(
        reverse("intake_quick_entry"),
        {
            "channel": "phone",
            "caller": "黄经理",
            "phone": "13700137003",
            "organisation": "宏远物流",
            "gist": "调度系统经常卡",
        },
    )
    consultation = Consultation.objects.get()
    assert first["Location"] == reverse("consultation_detail", args=[consultation.pk])
    assert consultation.owner == alice
    browser.post(
        reverse("intake_quick_entry"),
        {
            "channel": "phone",
            "caller": "黄经理",
            "phone": "137 0013 7003",
            "gist": "高峰期司机抢单时最明显",
        },
    )
    assert Consultation.objects.count() == 1
    assert consultation.messages.count() == 2


def test_a_referral_must_say_who_referred(alice: User) -> None:
    response = logged_in(alice).post(
        reverse("intake_quick_entry"),
        {"channel": "referral", "caller": "赵CTO", "gist": "大模型代码评审"},
    )
    assert response.status_code == 422
    assert "referred_by" in response.context["form"].errors
    assert not Consultation.objects.exists()
    logged_in(alice).post(
        reverse("intake_quick_entry"),
        {
            "channel": "referral",
            "caller": "赵CTO",
            "referred_by": "老王（星河软件前同事）",
            "gist": "大模型代码评审",
        },
    )
    message = Message.objects.get()
    assert message.body == "[老王（星河软件前同事） →] 大模型代码评审"
    assert message.channel == "referral"


def test_a_consultant_forwarding_from_wecom_is_not_taken_for_the_client(
    alice: User, alices_case: Consultation
) -> None:
    from consultdesk.intake.inbound import InboundMessage
    from consultdesk.intake.services import message_ingest
    from consultdesk.wechat.models import WeComMember

    WeComMember.objects.create(user=alice, userid="lihua")
    forwarded = message_ingest(
        inbound=InboundMessage(
            channel="wecom",
            external_id="m1",
            body="客户新需求：要做家长端小程序",
            sender_wechat="lihua",
        )
    )
    assert (forwarded.created_consultation, forwarded.consultation.owner) == (True, alice)
    assert not Contact.objects.filter(wecom_id="lihua").exists()
    noted = message_ingest(
        inbound=InboundMessage(
            channel="wecom",
            external_id="m2",
            body=f"{alices_case.reference} 陈校长电话里说预算可以到 35 万",
            sender_wechat="lihua",
        )
    )
    assert noted.consultation == alices_case
