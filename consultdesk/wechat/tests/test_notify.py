"""WeCom application messages to consultants."""

from __future__ import annotations

from typing import Any

import pytest

from consultdesk.wechat.client import WeChatApiError
from consultdesk.wechat.notify import truncate, wecom_notify
from consultdesk.wechat.tests.stub import StubWeChat

SEND = "/cgi-bin/message/send"


def test_it_sends_a_text_card_linking_to_the_consultation(stub: StubWeChat) -> None:
    stub.queue(SEND, {"errcode": 0, "errmsg": "ok", "invaliduser": "left.company"})
    result = wecom_notify(
        userids=["alice.wang", "left.company", "alice.wang"],
        text="新咨询 CD-2026-000123：家长端App加载慢",
        url="https://desk.example.cn/consultations/123/",
        title="新咨询",
    )
    assert result.invalid_users == ("left.company",)
    assert stub.calls(SEND)[0].body == {
        "touser": "alice.wang|left.company",
        "agentid": 1000002,
        "msgtype": "textcard",
        "textcard": {
            "title": "新咨询",
            "description": "新咨询 CD-2026-000123：家长端App加载慢",
            "url": "https://desk.example.cn/consultations/123/",
            "btntxt": "Open",
        },
    }
    assert stub.calls("/cgi-bin/gettoken")[0].query["corpsecret"] == "app-secret"


def test_it_sends_plain_text_without_a_link(stub: StubWeChat) -> None:
    wecom_notify(userids=["alice.wang"], text="SLA: 2 consultations due today")
    assert stub.calls(SEND)[0].body["text"] == {"content": "SLA: 2 consultations due today"}


def test_no_recipients_sends_nothing(stub: StubWeChat) -> None:
    assert wecom_notify(userids=[], text="x").invalid_users == ()
    assert stub.seen == []


def test_it_needs_the_agent_id(stub: StubWeChat, settings: Any) -> None:
    settings.CONSULTDESK_WECOM_AGENT_ID = ""
    with pytest.raises(WeChatApiError):
        wecom_notify(userids=["alice.wang"], text="x")
    assert stub.seen == []


def test_a_refusal_is_raised(stub: StubWeChat) -> None:
    stub.queue(SEND, {"errcode": 81013, "errmsg": "user & party & tag all invalid"})
    with pytest.raises(WeChatApiError) as raised:
        wecom_notify(userids=["nobody"], text="x")
    assert raised.value.errcode == 81013


def test_truncation_never_splits_a_character() -> None:
    assert truncate("咨询" * 100, 10) == "咨询…"
    assert truncate("short", 10) == "short"
