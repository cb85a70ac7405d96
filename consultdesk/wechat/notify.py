"""WeCom application messages to consultants' phones (message/send).

The SLA engineer's notification transport calls `wecom_notify`; it performs network I/O,
so call it after commit (from a task), never inside `atomic()`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from consultdesk.wechat import config
from consultdesk.wechat.client import WeChatApiError, WeComApi

MAX_RECIPIENTS = 1000  # message/send's limit per call
TEXT_LIMIT_BYTES = 2048
CARD_TITLE_LIMIT_BYTES = 128
CARD_DESCRIPTION_LIMIT_BYTES = 512


@dataclass(frozen=True)
class NotifyResult:
    invalid_users: tuple[str, ...]  # WeCom UserIDs the message could not reach


def wecom_notify_configured() -> bool:
    return bool(config.corp_id() and config.wecom_secret() and config.wecom_agent_id())


def wecom_notify(*, userids: list[str], text: str, url: str = "", title: str = "") -> NotifyResult:
    """Send a WeCom app message to consultants: a text card linking to `url` when given,
    else plain text. Raises WeChatApiError when WeCom refuses it or is unreachable."""
    recipients = [userid for userid in dict.fromkeys(userids) if userid]
    if not recipients:
        return NotifyResult(())
    if not wecom_notify_configured():
        raise WeChatApiError(-1, "WeCom CorpID, secret and AgentId must be configured")
    invalid: list[str] = []
    for start in range(0, len(recipients), MAX_RECIPIENTS):
        payload = _payload(recipients[start : start + MAX_RECIPIENTS], text, url, title)
        answer = WeComApi.application().message_send(payload)
        invalid += [user for user in str(answer.get("invaliduser") or "").split("|") if user]
    return NotifyResult(tuple(invalid))


def _payload(recipients: list[str], text: str, url: str, title: str) -> dict[str, object]:
    payload: dict[str, object] = {
        "touser": "|".join(recipients),
        "agentid": int(config.wecom_agent_id()),
    }
    if not url:
        return payload | {"msgtype": "text", "text": {"content": truncate(text, TEXT_LIMIT_BYTES)}}
    card = {
        "title": truncate(title or text, CARD_TITLE_LIMIT_BYTES),
        "description": truncate(text, CARD_DESCRIPTION_LIMIT_BYTES),
        "url": url,
        "btntxt": str(_("Open")),
    }
    return payload | {"msgtype": "textcard", "textcard": card}


def truncate(text: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes, never cutting a character in half."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode("utf-8", "ignore") + "…"
