"""The pure parsers intake's registry calls for the WeChat channels."""

from __future__ import annotations

import pytest

from consultdesk.intake.channels.wechat_crypto import MalformedPayload
from consultdesk.wechat.parsers import (
    NotAMessage,
    kf_raw,
    parse_kf_raw,
    parse_official_account_raw,
    parse_wecom_raw,
)
from consultdesk.wechat.tests.conftest import OA, WECOM

KF_TEXT = {
    "msgid": "kf-1",
    "open_kfid": "wkKF1",
    "external_userid": "wmCHEN",
    "send_time": 1700000000,
    "origin": 3,
    "msgtype": "text",
    "text": {"content": "你好"},
}


def test_a_stored_kf_message_reads_back_with_its_scene() -> None:
    parsed = parse_kf_raw(kf_raw(KF_TEXT, scene={"scene": "website", "scene_param": "p1"}))
    assert (parsed.channel, parsed.external_id, parsed.body, parsed.sender_wechat) == (
        "wechat",
        "kf-1",
        "你好",
        "wmCHEN",
    )
    assert parsed.extra == {
        "msg_type": "text",
        "open_kf_id": "wkKF1",
        "scene": "website",
        "scene_param": "p1",
    }


def test_a_servicer_message_is_not_an_inbound_message() -> None:
    with pytest.raises(NotAMessage):
        parse_kf_raw(kf_raw(KF_TEXT | {"origin": 5}, scene={}))


@pytest.mark.parametrize("raw", [b"", b"[]", b"{}", b'{"msg": 1}', b"\xff"])
def test_broken_kf_raw_is_refused(raw: bytes) -> None:
    with pytest.raises(ValueError):
        parse_kf_raw(raw)


def test_the_wecom_plaintext_sample_reads() -> None:
    parsed = parse_wecom_raw(WECOM["expected"]["plaintext"].encode())
    assert (parsed.channel, parsed.external_id, parsed.body) == (
        "wecom",
        "4561255354251345929",
        "hello",
    )


def test_the_official_accounts_json_plaintext_reads() -> None:
    parsed = parse_official_account_raw(OA["expected"]["plaintext"].encode())
    assert (parsed.channel, parsed.body, parsed.sender_wechat) == (
        "official_account",
        "[事件] debug_demo",
        "o9AgO5Kd5ggOC-bXrbNODIiE3bGY",
    )


def test_a_kf_announcement_is_not_a_message() -> None:
    announcement = (
        "<xml><ToUserName>ww1</ToUserName><CreateTime>1</CreateTime><MsgType>event</MsgType>"
        "<Event>kf_msg_or_event</Event><Token>T</Token><OpenKfId>wk1</OpenKfId></xml>"
    )
    with pytest.raises(NotAMessage):
        parse_wecom_raw(announcement.encode())


def test_an_xml_bomb_is_refused() -> None:
    with pytest.raises(MalformedPayload):
        parse_wecom_raw(b'<!DOCTYPE x [<!ENTITY a "a">]><xml>&a;</xml>')
