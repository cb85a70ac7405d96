"""WeCom / Official Account callbacks and WeChat Customer Service sync_msg -> InboundMessage."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from consultdesk.intake.channels.wechat_crypto import MAX_BODY_BYTES, MalformedPayload, WeChatCrypto
from consultdesk.intake.channels.wecom import (
    CallbackEvent,
    CallbackParseError,
    KfSyncError,
    parse_callback_xml,
    parse_kf_sync_messages,
)
from consultdesk.intake.inbound import InboundMessage

DATA = json.loads((Path(__file__).parent / "data" / "wecom" / "wecom_vectors.json").read_text())
SAMPLES: dict[str, str] = {sample["id"]: sample["xml"] for sample in DATA["message_format_samples"]}
VECTORS: dict[str, dict[str, Any]] = {vector["id"]: vector for vector in DATA["vectors"]}
CAPTURED_MEDIA_ID = "whQK88YniP8QXO5rkRimKmkWEg4V0D9_yDblzDFn9yJMJQNnV7pan6AJg8rgiFs9"


def utc(seconds: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)


def message(xml: str, channel: str = "wecom") -> InboundMessage:
    parsed = parse_callback_xml(xml, channel=channel)
    assert isinstance(parsed, InboundMessage)
    return parsed


class TestPublishedSamples:
    def test_it_parses_the_wecom_text_sample(self) -> None:
        assert message(SAMPLES["wecom_text"]) == InboundMessage(
            channel="wecom",
            external_id="1234567890123456",
            body="this is a test",
            sender_wechat="fromUser",
            received_at=datetime.datetime(2012, 9, 28, 11, 31, tzinfo=datetime.UTC),
            extra={"msg_type": "text", "to_user": "toUser", "agent_id": "1"},
        )

    def test_it_parses_the_wecom_image_sample(self) -> None:
        assert message(SAMPLES["wecom_image"]) == InboundMessage(
            channel="wecom",
            external_id="1234567890123456",
            body="[图片]",
            sender_wechat="fromUser",
            received_at=utc(1348831860),
            extra={
                "msg_type": "image",
                "to_user": "toUser",
                "agent_id": "1",
                "media_id": "media_id",
                "pic_url": "this is a url",
            },
        )

    def test_it_keeps_the_media_id_of_a_wecom_voice_for_later_transcription(self) -> None:
        assert message(SAMPLES["wecom_voice"]) == InboundMessage(
            channel="wecom",
            external_id="1234567890123456",
            body="[语音消息] (MediaId media_id)",
            sender_wechat="fromUser",
            received_at=datetime.datetime(2013, 1, 4, 9, 15, 13, tzinfo=datetime.UTC),
            extra={
                "msg_type": "voice",
                "to_user": "toUser",
                "agent_id": "1",
                "media_id": "media_id",
                "format": "Format",
                "needs_transcription": "true",
            },
        )

    def test_it_gives_an_event_without_msgid_a_sender_time_event_key(self) -> None:
        assert message(SAMPLES["wecom_event_subscribe"]) == InboundMessage(
            channel="wecom",
            external_id="event:UserID:1348831860:subscribe",
            body="[事件] subscribe",
            sender_wechat="UserID",
            received_at=utc(1348831860),
            extra={"msg_type": "event", "to_user": "toUser", "agent_id": "1", "event": "subscribe"},
        )

    def test_it_appends_the_official_account_recognition_to_a_voice_body(self) -> None:
        parsed = message(SAMPLES["mp_voice_with_recognition"], channel="official_account")

        assert parsed == InboundMessage(
            channel="official_account",
            external_id="1234567890123456",
            body="[语音消息] (MediaId media_id)\n腾讯微信团队",
            sender_wechat="fromUser",
            received_at=utc(1357290913),
            extra={
                "msg_type": "voice",
                "to_user": "toUser",
                "media_id": "media_id",
                "format": "Format",
                "recognition": "腾讯微信团队",
            },
        )

    def test_it_treats_an_empty_recognition_as_no_transcript(self) -> None:
        parsed = message(SAMPLES["mp_voice_empty_recognition_real_capture"], "official_account")

        assert parsed == InboundMessage(
            channel="official_account",
            external_id="7250021412600020992",
            body=f"[语音消息] (MediaId {CAPTURED_MEDIA_ID})",
            sender_wechat="oDO796opXuEu2mWrn53BqlVW0u9I",
            received_at=datetime.datetime(2023, 6, 29, 8, 25, 52, tzinfo=datetime.UTC),
            extra={
                "msg_type": "voice",
                "to_user": "gh_3e7f4bc6f4da",
                "media_id": CAPTURED_MEDIA_ID,
                "format": "amr",
                "needs_transcription": "true",
            },
        )

    def test_it_parses_what_the_wecom_sample_post_decrypts_to(self) -> None:
        vector = VECTORS["wecom_official_decrypt_xml"]
        crypto = WeChatCrypto(vector["token"], vector["encoding_aes_key"], vector["receiveid"])
        inner = crypto.decrypt_message(
            msg_signature=vector["query"]["msg_signature"],
            timestamp=vector["query"]["timestamp"],
            nonce=vector["query"]["nonce"],
            body=vector["body"].encode(),
        )

        parsed = message(inner)

        assert (parsed.external_id, parsed.body, parsed.sender_wechat, parsed.received_at) == (
            "4561255354251345929",
            "hello",
            "mycreate",
            datetime.datetime(2014, 9, 2, 12, 10, 13, tzinfo=datetime.UTC),
        )


def wecom_xml(msg_type: str, fields: str) -> str:
    return (
        "<xml><ToUserName><![CDATA[ww_corp]]></ToUserName>"
        "<FromUserName><![CDATA[alice]]></FromUserName><CreateTime>1700000000</CreateTime>"
        f"<MsgType><![CDATA[{msg_type}]]></MsgType>{fields}<MsgId>42</MsgId>"
        "<AgentID>1000002</AgentID></xml>"
    )


class TestOtherMessageTypes:
    def test_it_describes_a_location_with_its_label_and_coordinates(self) -> None:
        xml = wecom_xml(
            "location",
            "<Location_X>31.2304</Location_X><Location_Y>121.4737</Location_Y><Scale>15</Scale>"
            "<Label><![CDATA[上海市黄浦区人民广场]]></Label>",
        )

        parsed = message(xml)

        assert parsed.body == "[位置] 上海市黄浦区人民广场 (31.2304, 121.4737)"
        assert parsed.extra == {
            "msg_type": "location",
            "to_user": "ww_corp",
            "agent_id": "1000002",
            "latitude": "31.2304",
            "longitude": "121.4737",
            "scale": "15",
            "label": "上海市黄浦区人民广场",
        }

    def test_it_writes_a_link_as_title_description_and_url(self) -> None:
        xml = wecom_xml(
            "link",
            "<Title><![CDATA[需求说明]]></Title><Description><![CDATA[家长端加载慢]]></Description>"
            "<Url><![CDATA[https://example.com/spec]]></Url><PicUrl><![CDATA[https://example.com/p.png]]></PicUrl>",
        )

        assert message(xml).body == "[链接] 需求说明\n家长端加载慢\nhttps://example.com/spec"

    def test_it_names_a_file_by_its_title(self) -> None:
        xml = wecom_xml("file", "<Title><![CDATA[报价单.xlsx]]></Title>")

        assert message(xml).body == "[文件] 报价单.xlsx"

    def test_it_includes_the_event_key_of_a_menu_click(self) -> None:
        xml = wecom_xml(
            "event", "<Event><![CDATA[click]]></Event><EventKey><![CDATA[CONSULT]]></EventKey>"
        )

        parsed = message(xml)

        assert (parsed.body, parsed.extra["event"], parsed.extra["event_key"]) == (
            "[事件] click CONSULT",
            "click",
            "CONSULT",
        )

    def test_it_keeps_an_unknown_message_type_with_a_warning(self) -> None:
        parsed = message(wecom_xml("hologram", ""))

        assert (parsed.body, parsed.warnings) == ("[hologram]", ("unknown MsgType 'hologram'",))

    def test_it_warns_and_leaves_the_time_open_when_create_time_is_garbage(self) -> None:
        parsed = message(wecom_xml("text", "<Content>hi</Content>").replace("1700000000", "soon"))

        assert parsed.received_at is None
        assert parsed.warnings == ("CreateTime 'soon' is not a Unix time; using the arrival time",)


class TestCustomerServiceAnnouncement:
    def test_it_turns_kf_msg_or_event_into_a_pull_request(self) -> None:
        xml = (
            "<xml><ToUserName><![CDATA[ww12345678910]]></ToUserName>"
            "<CreateTime>1348831860</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            "<Event><![CDATA[kf_msg_or_event]]></Event>"
            "<Token><![CDATA[ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR]]></Token>"
            "<OpenKfId><![CDATA[wkxxxxxxx]]></OpenKfId></xml>"
        )

        parsed = parse_callback_xml(xml, channel="wecom")

        assert parsed == CallbackEvent(
            kind="kf_msg_or_event",
            token="ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR",
            open_kf_id="wkxxxxxxx",
            corp_id="ww12345678910",
            received_at=utc(1348831860),
        )


class TestRefusals:
    def test_it_refuses_a_callback_without_msg_type(self) -> None:
        xml = "<xml><FromUserName>alice</FromUserName><CreateTime>1</CreateTime></xml>"

        with pytest.raises(CallbackParseError) as refused:
            parse_callback_xml(xml, channel="wecom")

        assert str(refused.value) == "callback has no MsgType"

    def test_it_refuses_a_callback_without_sender(self) -> None:
        with pytest.raises(CallbackParseError, match="FromUserName"):
            parse_callback_xml("<xml><MsgType>text</MsgType></xml>", channel="wecom")

    def test_it_refuses_a_channel_it_does_not_serve(self) -> None:
        with pytest.raises(ValueError, match="channel must be one of"):
            parse_callback_xml(SAMPLES["wecom_text"], channel="email")

    def test_it_refuses_an_external_entity(self) -> None:
        xml = (
            '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
            "<xml><FromUserName>x</FromUserName><MsgType>text</MsgType>"
            "<Content>&secret;</Content></xml>"
        )

        with pytest.raises(MalformedPayload, match="DOCTYPE or ENTITY"):
            parse_callback_xml(xml, channel="official_account")

    def test_it_refuses_billion_laughs(self) -> None:
        entities = "".join(
            f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
        )
        xml = f'<!DOCTYPE xml [<!ENTITY lol0 "lol">{entities}]><xml><Content>&lol9;</Content></xml>'

        with pytest.raises(MalformedPayload, match="DOCTYPE or ENTITY"):
            parse_callback_xml(xml, channel="wecom")

    def test_it_refuses_an_oversized_callback(self) -> None:
        xml = wecom_xml("text", f"<Content>{'需' * (MAX_BODY_BYTES // 3 + 1)}</Content>")

        with pytest.raises(MalformedPayload, match="exceeds the 1048576-byte limit"):
            parse_callback_xml(xml, channel="wecom")


# A kf/sync_msg answer as the WeCom docs (document/path/94670) describe it: a client enters
# from the website link, sends text, voice and an image; a servicer answers; a failed-send
# event and a client location follow.
SYNC_PAYLOAD: dict[str, Any] = {
    "errcode": 0,
    "errmsg": "ok",
    "next_cursor": "4gw7MepFLfgF2VC5npN",
    "has_more": 1,
    "msg_list": [
        {
            "msgid": "enter-1",
            "send_time": 1700000000,
            "origin": 4,
            "msgtype": "event",
            "event": {
                "event_type": "enter_session",
                "open_kfid": "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q",
                "external_userid": "wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw",
                "scene": "website",
                "scene_param": "pricing-page",
                "welcome_code": "aaaaaa",
            },
        },
        {
            "msgid": "text-1",
            "open_kfid": "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q",
            "external_userid": "wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw",
            "send_time": 1700000005,
            "origin": 3,
            "msgtype": "text",
            "text": {"content": "你好，我们的家长端App加载很慢，大概想要优化一下"},
        },
        {
            "msgid": "voice-1",
            "open_kfid": "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q",
            "external_userid": "wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw",
            "send_time": 1700000010,
            "origin": 3,
            "msgtype": "voice",
            "voice": {"media_id": "2iSLeVyqzk4eX0IB5kTi9Ljfa2rt9dwfq5WKRQ4Nvvgw"},
        },
        {
            "msgid": "servicer-1",
            "open_kfid": "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q",
            "external_userid": "wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw",
            "servicer_userid": "bob",
            "send_time": 1700000015,
            "origin": 5,
            "msgtype": "text",
            "text": {"content": "您好，我是顾问Bob，请问预算范围大概是多少？"},
        },
        {
            "msgid": "image-1",
            "open_kfid": "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q",
            "external_userid": "wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw",
            "send_time": 1700000020,
            "origin": 3,
            "msgtype": "image",
            "image": {"media_id": "2iSLeVyqzk4eX0IB5kTi9Ljfa2rt9dwfq5WKRQ4Nvvgx"},
        },
        {
            "msgid": "failed-1",
            "send_time": 1700000025,
            "origin": 4,
            "msgtype": "event",
            "event": {
                "event_type": "msg_send_fail",
                "open_kfid": "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q",
                "external_userid": "wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw",
                "fail_msgid": "FAILMSGID",
                "fail_type": 4,
            },
        },
        {
            "msgid": "location-1",
            "open_kfid": "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q",
            "external_userid": "wmOtherClient",
            "send_time": 1700000030,
            "origin": 3,
            "msgtype": "location",
            "location": {
                "latitude": 23.106021881103501,
                "longitude": 113.32460021972656,
                "name": "广州国际媒体港(广州市海珠区)",
                "address": "广东省广州市海珠区滨江东路",
            },
        },
    ],
}

KF_ACCOUNT = "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q"
CLIENT = "wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw"


class TestKfSyncMessages:
    def test_it_returns_the_clients_messages_the_cursor_and_has_more(self) -> None:
        messages, cursor, has_more = parse_kf_sync_messages(SYNC_PAYLOAD)

        assert [item.external_id for item in messages] == [
            "text-1",
            "voice-1",
            "image-1",
            "location-1",
        ]
        assert (cursor, has_more) == ("4gw7MepFLfgF2VC5npN", True)

    def test_it_carries_the_entry_scene_onto_the_clients_text(self) -> None:
        messages, _, _ = parse_kf_sync_messages(SYNC_PAYLOAD)

        assert messages[0] == InboundMessage(
            channel="wechat",
            external_id="text-1",
            body="你好，我们的家长端App加载很慢，大概想要优化一下",
            sender_wechat=CLIENT,
            received_at=datetime.datetime(2023, 11, 14, 22, 13, 25, tzinfo=datetime.UTC),
            extra={
                "msg_type": "text",
                "open_kf_id": KF_ACCOUNT,
                "scene": "website",
                "scene_param": "pricing-page",
            },
        )

    def test_it_marks_a_kf_voice_for_transcription(self) -> None:
        messages, _, _ = parse_kf_sync_messages(SYNC_PAYLOAD)

        assert (messages[1].body, messages[1].extra) == (
            "[语音消息] (MediaId 2iSLeVyqzk4eX0IB5kTi9Ljfa2rt9dwfq5WKRQ4Nvvgw)",
            {
                "msg_type": "voice",
                "open_kf_id": KF_ACCOUNT,
                "scene": "website",
                "scene_param": "pricing-page",
                "media_id": "2iSLeVyqzk4eX0IB5kTi9Ljfa2rt9dwfq5WKRQ4Nvvgw",
                "needs_transcription": "true",
            },
        )

    def test_it_keeps_the_media_id_of_a_kf_image(self) -> None:
        messages, _, _ = parse_kf_sync_messages(SYNC_PAYLOAD)

        assert (messages[2].body, messages[2].extra["media_id"]) == (
            "[图片]",
            "2iSLeVyqzk4eX0IB5kTi9Ljfa2rt9dwfq5WKRQ4Nvvgx",
        )

    def test_it_gives_another_client_no_scene_and_describes_the_location(self) -> None:
        messages, _, _ = parse_kf_sync_messages(SYNC_PAYLOAD)

        assert messages[3] == InboundMessage(
            channel="wechat",
            external_id="location-1",
            body=(
                "[位置] 广州国际媒体港(广州市海珠区) 广东省广州市海珠区滨江东路 "
                "(23.1060218811035, 113.32460021972656)"
            ),
            sender_wechat="wmOtherClient",
            received_at=utc(1700000030),
            extra={
                "msg_type": "location",
                "open_kf_id": KF_ACCOUNT,
                "latitude": "23.1060218811035",
                "longitude": "113.32460021972656",
                "label": "广州国际媒体港(广州市海珠区) 广东省广州市海珠区滨江东路",
            },
        )

    def test_it_skips_what_the_servicer_sent(self) -> None:
        messages, _, _ = parse_kf_sync_messages(SYNC_PAYLOAD)

        assert "servicer-1" not in {item.external_id for item in messages}
        assert all(item.sender_wechat != "bob" for item in messages)

    def test_it_reads_an_empty_last_page(self) -> None:
        payload = {"errcode": 0, "errmsg": "ok", "next_cursor": "", "has_more": 0, "msg_list": []}

        assert parse_kf_sync_messages(payload) == ([], None, False)

    def test_it_tolerates_missing_keys(self) -> None:
        payload = {
            "msg_list": [{"origin": 3, "msgtype": "text", "text": {"content": "hi"}}, "junk"]
        }

        messages, cursor, has_more = parse_kf_sync_messages(payload)

        assert (cursor, has_more) == (None, False)
        assert messages == [
            InboundMessage(
                channel="wechat",
                external_id=messages[0].external_id,
                body="hi",
                extra={"msg_type": "text"},
                warnings=(
                    "send_time '' is not a Unix time; using the arrival time",
                    "message has no msgid; a hash of its content stands in for it",
                ),
            )
        ]
        assert messages[0].external_id.startswith("kf-sha256:")

    def test_it_keeps_two_different_messages_without_msgid_apart(self) -> None:
        items = [{"origin": 3, "msgtype": "text", "text": {"content": text}} for text in ("a", "b")]

        first, _, _ = parse_kf_sync_messages({"msg_list": items})
        again, _, _ = parse_kf_sync_messages({"msg_list": items})

        assert first[0].external_id != first[1].external_id
        assert [item.external_id for item in again] == [item.external_id for item in first]

    def test_it_raises_the_api_error(self) -> None:
        payload = {"errcode": 95007, "errmsg": "invalid msg token"}

        with pytest.raises(KfSyncError) as refused:
            parse_kf_sync_messages(payload)

        assert (refused.value.errcode, str(refused.value)) == (
            95007,
            "kf/sync_msg failed: errcode 95007: invalid msg token",
        )


def test_it_stays_importable_without_django() -> None:
    # The adapters are pure: the ingest service, not the parser, talks to the database.
    code = (
        "import sys, consultdesk.intake.channels.wecom, consultdesk.intake.channels.wechat_crypto;"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'django'))"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.strip() == "[]"
