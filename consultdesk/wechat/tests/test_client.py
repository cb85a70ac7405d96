"""The API client against the stub: token caching and refresh, errors, media limits."""

from __future__ import annotations

from typing import Any

import pytest

from consultdesk.wechat.client import MediaTooLarge, WeChatApiError, WeComApi
from consultdesk.wechat.tests.stub import Answer, StubWeChat

SEND = "/cgi-bin/kf/send_msg"


def send(api: WeComApi, msgid: str = "m1") -> str:
    return api.kf_send_text(open_kfid="wkKF1", touser="wmCHEN", content="收到", msgid=msgid)


class TestAccessToken:
    def test_one_token_serves_many_calls(self, stub: StubWeChat) -> None:
        api = WeComApi.customer_service()
        send(api, "m1")
        send(WeComApi.customer_service(), "m2")  # another instance shares the cache
        assert len(stub.calls("/cgi-bin/gettoken")) == 1
        assert [call.query["access_token"] for call in stub.calls(SEND)] == [
            "ACCESS-TOKEN-1",
            "ACCESS-TOKEN-1",
        ]

    @pytest.mark.parametrize("errcode", [40014, 42001, 40001])
    def test_a_refused_token_is_fetched_again_once(self, stub: StubWeChat, errcode: int) -> None:
        stub.queue(SEND, {"errcode": errcode, "errmsg": "access_token expired"})
        assert send(WeComApi.customer_service()) == "m1"
        assert len(stub.calls("/cgi-bin/gettoken")) == 2
        assert [call.query["access_token"] for call in stub.calls(SEND)] == [
            "ACCESS-TOKEN-1",
            "ACCESS-TOKEN-2",
        ]
        send(WeComApi.customer_service(), "m2")
        assert stub.calls(SEND)[-1].query["access_token"] == "ACCESS-TOKEN-2"

    def test_the_app_and_customer_service_secrets_have_their_own_tokens(
        self, stub: StubWeChat
    ) -> None:
        WeComApi.application().access_token()
        WeComApi.customer_service().access_token()
        secrets = [call.query["corpsecret"] for call in stub.calls("/cgi-bin/gettoken")]
        assert secrets == ["app-secret", "kf-secret"]

    def test_a_wrong_secret_is_an_error(self, stub: StubWeChat) -> None:
        stub.queue("/cgi-bin/gettoken", {"errcode": 40001, "errmsg": "invalid credential"})
        with pytest.raises(WeChatApiError) as raised:
            WeComApi.customer_service().access_token()
        assert raised.value.errcode == 40001


class TestErrors:
    def test_an_unreachable_server_is_a_transport_error(
        self, stub: StubWeChat, settings: Any
    ) -> None:
        settings.CONSULTDESK_WECHAT_API_BASE = "http://127.0.0.1:9"
        with pytest.raises(WeChatApiError) as raised:
            send(WeComApi.customer_service())
        assert raised.value.errcode == -1
        assert "secret" not in str(raised.value)

    def test_an_error_answer_is_raised_with_its_code(self, stub: StubWeChat) -> None:
        stub.queue(SEND, {"errcode": 95001, "errmsg": "send msg count limit"})
        with pytest.raises(WeChatApiError) as raised:
            send(WeComApi.customer_service())
        assert (raised.value.errcode, raised.value.errmsg) == (95001, "send msg count limit")

    def test_a_non_json_answer_is_an_error(self, stub: StubWeChat) -> None:
        stub.queue(SEND, Answer(body=b"<html>gateway</html>"))
        with pytest.raises(WeChatApiError, match="not JSON"):
            send(WeComApi.customer_service())

    def test_an_unconfigured_secret_is_refused_without_a_request(
        self,
        stub: StubWeChat,
        settings: Any,
    ) -> None:
        settings.CONSULTDESK_WECHAT_KF_SECRET = ""
        with pytest.raises(WeChatApiError):
            WeComApi.customer_service()
        assert stub.seen == []


class TestMedia:
    def test_it_downloads_with_the_served_name(self, stub: StubWeChat) -> None:
        stub.queue(
            "/cgi-bin/media/get",
            Answer(
                body=b"%PDF-1.7",
                headers=(
                    ("Content-Type", "application/pdf"),
                    ("Content-Disposition", 'attachment; filename="%E9%9C%80%E6%B1%82.pdf"'),
                ),
            ),
        )
        media = WeComApi.customer_service().media_get("FILE-1", max_bytes=1000)
        assert (media.content, media.content_type, media.filename) == (
            b"%PDF-1.7",
            "application/pdf",
            "需求.pdf",
        )

    def test_it_refuses_media_over_the_limit(self, stub: StubWeChat) -> None:
        stub.queue(
            "/cgi-bin/media/get", Answer(body=b"x" * 11, headers=(("Content-Type", "image/png"),))
        )
        with pytest.raises(MediaTooLarge):
            WeComApi.customer_service().media_get("IMG", max_bytes=10)

    def test_an_expired_media_id_is_an_error(self, stub: StubWeChat) -> None:
        stub.queue("/cgi-bin/media/get", {"errcode": 40007, "errmsg": "invalid media_id"})
        with pytest.raises(WeChatApiError) as raised:
            WeComApi.customer_service().media_get("OLD", max_bytes=1000)
        assert raised.value.errcode == 40007

    def test_a_refused_token_is_refreshed_for_media_too(self, stub: StubWeChat) -> None:
        stub.queue(
            "/cgi-bin/media/get",
            {"errcode": 42001, "errmsg": "access_token expired"},
            Answer(body=b"png", headers=(("Content-Type", "image/png"),)),
        )
        media = WeComApi.customer_service().media_get("IMG", max_bytes=1000)
        assert media.content == b"png"
        assert media.filename == "IMG.png"
