"""WeChat Customer Service pulling: paging, the cursor across crashes, failures, media."""

from __future__ import annotations

import datetime
import io
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from consultdesk.consultations.choices import Channel
from consultdesk.consultations.models import Attachment, Message
from consultdesk.intake.models import InboundItem, InboundStatus
from consultdesk.wechat import services
from consultdesk.wechat.models import KfCursor, KfCustomer
from consultdesk.wechat.services import kf_sync, kf_sync_all
from consultdesk.wechat.tests.stub import Answer, StubWeChat

pytestmark = pytest.mark.django_db
OnCommit = Callable[..., Any]
SYNC = "/cgi-bin/kf/sync_msg"


def client_text(msgid: str, content: str, customer: str = "wmCHEN") -> dict[str, Any]:
    return {
        "msgid": msgid,
        "open_kfid": "wkKF1",
        "external_userid": customer,
        "send_time": 1700000000,
        "origin": 3,
        "msgtype": "text",
        "text": {"content": content},
    }


ENTER = {
    "msgid": "ev-1",
    "open_kfid": "wkKF1",
    "origin": 4,
    "msgtype": "event",
    "event": {
        "event_type": "enter_session",
        "open_kfid": "wkKF1",
        "external_userid": "wmCHEN",
        "scene": "website",
        "scene_param": "pricing-page",
    },
}
IMAGE = {
    "msgid": "kf-3",
    "open_kfid": "wkKF1",
    "external_userid": "wmCHEN",
    "send_time": 1700000100,
    "origin": 3,
    "msgtype": "image",
    "image": {"media_id": "IMG-1"},
}
SERVICER = client_text("kf-servicer", "您好") | {"origin": 5}
PAGE_1 = {
    "errcode": 0,
    "next_cursor": "C1",
    "has_more": 1,
    "msg_list": [ENTER, client_text("kf-1", "我们想做一个家长端App"), SERVICER],
}
# The second page repeats kf-1: the platform's at-least-once delivery.
PAGE_2 = {
    "errcode": 0,
    "next_cursor": "C2",
    "has_more": 0,
    "msg_list": [client_text("kf-1", "我们想做一个家长端App"), IMAGE],
}
JPEG = Answer(body=b"\xff\xd8\xff-jpeg", headers=(("Content-Type", "image/jpeg"),))


def cursors_asked(stub: StubWeChat) -> list[str | None]:
    return [call.body.get("cursor") for call in stub.calls(SYNC)]


class TestPaging:
    def test_it_pulls_every_page_and_ingests_each_client_message_once(
        self, stub: StubWeChat, django_capture_on_commit_callbacks: OnCommit
    ) -> None:
        stub.queue(SYNC, PAGE_1, PAGE_2)
        stub.queue("/cgi-bin/media/get", JPEG)
        with django_capture_on_commit_callbacks(execute=True):
            result = kf_sync(open_kfid="wkKF1")
        assert (result.pages, result.error) == (2, "")
        assert cursors_asked(stub) == [None, "C1"]
        assert KfCursor.objects.get().cursor == "C2"
        bodies = list(Message.objects.order_by("occurred_at").values_list("external_id", "body"))
        assert bodies == [("kf-1", "我们想做一个家长端App"), ("kf-3", "[图片]")]
        assert set(Message.objects.values_list("channel", flat=True)) == {Channel.WECHAT}
        assert Message.objects.values("consultation").distinct().count() == 1

    def test_it_records_the_scene_of_the_link_the_client_came_through(
        self, stub: StubWeChat, django_capture_on_commit_callbacks: OnCommit
    ) -> None:
        stub.queue(SYNC, PAGE_1, PAGE_2)
        with django_capture_on_commit_callbacks(execute=True):
            kf_sync(open_kfid="wkKF1")
        customer = KfCustomer.objects.get()
        assert (customer.external_userid, customer.scene, customer.scene_param) == (
            "wmCHEN",
            "website",
            "pricing-page",
        )
        # The scene travels with each stored message, also onto the next page's.
        for item in InboundItem.objects.all():
            stored = json.loads(bytes(item.raw))
            assert stored["scene"] == {"scene": "website", "scene_param": "pricing-page"}

    def test_the_image_is_downloaded_and_attached(
        self, stub: StubWeChat, django_capture_on_commit_callbacks: OnCommit
    ) -> None:
        stub.queue(SYNC, {**PAGE_2, "msg_list": [IMAGE]})
        stub.queue("/cgi-bin/media/get", JPEG)
        with django_capture_on_commit_callbacks(execute=True):
            kf_sync(open_kfid="wkKF1")
        attachment = Attachment.objects.get()
        assert attachment.message.external_id == "kf-3"
        assert (attachment.content_type, attachment.size) == ("image/jpeg", 8)
        assert attachment.filename.endswith(".jpg")
        assert attachment.file.read() == b"\xff\xd8\xff-jpeg"
        # Customer Service media is fetched with the Customer Service secret's token.
        token_call = stub.calls("/cgi-bin/gettoken")[0]
        assert token_call.query["corpsecret"] == "kf-secret"

    def test_media_over_the_size_limit_is_noted_not_kept(
        self, stub: StubWeChat, django_capture_on_commit_callbacks: OnCommit, settings: Any
    ) -> None:
        settings.CONSULTDESK_MAX_ATTACHMENT_MB = 0
        stub.queue(SYNC, {**PAGE_2, "msg_list": [IMAGE]})
        stub.queue("/cgi-bin/media/get", JPEG)
        with django_capture_on_commit_callbacks(execute=True):
            kf_sync(open_kfid="wkKF1")
        assert Attachment.objects.count() == 0
        assert Message.objects.get().body == "[图片]\n\n[media IMG-1 not downloaded: too large]"


class TestCursorSafety:
    def test_a_crash_mid_page_loses_nothing_and_repeats_nothing(
        self,
        stub: StubWeChat,
        monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: OnCommit,
    ) -> None:
        stub.queue(SYNC, PAGE_2, PAGE_2)
        real_store = services.inbound_store
        calls = {"count": 0}

        def crash_on_second(**kwargs: Any) -> InboundItem:
            calls["count"] += 1
            if calls["count"] == 2:
                raise RuntimeError("power cut")
            return real_store(**kwargs)

        monkeypatch.setattr(services, "inbound_store", crash_on_second)
        with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
            kf_sync(open_kfid="wkKF1")
        assert InboundItem.objects.count() == 0
        assert KfCursor.objects.get().cursor == ""

        monkeypatch.setattr(services, "inbound_store", real_store)
        with django_capture_on_commit_callbacks(execute=True):
            kf_sync(open_kfid="wkKF1")
        assert cursors_asked(stub) == [None, None]
        assert sorted(Message.objects.values_list("external_id", flat=True)) == ["kf-1", "kf-3"]
        assert InboundItem.objects.count() == 2
        assert KfCursor.objects.get().cursor == "C2"

    def test_a_failing_server_that_recovers_loses_nothing(
        self, stub: StubWeChat, django_capture_on_commit_callbacks: OnCommit
    ) -> None:
        stub.queue(SYNC, PAGE_1, Answer(status=502, body=b"bad gateway"), PAGE_2)
        with django_capture_on_commit_callbacks(execute=True):
            failed = kf_sync(open_kfid="wkKF1")
        assert failed.error.startswith("WeChat API error -1")
        state = KfCursor.objects.get()
        assert (state.cursor, state.failures) == ("C1", 1)
        assert state.last_error

        with django_capture_on_commit_callbacks(execute=True):
            recovered = kf_sync(open_kfid="wkKF1")
        assert recovered.error == ""
        assert cursors_asked(stub) == [None, "C1", "C1"]
        state.refresh_from_db()
        assert (state.cursor, state.failures, state.last_error) == ("C2", 0, "")
        assert sorted(Message.objects.values_list("external_id", flat=True)) == ["kf-1", "kf-3"]

    def test_an_error_code_is_recorded_and_moves_nothing(self, stub: StubWeChat) -> None:
        stub.queue(SYNC, {"errcode": 95007, "errmsg": "invalid msg token"})
        result = kf_sync(open_kfid="wkKF1")
        assert result.error == "WeChat API error 95007: invalid msg token"
        state = KfCursor.objects.get()
        assert (state.cursor, state.failures) == ("", 1)
        assert InboundItem.objects.count() == 0

    def test_a_refused_callback_token_is_dropped(self, stub: StubWeChat) -> None:
        KfCursor.objects.create(
            open_kfid="wkKF1", callback_token="USED", callback_token_at=timezone.now()
        )
        stub.queue(SYNC, {"errcode": 95007, "errmsg": "invalid msg token"})
        stub.queue(SYNC, {**PAGE_2, "msg_list": []})
        kf_sync(open_kfid="wkKF1")
        kf_sync(open_kfid="wkKF1")
        assert [call.body.get("token") for call in stub.calls(SYNC)] == ["USED", None]
        assert KfCursor.objects.get().failures == 0

    def test_a_page_another_puller_already_stored_is_not_stored_again(
        self, stub: StubWeChat
    ) -> None:
        stale = KfCursor.objects.create(open_kfid="wkKF1", cursor="")
        KfCursor.objects.filter(pk=stale.pk).update(cursor="C1")  # the other puller won
        page = services._kf_page(PAGE_1)
        assert services._kf_page_store(state=stale, page=page) is None
        assert InboundItem.objects.count() == 0
        assert KfCursor.objects.get().cursor == "C1"

    def test_the_callback_token_is_used_only_while_fresh(self, stub: StubWeChat) -> None:
        stub.queue(SYNC, {**PAGE_2, "msg_list": []}, {**PAGE_2, "msg_list": []})
        KfCursor.objects.create(
            open_kfid="wkKF1",
            callback_token="OLD",
            callback_token_at=timezone.now() - datetime.timedelta(minutes=11),
        )
        kf_sync(open_kfid="wkKF1")
        KfCursor.objects.update(callback_token="NEW", callback_token_at=timezone.now())
        kf_sync(open_kfid="wkKF1")
        assert [call.body.get("token") for call in stub.calls(SYNC)] == [None, "NEW"]


class TestPeriodicJob:
    def test_it_pulls_configured_accounts_before_any_callback(
        self, stub: StubWeChat, settings: Any, django_capture_on_commit_callbacks: OnCommit
    ) -> None:
        settings.CONSULTDESK_WECHAT_KF_ACCOUNTS = "wkKF1, wkKF2"
        stub.queue(SYNC, {**PAGE_2, "msg_list": []}, {**PAGE_2, "msg_list": []})
        with django_capture_on_commit_callbacks(execute=True):
            results = kf_sync_all()
        assert [result.open_kfid for result in results] == ["wkKF1", "wkKF2"]
        assert [call.body["open_kfid"] for call in stub.calls(SYNC)] == ["wkKF1", "wkKF2"]

    def test_it_processes_items_a_crash_left_pending(self, stub: StubWeChat) -> None:
        item = services.inbound_store(
            channel=Channel.WECHAT,
            raw=services.kf_raw(client_text("kf-9", "昨晚的消息"), scene={}),
            metadata={},
        )
        InboundItem.objects.filter(pk=item.pk).update(
            received_at=timezone.now() - datetime.timedelta(minutes=15)
        )
        kf_sync_all()
        item.refresh_from_db()
        assert item.status == InboundStatus.PROCESSED
        assert Message.objects.get().body == "昨晚的消息"

    def test_it_alerts_when_an_account_has_failed_for_hours(
        self, stub: StubWeChat, caplog: pytest.LogCaptureFixture
    ) -> None:
        KfCursor.objects.create(
            open_kfid="wkKF1",
            failures=40,
            last_success_at=timezone.now() - datetime.timedelta(hours=7),
        )
        stub.queue(SYNC, Answer(status=500, body=b""))
        with caplog.at_level(logging.ERROR):
            kf_sync_all()
        critical = [record for record in caplog.records if record.levelno == logging.CRITICAL]
        assert len(critical) == 1
        assert "wkKF1" in critical[0].getMessage()
        assert KfCursor.objects.get().failures == 41


def fake_transcriber(audio: bytes, content_type: str) -> str:
    return f"（转写）{len(audio)} bytes of {content_type}"


def broken_transcriber(audio: bytes, content_type: str) -> str:
    raise TimeoutError("speech service down")


class TestVoiceNotes:
    VOICE = client_text("kf-5", "") | {"msgtype": "voice", "voice": {"media_id": "V-1"}}
    AMR = Answer(body=b"#!AMR\n", headers=(("Content-Type", "audio/amr"),))

    def test_a_configured_transcriber_adds_its_transcript(
        self, stub: StubWeChat, settings: Any, django_capture_on_commit_callbacks: OnCommit
    ) -> None:
        settings.CONSULTDESK_WECHAT_TRANSCRIBER = (
            "consultdesk.wechat.tests.test_services.fake_transcriber"
        )
        stub.queue(SYNC, {**PAGE_2, "msg_list": [self.VOICE]})
        stub.queue("/cgi-bin/media/get", self.AMR)
        with django_capture_on_commit_callbacks(execute=True):
            kf_sync(open_kfid="wkKF1")
        assert (
            Message.objects.get().body == "[语音消息] (MediaId V-1)\n（转写）6 bytes of audio/amr"
        )
        assert Attachment.objects.get().content_type == "audio/amr"

    def test_a_failing_transcriber_leaves_the_voice_note_intact(
        self, stub: StubWeChat, settings: Any, django_capture_on_commit_callbacks: OnCommit
    ) -> None:
        settings.CONSULTDESK_WECHAT_TRANSCRIBER = (
            "consultdesk.wechat.tests.test_services.broken_transcriber"
        )
        stub.queue(SYNC, {**PAGE_2, "msg_list": [self.VOICE]})
        stub.queue("/cgi-bin/media/get", self.AMR)
        with django_capture_on_commit_callbacks(execute=True):
            kf_sync(open_kfid="wkKF1")
        assert Message.objects.get().body == "[语音消息] (MediaId V-1)"
        assert Attachment.objects.count() == 1


class TestCommand:
    def test_it_reports_each_account_and_fails_loudly(self, stub: StubWeChat) -> None:
        KfCursor.objects.create(open_kfid="wkKF1")
        KfCursor.objects.create(open_kfid="wkKF2")
        stub.queue(SYNC, {**PAGE_2, "msg_list": [IMAGE]}, {"errcode": 95013, "errmsg": "x"})
        out = io.StringIO()
        with pytest.raises(CommandError, match="wkKF2"):
            call_command("wechat-sync", stdout=out)
        assert out.getvalue().splitlines() == [
            "wkKF1: 1 stored in 1 pages, ok",
            "wkKF2: 0 stored in 0 pages, failed: WeChat API error 95013: x",
        ]
