"""Stored raw bytes -> `InboundMessage`, one pure function per WeChat channel.

These are what `consultdesk.intake.services._parsers()` calls for the channels
"wecom", "official_account" and "wechat". What each receives is what the callback view or
the kf/sync_msg puller stored as `InboundItem.raw` (see docs/wechat.md):

- WeCom app and Official Account: the decrypted callback (XML or JSON, UTF-8); the
  encrypted envelope and the query string are kept beside it in `InboundItem.metadata`;
- WeChat Customer Service: one kf/sync_msg item exactly as received, wrapped as
  {"msg": <item>, "scene": {...}} with the scene of the client's enter_session event.
"""

from __future__ import annotations

import json
from typing import Any

from consultdesk.intake.channels import wecom
from consultdesk.intake.channels.wechat_crypto import MalformedPayload
from consultdesk.intake.inbound import InboundMessage


class NotAMessage(ValueError):
    """The stored callback is an event that carries no client message (kf announcement)."""


def parse_wecom_raw(raw: bytes) -> InboundMessage:
    return _callback_message(raw, channel=wecom.CHANNEL_WECOM)


def parse_official_account_raw(raw: bytes) -> InboundMessage:
    return _callback_message(raw, channel=wecom.CHANNEL_OFFICIAL_ACCOUNT)


def parse_kf_raw(raw: bytes) -> InboundMessage:
    stored = _json_object(raw)
    item = stored.get("msg")
    if not isinstance(item, dict):
        raise MalformedPayload("stored kf message has no 'msg' object")
    if not wecom.is_kf_client_message(item):
        raise NotAMessage("stored kf item was not sent by a client")
    scene = stored.get("scene")
    scene_facts = (
        {str(key): str(value) for key, value in scene.items()} if isinstance(scene, dict) else {}
    )
    return wecom.parse_kf_message(item, scene=scene_facts)


def kf_raw(item: dict[str, Any], *, scene: dict[str, str]) -> bytes:
    """What the puller stores for one kf/sync_msg item (the inverse of `parse_kf_raw`)."""
    return json.dumps({"msg": item, "scene": scene}, ensure_ascii=False).encode("utf-8")


def _callback_message(raw: bytes, *, channel: str) -> InboundMessage:
    parsed = wecom.parse_callback(raw, channel=channel)
    if isinstance(parsed, wecom.CallbackEvent):
        raise NotAMessage(f"{parsed.kind} announces messages to pull; it is not one")
    return parsed


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        raise MalformedPayload("stored kf message is not JSON") from None
    if not isinstance(document, dict):
        raise MalformedPayload("stored kf message is not a JSON object")
    return document
