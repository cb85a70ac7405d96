"""The WeChat channels' settings, read at call time so tests and a late `settings.py` work.

Each callback is configured by its own token, EncodingAESKey and receiver id; an empty
value means the channel is switched off and its URL answers 404.
"""

from __future__ import annotations

from django.conf import settings

from consultdesk.intake.channels.wechat_crypto import WeChatCrypto

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"


def setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, default) or default)


def api_base() -> str:
    return setting("CONSULTDESK_WECHAT_API_BASE", DEFAULT_API_BASE).rstrip("/")


def http_timeout() -> float:
    return float(getattr(settings, "CONSULTDESK_WECHAT_HTTP_TIMEOUT", 10))


def max_age_seconds() -> int | None:
    """The callback freshness window; 0 or unset = off (Tencent's samples date from 2014)."""
    seconds = int(getattr(settings, "CONSULTDESK_WECHAT_MAX_AGE_SECONDS", 0) or 0)
    return seconds if seconds > 0 else None


def max_media_bytes() -> int:
    return int(getattr(settings, "CONSULTDESK_MAX_ATTACHMENT_MB", 25)) * 1024 * 1024


def corp_id() -> str:
    return setting("CONSULTDESK_WECOM_CORP_ID")


def _crypto(token: str, aes_key: str, receiver_id: str) -> WeChatCrypto | None:
    if not (token and aes_key and receiver_id):
        return None
    return WeChatCrypto(token, aes_key, receiver_id, max_age_seconds=max_age_seconds())


def wecom_crypto() -> WeChatCrypto | None:
    """The WeCom self-built app's callback crypto (receiver id = CorpID)."""
    return _crypto(
        setting("CONSULTDESK_WECOM_TOKEN"), setting("CONSULTDESK_WECOM_AES_KEY"), corp_id()
    )


def kf_crypto() -> WeChatCrypto | None:
    """WeChat Customer Service's callback crypto; falls back to the WeCom app's values."""
    return _crypto(
        setting("CONSULTDESK_WECHAT_KF_TOKEN") or setting("CONSULTDESK_WECOM_TOKEN"),
        setting("CONSULTDESK_WECHAT_KF_AES_KEY") or setting("CONSULTDESK_WECOM_AES_KEY"),
        corp_id(),
    )


def official_account_crypto() -> WeChatCrypto | None:
    """The Official Account's safe-mode crypto (receiver id = AppID)."""
    return _crypto(
        setting("CONSULTDESK_OA_TOKEN"),
        setting("CONSULTDESK_OA_AES_KEY"),
        setting("CONSULTDESK_OA_APP_ID"),
    )


def wecom_secret() -> str:
    return setting("CONSULTDESK_WECOM_SECRET")


def kf_secret() -> str:
    return setting("CONSULTDESK_WECHAT_KF_SECRET")


def wecom_agent_id() -> str:
    return setting("CONSULTDESK_WECOM_AGENT_ID")


def kf_accounts() -> list[str]:
    """Customer Service accounts (open_kfid) pulled even before their first callback."""
    value = getattr(settings, "CONSULTDESK_WECHAT_KF_ACCOUNTS", [])
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(item).strip() for item in items if str(item).strip()]
