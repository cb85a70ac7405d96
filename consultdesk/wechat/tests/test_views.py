"""The callbacks end to end over HTTP, with Tencent's published sample values and with
messages encrypted here by the same algorithm."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from pytest_django.fixtures import Settings as SettingsWrapper

from consultdesk.clients.models import Contact
from consultdesk.consultations.choices import Channel
from consultdesk.consultations.models import Attachment, Message
from consultdesk.intake.channels.wechat_crypto import WeChatCrypto
from consultdesk.intake.models import InboundItem, InboundStatus
from consultdesk.wechat.models import KfCursor
from consultdesk.wechat.tests.conftest import OA, VECTORS, WECOM, sealed_post_query
from consultdesk.wechat.tests.stub import Answer, StubWeChat

pytestmark = pytest.mark.django_db
VERIFY = VECTORS["wecom_official_verify_url"]
WECOM_JSON = VECTORS["wecom_official_decrypt_json"]
OA_URL = VECTORS["mp_doc_url_verify"]
XML = "application/xml"
OnCommit = Callable[..., Any]


def post(path: str, query: dict[str, str] | str, body: str | bytes) -> Any:
    encoded = query if isinstance(query, str) else urllib.parse.urlencode(query)
    return HttpClient().post(f"{path}?{encoded}", data=body, content_type=XML)


def wecom_post(query: dict[str, str] | None = None, body: str | None = None) -> Any:
    return post("/intake/wecom", query or WECOM["query"], body or WECOM["body"])


class TestWeComUrlVerification:
    def test_it_answers_the_decrypted_echostr_alone(self, wecom_settings: SettingsWrapper) -> None:
        query = VERIFY["query"]
        response = HttpClient().get(
            "/intake/wecom?msg_signature={msg_signature}&timestamp={timestamp}"
            "&nonce={nonce}&echostr={echostr_urlencoded}".format(**query)
        )
        assert response.status_code == 200
        assert response.content == b"1616140317555161061"

    def test_a_tampered_signature_is_forbidden(self, wecom_settings: SettingsWrapper) -> None:
        query = VERIFY["query"] | {"msg_signature": "0" * 40}
        params = {key: query[key] for key in ("msg_signature", "timestamp", "nonce", "echostr")}
        response = HttpClient().get("/intake/wecom", params)
        assert response.status_code == 403
        assert response.content == b""

    def test_an_unconfigured_channel_is_not_found(self, settings: SettingsWrapper) -> None:
        settings.CONSULTDESK_WECOM_TOKEN = ""
        assert HttpClient().get("/intake/wecom").status_code == 404
        assert wecom_post().status_code == 404
        assert InboundItem.objects.count() == 0


class TestWeComMessages:
    def test_tencents_sample_message_becomes_a_consultation(
        self, wecom_settings: SettingsWrapper, django_capture_on_commit_callbacks: OnCommit
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = wecom_post()
        assert response.status_code == 200
        assert response.content == b""
        item = InboundItem.objects.get()
        assert bytes(item.raw).decode() == WECOM["expected"]["plaintext"]
        assert item.metadata["envelope"] == WECOM["body"]
        assert item.metadata["query"] == WECOM["query"]
        assert item.status == InboundStatus.PROCESSED
        message = Message.objects.get()
        assert (message.channel, message.external_id, message.body) == (
            Channel.WECOM,
            "4561255354251345929",
            "hello",
        )
        assert Contact.objects.get().wecom_id == "mycreate"

    def test_a_retried_delivery_makes_one_message(
        self, wecom_settings: SettingsWrapper, django_capture_on_commit_callbacks: OnCommit
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            assert wecom_post().status_code == 200
            assert wecom_post().status_code == 200
            # The same message once more, in WeCom's JSON callback format.
            assert post("/intake/wecom", WECOM_JSON["query"], WECOM_JSON["body"]).status_code == 200
        assert Message.objects.count() == 1
        statuses = list(InboundItem.objects.order_by("pk").values_list("status", flat=True))
        assert statuses == [
            InboundStatus.PROCESSED,
            InboundStatus.DUPLICATE,
            InboundStatus.DUPLICATE,
        ]

    def test_a_tampered_signature_is_forbidden_and_stores_nothing(
        self, wecom_settings: SettingsWrapper
    ) -> None:
        response = wecom_post(query=WECOM["query"] | {"msg_signature": "f" * 40})
        assert response.status_code == 403
        assert InboundItem.objects.count() == 0
        assert Message.objects.count() == 0

    def test_a_tampered_body_is_forbidden_and_stores_nothing(
        self, wecom_settings: SettingsWrapper
    ) -> None:
        response = wecom_post(body=WECOM["body"].replace("RypEvHKD8", "RypEvHKD9"))
        assert response.status_code == 403
        assert InboundItem.objects.count() == 0

    def test_a_stale_timestamp_is_forbidden_when_the_window_is_on(
        self, wecom_settings: SettingsWrapper
    ) -> None:
        wecom_settings.CONSULTDESK_WECHAT_MAX_AGE_SECONDS = 300
        assert wecom_post().status_code == 403
        assert InboundItem.objects.count() == 0

    def test_an_xml_bomb_envelope_is_refused(self, wecom_settings: SettingsWrapper) -> None:
        bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml>&a;</xml>'
        assert wecom_post(body=bomb).status_code == 400
        assert InboundItem.objects.count() == 0

    def test_a_signed_xml_bomb_inside_is_kept_and_fails_without_a_crash(
        self,
        wecom_settings: SettingsWrapper,
        wecom_crypto: WeChatCrypto,
        django_capture_on_commit_callbacks: OnCommit,
    ) -> None:
        inner = '<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><MsgType>text</MsgType>&a;</xml>'
        query, body = sealed_post_query(wecom_crypto, inner)
        with django_capture_on_commit_callbacks(execute=True):
            assert post("/intake/wecom", query, body).status_code == 200
        item = InboundItem.objects.get()
        assert item.status == InboundStatus.FAILED
        assert "DOCTYPE" in item.error
        assert Message.objects.count() == 0

    def test_a_signed_message_for_another_corp_is_kept_as_failed(
        self, wecom_settings: SettingsWrapper
    ) -> None:
        other = WeChatCrypto(WECOM["token"], WECOM["encoding_aes_key"], "ww-another-corp")
        query, body = sealed_post_query(other, "<xml><MsgType>text</MsgType></xml>")
        assert post("/intake/wecom", query, body).status_code == 200
        item = InboundItem.objects.get()
        assert item.status == InboundStatus.FAILED
        assert item.error.startswith("ReceiverMismatch")
        assert bytes(item.raw) == body
        assert Message.objects.count() == 0

    def test_a_signed_body_under_another_aes_key_is_kept_as_failed(
        self, wecom_settings: SettingsWrapper
    ) -> None:
        # The signature covers the ciphertext, not the key: only a misconfigured key (or
        # corruption at Tencent) gets here, so the message is kept, not refused.
        wrong_key = WeChatCrypto(WECOM["token"], "A" * 43, WECOM["receiveid"])
        sealed = wrong_key.seal(
            "<xml/>", timestamp="1700000000", nonce="n0nce", nonce_bytes=b"0123456789abcdef"
        )
        query = f"msg_signature={sealed.msg_signature}&timestamp=1700000000&nonce=n0nce"
        body = f"<xml><Encrypt><![CDATA[{sealed.encrypt}]]></Encrypt></xml>"
        assert post("/intake/wecom", query, body).status_code == 200
        item = InboundItem.objects.get()
        assert item.status == InboundStatus.FAILED
        assert item.error.split(":")[0] in {"DecryptError", "ReceiverMismatch"}
        assert item.metadata["decrypted"] is False
        assert Message.objects.count() == 0

    def test_a_forwarded_voice_note_keeps_its_media_id_and_its_audio(
        self,
        stub: StubWeChat,
        wecom_crypto: WeChatCrypto,
        django_capture_on_commit_callbacks: OnCommit,
    ) -> None:
        voice = (
            "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>"
            "<FromUserName><![CDATA[alice.wang]]></FromUserName><CreateTime>1700000000</CreateTime>"
            "<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[VOICE-1]]></MediaId>"
            "<Format><![CDATA[amr]]></Format><MsgId>7001</MsgId><AgentID>1000002</AgentID></xml>"
        )
        stub.queue(
            "/cgi-bin/media/get",
            Answer(
                body=b"#!AMR\n-audio-",
                headers=(
                    ("Content-Type", "audio/amr"),
                    ("Content-Disposition", 'attachment; filename="VOICE-1.amr"'),
                ),
            ),
        )
        query, body = sealed_post_query(wecom_crypto, voice)
        with django_capture_on_commit_callbacks(execute=True):
            assert post("/intake/wecom", query, body).status_code == 200
        message = Message.objects.get()
        assert message.body == "[语音消息] (MediaId VOICE-1)"
        attachment = Attachment.objects.get()
        assert (attachment.message, attachment.filename, attachment.content_type) == (
            message,
            "VOICE-1.amr",
            "audio/amr",
        )
        assert attachment.file.read() == b"#!AMR\n-audio-"
        media_call = stub.calls("/cgi-bin/media/get")[0]
        assert media_call.query == {"access_token": "ACCESS-TOKEN-1", "media_id": "VOICE-1"}


class TestOfficialAccount:
    def test_the_url_check_echoes_echostr(self, wecom_settings: SettingsWrapper) -> None:
        query = OA_URL["query"]
        response = HttpClient().get("/intake/official-account", query)
        assert response.status_code == 200
        assert response.content == query["echostr"].encode()

    def test_a_bad_url_check_signature_is_forbidden(self, wecom_settings: SettingsWrapper) -> None:
        query = OA_URL["query"] | {"nonce": "1514711493"}
        assert HttpClient().get("/intake/official-account", query).status_code == 403

    def test_the_documented_safe_mode_event_is_kept_raw_and_opens_nothing(
        self, wecom_settings: SettingsWrapper, django_capture_on_commit_callbacks: OnCommit
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = post("/intake/official-account", OA["query"], OA["body"])
        assert response.status_code == 200
        assert response.content == b"success"
        item = InboundItem.objects.get()
        assert bytes(item.raw).decode() == OA["expected"]["plaintext"]
        assert item.metadata["query"]["msg_signature"] == OA["query"]["msg_signature"]
        assert (item.status, item.consultation) == (InboundStatus.PROCESSED, None)
        assert item.external_id == "event:o9AgO5Kd5ggOC-bXrbNODIiE3bGY:1714112445:debug_demo"
        assert Message.objects.count() == 0

    def test_a_followers_text_becomes_a_consultation(
        self, wecom_settings: SettingsWrapper, django_capture_on_commit_callbacks: OnCommit
    ) -> None:
        crypto = WeChatCrypto(OA["token"], OA["encoding_aes_key"], OA["receiveid"])
        text = (
            "<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>"
            "<FromUserName><![CDATA[oFOLLOWER]]></FromUserName><CreateTime>1714112445</CreateTime>"
            "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[预算30万以内]]></Content>"
            "<MsgId>23000000000000001</MsgId></xml>"
        )
        query, body = sealed_post_query(crypto, text)
        with django_capture_on_commit_callbacks(execute=True):
            assert post("/intake/official-account", query, body).status_code == 200
        message = Message.objects.get()
        assert (message.channel, message.body, message.external_id) == (
            Channel.OFFICIAL_ACCOUNT,
            "预算30万以内",
            "23000000000000001",
        )
        assert Contact.objects.get().wechat_id == "oFOLLOWER"

    def test_wecom_app_events_open_no_consultation(
        self,
        wecom_settings: SettingsWrapper,
        wecom_crypto: WeChatCrypto,
        django_capture_on_commit_callbacks: OnCommit,
    ) -> None:
        enter_agent = (
            "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>"
            "<FromUserName><![CDATA[alice.wang]]></FromUserName><CreateTime>1700000000</CreateTime>"
            "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[enter_agent]]></Event>"
            "<AgentID>1000002</AgentID></xml>"
        )
        query, body = sealed_post_query(wecom_crypto, enter_agent)
        with django_capture_on_commit_callbacks(execute=True):
            assert post("/intake/wecom", query, body).status_code == 200
        assert InboundItem.objects.get().status == InboundStatus.PROCESSED
        assert Message.objects.count() == 0

    def test_a_plaintext_mode_body_is_forbidden(self, wecom_settings: SettingsWrapper) -> None:
        query = {key: value for key, value in OA["query"].items() if key != "msg_signature"}
        assert post("/intake/official-account", query, OA["body"]).status_code == 403
        assert InboundItem.objects.count() == 0


class TestCustomerServiceCallback:
    def test_the_announcement_pulls_and_ingests_the_messages(
        self,
        stub: StubWeChat,
        wecom_crypto: WeChatCrypto,
        django_capture_on_commit_callbacks: OnCommit,
    ) -> None:
        announcement = (
            "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>"
            "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            "<Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[CB-TOKEN]]></Token>"
            "<OpenKfId><![CDATA[wkKF1]]></OpenKfId></xml>"
        )
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
                        "external_userid": "wmCLIENT",
                        "send_time": 1700000000,
                        "origin": 3,
                        "msgtype": "text",
                        "text": {"content": "你好，想咨询一下系统改造"},
                    }
                ],
            },
        )
        query, body = sealed_post_query(wecom_crypto, announcement)
        with django_capture_on_commit_callbacks(execute=True):
            assert post("/intake/wechat-kf", query, body).status_code == 200
        sync = stub.calls("/cgi-bin/kf/sync_msg")[0]
        assert sync.body == {"open_kfid": "wkKF1", "limit": 1000, "token": "CB-TOKEN"}
        message = Message.objects.get()
        assert (message.channel, message.body) == (Channel.WECHAT, "你好，想咨询一下系统改造")
        assert KfCursor.objects.get().cursor == "C1"
        # The announcement itself is not a message: only the pulled one is stored.
        assert InboundItem.objects.get().channel == Channel.WECHAT
