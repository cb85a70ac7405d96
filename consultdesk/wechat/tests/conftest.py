"""WeChat test fixtures: Tencent's sample credentials, a stub API server, the parsers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from consultdesk.intake import services as intake_services
from consultdesk.intake.channels.wechat_crypto import WeChatCrypto
from consultdesk.wechat.services import PARSERS
from consultdesk.wechat.tests.stub import StubWeChat, serve

DATA = Path(__file__).resolve().parents[2] / "intake" / "channels" / "tests" / "data" / "wecom"
VECTORS: dict[str, dict[str, Any]] = {
    vector["id"]: vector
    for vector in json.loads((DATA / "wecom_vectors.json").read_text())["vectors"]
}
WECOM = VECTORS["wecom_official_decrypt_xml"]  # Tencent's WeCom sample: token QDG6eK
OA = VECTORS["mp_doc_safe_mode_post"]  # the Official Account documentation's example


@pytest.fixture(autouse=True)
def _wechat_parsers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Until intake's registry names the WeChat channels, tests add them themselves."""
    registered = intake_services._parsers
    monkeypatch.setattr(intake_services, "_parsers", lambda: registered() | PARSERS)


@pytest.fixture
def wecom_settings(settings: SettingsWrapper) -> SettingsWrapper:
    settings.CONSULTDESK_WECOM_CORP_ID = WECOM["receiveid"]
    settings.CONSULTDESK_WECOM_TOKEN = WECOM["token"]
    settings.CONSULTDESK_WECOM_AES_KEY = WECOM["encoding_aes_key"]
    settings.CONSULTDESK_WECOM_SECRET = "app-secret"
    settings.CONSULTDESK_WECOM_AGENT_ID = "1000002"
    settings.CONSULTDESK_WECHAT_KF_SECRET = "kf-secret"
    settings.CONSULTDESK_WECHAT_MAX_AGE_SECONDS = 0
    settings.CONSULTDESK_OA_APP_ID = OA["receiveid"]
    settings.CONSULTDESK_OA_TOKEN = OA["token"]
    settings.CONSULTDESK_OA_AES_KEY = OA["encoding_aes_key"]
    return settings


@pytest.fixture
def wecom_crypto() -> WeChatCrypto:
    return WeChatCrypto(WECOM["token"], WECOM["encoding_aes_key"], WECOM["receiveid"])


@pytest.fixture
def stub(wecom_settings: SettingsWrapper) -> Iterator[StubWeChat]:
    api = StubWeChat()
    server = serve(api)
    wecom_settings.CONSULTDESK_WECHAT_API_BASE = api.url
    yield api
    server.shutdown()
    server.server_close()


def sealed_post_query(crypto: WeChatCrypto, plaintext: str) -> tuple[str, bytes]:
    """A callback we encrypt ourselves with Tencent's algorithm: (query string, body)."""
    sealed = crypto.seal(plaintext, timestamp="1700000000", nonce="n0nce")
    query = f"msg_signature={sealed.msg_signature}&timestamp=1700000000&nonce=n0nce"
    body = f"<xml><ToUserName><![CDATA[{crypto.receiver_id}]]></ToUserName>"
    body += f"<Encrypt><![CDATA[{sealed.encrypt}]]></Encrypt><AgentID>1</AgentID></xml>"
    return query, body.encode()
