"""Callbacks in the JSON format (WeCom's newer callbacks, the Official Account's JSON mode)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from consultdesk.intake.channels.wechat_crypto import MalformedPayload, WeChatCrypto
from consultdesk.intake.channels.wecom import (
    CallbackEvent,
    parse_callback,
    parse_json_fields,
    parse_kf_message,
)
from consultdesk.intake.inbound import InboundMessage

DATA = json.loads((Path(__file__).parent / "data" / "wecom" / "wecom_vectors.json").read_text())
VECTORS = {vector["id"]: vector for vector in DATA["vectors"]}


def decrypted(vector_id: str) -> str:
    vector = VECTORS[vector_id]
    crypto = WeChatCrypto(vector["token"], vector["encoding_aes_key"], vector["receiveid"])
    query = vector["query"]
    return crypto.decrypt_message(
        msg_signature=query["msg_signature"],
        timestamp=query["timestamp"],
        nonce=query["nonce"],
        body=vector["body"].encode(),
    )


def test_wecoms_json_sample_reads_like_its_xml_twin() -> None:
    from_json = parse_callback(decrypted("wecom_official_decrypt_json"), channel="wecom")
    from_xml = parse_callback(decrypted("wecom_official_decrypt_xml"), channel="wecom")
    assert isinstance(from_json, InboundMessage)
    assert from_json == from_xml
    assert (from_json.external_id, from_json.body, from_json.sender_wechat) == (
        "4561255354251345929",
        "hello",
        "mycreate",
    )


def test_the_official_accounts_json_example_is_an_event() -> None:
    parsed = parse_callback(decrypted("mp_doc_safe_mode_post"), channel="official_account")
    assert parsed == InboundMessage(
        channel="official_account",
        external_id="event:o9AgO5Kd5ggOC-bXrbNODIiE3bGY:1714112445:debug_demo",
        body="[事件] debug_demo",
        sender_wechat="o9AgO5Kd5ggOC-bXrbNODIiE3bGY",
        received_at=datetime.datetime(2024, 4, 26, 6, 20, 45, tzinfo=datetime.UTC),
        extra={"msg_type": "event", "to_user": "gh_97417a04a28d", "event": "debug_demo"},
    )


def test_a_json_kf_announcement_is_an_event() -> None:
    text = json.dumps(
        {
            "ToUserName": "ww1",
            "CreateTime": 1700000000,
            "MsgType": "event",
            "Event": "kf_msg_or_event",
            "Token": "T1",
            "OpenKfId": "wk1",
        }
    )
    parsed = parse_callback(text.encode(), channel="wecom")
    assert isinstance(parsed, CallbackEvent)
    assert (parsed.token, parsed.open_kf_id, parsed.corp_id) == ("T1", "wk1", "ww1")


def test_nested_members_and_booleans_are_ignored() -> None:
    assert parse_json_fields('{"A": 1, "B": {"x": 1}, "C": [1], "D": true, "E": " e "}') == {
        "A": "1",
        "E": "e",
    }


@pytest.mark.parametrize("text", ["{", "[1]", '"x"', "{" * 100_000])
def test_broken_json_is_refused(text: str) -> None:
    with pytest.raises(MalformedPayload):
        parse_json_fields(text)


def test_a_kf_message_keeps_its_scene() -> None:
    item = {
        "msgid": "m1",
        "open_kfid": "wk1",
        "external_userid": "wm1",
        "send_time": 1700000000,
        "origin": 3,
        "msgtype": "text",
        "text": {"content": "hi"},
    }
    parsed = parse_kf_message(item, scene={"scene": "card"})
    assert parsed.extra == {"msg_type": "text", "open_kf_id": "wk1", "scene": "card"}
