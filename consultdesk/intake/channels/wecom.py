"""WeCom, Official Account and WeChat Customer Service payloads -> `InboundMessage`.

Pure Python, no Django. Three ways a WeChat message reaches us:

- the WeCom self-built app callback (consultants forward what clients sent them) and the
  Official Account callback: one decrypted XML document per message or event, parsed by
  `parse_callback_xml`;
- WeChat Customer Service: the callback only announces `kf_msg_or_event` (a
  `CallbackEvent`); the messages themselves are pulled with `kf/sync_msg`, whose JSON
  answer `parse_kf_sync_messages` reads.

Channel names are `consultdesk.consultations.choices.Channel` values, spelled out here
because this module must not import Django.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from consultdesk.intake.channels.wechat_crypto import (
    MAX_BODY_BYTES,
    MalformedPayload,
    parse_xml_fields,
)
from consultdesk.intake.inbound import InboundMessage

CHANNEL_WECOM = "wecom"
CHANNEL_OFFICIAL_ACCOUNT = "official_account"
CHANNEL_WECHAT = "wechat"  # WeChat Customer Service (微信客服)
CALLBACK_CHANNELS = frozenset({CHANNEL_WECOM, CHANNEL_OFFICIAL_ACCOUNT})

KF_EVENT = "kf_msg_or_event"
# kf/sync_msg "origin": 3 = sent by the WeChat client, 4 = system event, 5 = by a servicer.
KF_ORIGIN_CLIENT = 3
KF_ORIGIN_SYSTEM = 4

# Callback XML tags kept in InboundMessage.extra, under these keys, when present.
_EXTRA_TAGS = {
    "MsgType": "msg_type",
    "ToUserName": "to_user",
    "AgentID": "agent_id",
    "MediaId": "media_id",
    "Format": "format",
    "Recognition": "recognition",
    "PicUrl": "pic_url",
    "ThumbMediaId": "thumb_media_id",
    "Event": "event",
    "EventKey": "event_key",
    "Location_X": "latitude",
    "Location_Y": "longitude",
    "Scale": "scale",
    "Label": "label",
    "Title": "title",
    "Description": "description",
    "Url": "url",
}


class CallbackParseError(ValueError):
    """The decrypted callback lacks what every callback carries (MsgType, FromUserName)."""


class KfSyncError(RuntimeError):
    """kf/sync_msg answered with an error code; `errcode` says which (e.g. 95007 bad token)."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"kf/sync_msg failed: errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


@dataclass(frozen=True)
class CallbackEvent:
    """A callback that is not itself a message: messages must be pulled (kf/sync_msg)."""

    kind: str
    token: str  # pass to kf/sync_msg within 10 minutes; without it the API is rate-limited
    open_kf_id: str  # the Customer Service account with new messages ("" on older callbacks)
    corp_id: str = ""
    received_at: datetime.datetime | None = None


@dataclass
class _Facts:
    """What a message type contributes: a readable body, extra facts and warnings."""

    body: str
    extra: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


# --- Readable bodies, shared by the callback XML and kf/sync_msg ---------------------------


def voice_body(media_id: str, recognition: str = "") -> str:
    placeholder = f"[语音消息] (MediaId {media_id})" if media_id else "[语音消息]"
    return f"{placeholder}\n{recognition}" if recognition else placeholder


def location_body(label: str, latitude: str, longitude: str) -> str:
    where = f" {label}" if label else ""
    return f"[位置]{where} ({latitude}, {longitude})"


def link_body(title: str, description: str, url: str) -> str:
    return "\n".join(part for part in (f"[链接] {title}".rstrip(), description, url) if part)


# --- Callback XML (WeCom self-built app, Official Account, Customer Service announcement) --


def parse_callback_xml(xml_text: str, *, channel: str) -> InboundMessage | CallbackEvent:
    """Turn one decrypted callback into a message, or into the kf_msg_or_event announcement.

    `channel` is "wecom" or "official_account"; raises `MalformedPayload` for unsafe or
    broken XML and `CallbackParseError` when MsgType or FromUserName is missing.
    """
    return parse_callback_fields(parse_xml_fields(xml_text), channel=channel)


def parse_callback(text: str | bytes, *, channel: str) -> InboundMessage | CallbackEvent:
    """A decrypted callback in either format: XML, or the JSON that newer callbacks (and
    the Official Account's "JSON" data format) send."""
    stripped = text.lstrip() if isinstance(text, str) else text.lstrip().decode("utf-8", "replace")
    if stripped[:1] == "{":
        return parse_callback_fields(parse_json_fields(stripped), channel=channel)
    return parse_callback_fields(parse_xml_fields(text), channel=channel)


def parse_json_fields(text: str) -> dict[str, str]:
    """The scalar top-level members of a JSON callback, as strings (like the XML's fields)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
        raise MalformedPayload(f"body exceeds the {MAX_BODY_BYTES}-byte limit")
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise MalformedPayload("callback is not valid JSON") from None
    if not isinstance(document, dict):
        raise MalformedPayload("JSON callback is not an object")
    return {
        str(key): str(value).strip()
        for key, value in document.items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    }


def parse_callback_fields(
    fields: Mapping[str, str], *, channel: str
) -> InboundMessage | CallbackEvent:
    """The shared reading of a callback's fields, whatever format carried them."""
    if channel not in CALLBACK_CHANNELS:
        raise ValueError(f"channel must be one of {sorted(CALLBACK_CHANNELS)}, not {channel!r}")
    received_at, time_warnings = _unix_time("CreateTime", fields.get("CreateTime", ""))
    if fields.get("MsgType") == "event" and fields.get("Event") == KF_EVENT:
        return CallbackEvent(
            kind=KF_EVENT,
            token=fields.get("Token", ""),
            open_kf_id=fields.get("OpenKfId", ""),
            corp_id=fields.get("ToUserName", ""),
            received_at=received_at,
        )
    for required in ("MsgType", "FromUserName"):
        if not fields.get(required):
            raise CallbackParseError(f"callback has no {required}")
    facts = _callback_facts(fields)
    return InboundMessage(
        channel=channel,
        external_id=_callback_external_id(fields),
        body=facts.body,
        sender_wechat=fields["FromUserName"],
        received_at=received_at,
        extra={key: fields[tag] for tag, key in _EXTRA_TAGS.items() if fields.get(tag)}
        | facts.extra,
        warnings=(*time_warnings, *facts.warnings),
    )


def _callback_external_id(fields: Mapping[str, str]) -> str:
    # WeCom retries unanswered callbacks 3 times: MsgId, or for events (which have none)
    # sender + time + event, is the idempotency key.
    if fields.get("MsgId"):
        return fields["MsgId"]
    parts = [fields["MsgType"], fields["FromUserName"], fields.get("CreateTime", "")]
    if fields["MsgType"] == "event":
        parts.append(fields.get("Event", ""))
    return ":".join(parts)


def _unix_time(name: str, value: str) -> tuple[datetime.datetime | None, tuple[str, ...]]:
    """An aware UTC time, or None (the arrival time stands in) with a warning saying why."""
    try:
        return datetime.datetime.fromtimestamp(int(value), tz=datetime.UTC), ()
    except (ValueError, OverflowError, OSError):
        return None, (f"{name} {value!r} is not a Unix time; using the arrival time",)


def _callback_facts(fields: Mapping[str, str]) -> _Facts:
    msg_type = fields["MsgType"]
    describe = _CALLBACK_BODIES.get(msg_type)
    if describe is None:
        return _Facts(f"[{msg_type}]", warnings=[f"unknown MsgType {msg_type!r}"])
    return describe(fields)


def _callback_text(fields: Mapping[str, str]) -> _Facts:
    return _Facts(fields.get("Content", ""))


def _callback_voice(fields: Mapping[str, str]) -> _Facts:
    recognition = fields.get("Recognition", "")
    facts = _Facts(voice_body(fields.get("MediaId", ""), recognition))
    # WeCom sends no Recognition and the Official Account's may be empty: transcribe later.
    if not recognition:
        facts.extra["needs_transcription"] = "true"
    return facts


def _callback_image(fields: Mapping[str, str]) -> _Facts:
    return _Facts("[图片]")


def _callback_video(fields: Mapping[str, str]) -> _Facts:
    return _Facts("[视频]")


def _callback_file(fields: Mapping[str, str]) -> _Facts:
    return _Facts(f"[文件] {fields.get('Title', '')}".rstrip())


def _callback_location(fields: Mapping[str, str]) -> _Facts:
    return _Facts(
        location_body(
            fields.get("Label", ""), fields.get("Location_X", ""), fields.get("Location_Y", "")
        )
    )


def _callback_link(fields: Mapping[str, str]) -> _Facts:
    return _Facts(
        link_body(fields.get("Title", ""), fields.get("Description", ""), fields.get("Url", ""))
    )


def _callback_event(fields: Mapping[str, str]) -> _Facts:
    event_key = fields.get("EventKey", "")
    body = f"[事件] {fields.get('Event', '')}".rstrip()
    return _Facts(f"{body} {event_key}" if event_key else body)


_CALLBACK_BODIES: dict[str, Callable[[Mapping[str, str]], _Facts]] = {
    "text": _callback_text,
    "voice": _callback_voice,
    "image": _callback_image,
    "video": _callback_video,
    "shortvideo": _callback_video,
    "file": _callback_file,
    "location": _callback_location,
    "link": _callback_link,
    "event": _callback_event,
}


# --- WeChat Customer Service: kf/sync_msg ---------------------------------------------------


def parse_kf_sync_messages(
    payload: Mapping[str, Any],
) -> tuple[list[InboundMessage], str | None, bool]:
    """The clients' messages in one kf/sync_msg answer, the next cursor, and has_more.

    Servicer messages (origin 5) and system events (origin 4) are not inbound messages;
    an enter_session event's scene is carried onto the same client's later messages, so
    the consultation knows which link or QR code the client came through.
    """
    errcode = _as_int(payload.get("errcode", 0))
    if errcode != 0:
        raise KfSyncError(errcode, str(payload.get("errmsg", "")))
    messages: list[InboundMessage] = []
    scenes: dict[str, dict[str, str]] = {}
    for item in _as_list(payload.get("msg_list")):
        origin = _as_int(item.get("origin"))
        if origin == KF_ORIGIN_SYSTEM:
            _remember_scene(item, scenes)
        elif origin == KF_ORIGIN_CLIENT:
            messages.append(_kf_message(item, scenes))
    next_cursor = str(payload.get("next_cursor") or "") or None
    return messages, next_cursor, bool(_as_int(payload.get("has_more")))


def _remember_scene(item: Mapping[str, Any], scenes: dict[str, dict[str, str]]) -> None:
    event = _as_dict(item.get("event"))
    if event.get("event_type") != "enter_session":
        return
    # On event items the customer's id sits inside "event", not at the top level.
    customer = str(event.get("external_userid") or item.get("external_userid") or "")
    facts = {key: str(event[key]) for key in ("scene", "scene_param") if event.get(key)}
    if customer and facts:
        scenes[customer] = facts


def kf_scene_event(item: Mapping[str, Any]) -> tuple[str, dict[str, str]] | None:
    """(external_userid, {scene, scene_param}) of an enter_session event item, else None."""
    scenes: dict[str, dict[str, str]] = {}
    if _as_int(item.get("origin")) == KF_ORIGIN_SYSTEM:
        _remember_scene(item, scenes)
    return next(iter(scenes.items()), None)


def is_kf_client_message(item: Mapping[str, Any]) -> bool:
    """Whether a kf/sync_msg item was sent by the WeChat client (not a servicer or event)."""
    return _as_int(item.get("origin")) == KF_ORIGIN_CLIENT


def parse_kf_message(
    item: Mapping[str, Any], *, scene: Mapping[str, str] | None = None
) -> InboundMessage:
    """One client message from kf/sync_msg; `scene` is what its enter_session event said."""
    customer = str(item.get("external_userid") or "")
    return _kf_message(item, {customer: dict(scene)} if scene else {})


def _kf_message(item: Mapping[str, Any], scenes: Mapping[str, dict[str, str]]) -> InboundMessage:
    msg_type = str(item.get("msgtype") or "")
    customer = str(item.get("external_userid") or "")
    facts = _kf_facts(msg_type, _as_dict(item.get(msg_type)))
    warnings = list(facts.warnings)
    external_id = str(item.get("msgid") or "")
    if not external_id:
        external_id = _kf_fallback_id(item)
        warnings.append("message has no msgid; a hash of its content stands in for it")
    received_at, time_warnings = _unix_time("send_time", str(item.get("send_time", "")))
    extra = {"msg_type": msg_type, "open_kf_id": str(item.get("open_kfid") or "")}
    return InboundMessage(
        channel=CHANNEL_WECHAT,
        external_id=external_id,
        body=facts.body,
        sender_wechat=customer,
        received_at=received_at,
        extra={key: value for key, value in extra.items() if value}
        | scenes.get(customer, {})
        | facts.extra,
        warnings=(*time_warnings, *warnings),
    )


def _kf_fallback_id(item: Mapping[str, Any]) -> str:
    # Deterministic, so pulling the same item twice still deduplicates; content-based, so
    # two different id-less items never collide into one.
    canonical = json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)
    return "kf-sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def _kf_facts(msg_type: str, content: Mapping[str, Any]) -> _Facts:
    media_id = str(content.get("media_id") or "")
    extra = {"media_id": media_id} if media_id else {}
    if msg_type == "text":
        menu_id = str(content.get("menu_id") or "")
        return _Facts(str(content.get("content") or ""), {"menu_id": menu_id} if menu_id else {})
    if msg_type == "voice":
        return _Facts(voice_body(media_id), extra | {"needs_transcription": "true"})
    if msg_type in _KF_MEDIA_LABELS:
        return _Facts(_KF_MEDIA_LABELS[msg_type], extra)
    if msg_type == "location":
        return _kf_location(content)
    if msg_type == "link":
        return _Facts(
            link_body(*(str(content.get(key) or "") for key in ("title", "desc", "url"))),
            {"url": str(content["url"])} if content.get("url") else {},
        )
    return _Facts(f"[{msg_type}]", warnings=[f"unhandled kf msgtype {msg_type!r}"])


_KF_MEDIA_LABELS = {"image": "[图片]", "video": "[视频]", "file": "[文件]"}


def _kf_location(content: Mapping[str, Any]) -> _Facts:
    name, address = str(content.get("name") or ""), str(content.get("address") or "")
    latitude, longitude = str(content.get("latitude", "")), str(content.get("longitude", ""))
    label = " ".join(part for part in (name, address) if part)
    return _Facts(
        location_body(label, latitude, longitude),
        {"latitude": latitude, "longitude": longitude, "label": label},
    )


# The JSON comes from Tencent, but a changed or truncated answer must not crash the puller.
def _as_int(value: object) -> int:
    if isinstance(value, int | str):
        try:
            return int(value)
        except ValueError:
            pass
    return 0


def _as_dict(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _as_list(value: object) -> list[Mapping[str, Any]]:
    items = value if isinstance(value, Sequence) and not isinstance(value, str | bytes) else []
    return [item for item in items if isinstance(item, Mapping)]
