"""WeChat channels: accept verified callbacks, pull Customer Service messages, fetch media.

Raw first, as for every channel: a callback is stored (decrypted, with its encrypted
envelope in the metadata) before anything parses it, and a kf/sync_msg page is stored
item by item in the same transaction that moves the cursor. Processing — the shared
`inbound_process` and then the media download — runs in a task after commit, so the
callback answers inside WeChat's 5-second window and a failure leaves a retryable item.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import get_valid_filename
from django_tasks import task

from consultdesk.consultations.choices import Channel
from consultdesk.consultations.models import Attachment, Message
from consultdesk.intake.channels import wecom
from consultdesk.intake.inbound import InboundMessage
from consultdesk.intake.models import InboundItem, InboundStatus
from consultdesk.intake.services import inbound_process, inbound_store
from consultdesk.wechat import config
from consultdesk.wechat.client import MediaTooLarge, WeChatApiError, WeComApi
from consultdesk.wechat.models import KfCursor, KfCustomer
from consultdesk.wechat.parsers import (
    kf_raw,
    parse_kf_raw,
    parse_official_account_raw,
    parse_wecom_raw,
)

logger = logging.getLogger(__name__)

PARSERS: dict[str, Callable[[bytes], InboundMessage]] = {
    Channel.WECOM: parse_wecom_raw,
    Channel.OFFICIAL_ACCOUNT: parse_official_account_raw,
    Channel.WECHAT: parse_kf_raw,
}
CALLBACK_PARSE_CHANNEL = {
    Channel.WECOM: wecom.CHANNEL_WECOM,
    Channel.OFFICIAL_ACCOUNT: wecom.CHANNEL_OFFICIAL_ACCOUNT,
}
KF_TOKEN_LIFETIME = datetime.timedelta(minutes=10)
KF_PAGES_PER_RUN = 50
KF_INVALID_TOKEN = 95007
KF_PAGE_LIMIT = 1000
# WeChat keeps Customer Service messages 3 days: a pull failing this long is an emergency.
KF_ALERT_AFTER = datetime.timedelta(hours=6)
# Items older than this still PENDING lost their task (a crash after commit): sweep them.
PENDING_GRACE = datetime.timedelta(minutes=10)
# The Official Account's media API needs its own token (api.weixin.qq.com): not fetched.
MEDIA_CHANNELS = frozenset({Channel.WECOM, Channel.WECHAT})


# --- Callbacks ------------------------------------------------------------------------------


def wechat_callback_accept(
    *, channel: Channel, plaintext: str, metadata: dict[str, Any]
) -> InboundItem | None:
    """Store a verified callback raw and queue its processing; a Customer Service
    announcement carries no message, so it queues a pull instead."""
    try:
        parsed = wecom.parse_callback(plaintext, channel=CALLBACK_PARSE_CHANNEL[channel])
    except ValueError:
        parsed = None  # stored all the same: processing records why it cannot be read
    if isinstance(parsed, wecom.CallbackEvent):
        kf_announce(open_kfid=parsed.open_kf_id, token=parsed.token)
        return None
    item = inbound_store(channel=channel, raw=plaintext.encode("utf-8"), metadata=metadata)
    if parsed is not None and parsed.extra.get("msg_type") == "event":
        return _event_keep(item=item, event=parsed)
    transaction.on_commit(partial(wechat_inbound_process_task.enqueue, item.pk))
    return item


def _event_keep(*, item: InboundItem, event: InboundMessage) -> InboundItem:
    # Subscriptions, menu clicks, "entered the app" and location reports are not client
    # messages: kept raw for the record, they open no consultation.
    logger.info("%s event %s kept as item %s", item.channel, event.extra.get("event"), item.pk)
    InboundItem.objects.filter(pk=item.pk).update(
        status=InboundStatus.PROCESSED,
        external_id=event.external_id[:300],
        processed_at=timezone.now(),
    )
    item.refresh_from_db()
    return item


def wechat_callback_keep_undecryptable(
    *, channel: Channel, body: bytes, metadata: dict[str, Any], error: Exception
) -> InboundItem:
    """Keep a correctly signed body that does not decrypt (a wrong EncodingAESKey or
    receiver id configured) as a FAILED item a manager sees; it is not lost."""
    logger.error("signed %s callback could not be decrypted: %s", channel, error)
    item = inbound_store(channel=channel, raw=body, metadata=metadata | {"decrypted": False})
    InboundItem.objects.filter(pk=item.pk).update(
        status=InboundStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
    )
    return item


def kf_announce(*, open_kfid: str, token: str) -> KfCursor:
    """Remember the announcement's token (it lifts the rate limit) and queue a pull."""
    state, _created = KfCursor.objects.get_or_create(open_kfid=open_kfid[:64])
    KfCursor.objects.filter(pk=state.pk).update(
        callback_token=token[:256], callback_token_at=timezone.now()
    )
    transaction.on_commit(partial(kf_sync_task.enqueue, state.open_kfid))
    return state


# --- Processing a stored item ---------------------------------------------------------------


def wechat_inbound_process(*, item_id: int) -> InboundItem | None:
    """Ingest a stored WeChat item once, then attach its media; safe to run twice."""
    item = InboundItem.objects.filter(pk=item_id).first()
    if item is None or item.status != InboundStatus.PENDING:
        return item  # processed already, or FAILED and waiting for a manager's retry
    item = inbound_process(item=item)
    if item.status == InboundStatus.PROCESSED and item.message is not None:
        wechat_media_attach(item=item, message=item.message)
    return item


def wechat_media_attach(*, item: InboundItem, message: Message) -> Attachment | None:
    """Download the image, voice, video or file a message refers to and attach it."""
    if item.channel not in MEDIA_CHANNELS or message.attachments.exists():
        return None
    parsed = PARSERS[item.channel](bytes(item.raw))
    media_id = parsed.extra.get("media_id", "")
    if not media_id:
        return None
    api = WeComApi.customer_service() if item.channel == Channel.WECHAT else WeComApi.application()
    try:
        media = api.media_get(media_id, max_bytes=config.max_media_bytes())
    except WeChatApiError as error:
        # The message itself is safe; the note says what is missing and why.
        logger.warning("media %s of message %s not fetched: %s", media_id, message.pk, error)
        reason = "too large" if isinstance(error, MediaTooLarge) else f"error {error.errcode}"
        note = f"\n\n[media {media_id} not downloaded: {reason}]"
        Message.objects.filter(pk=message.pk).update(body=message.body + note)
        return None
    attachment = Attachment.objects.create(
        message=message,
        file=ContentFile(media.content, name=_storage_name(media.filename)),
        filename=media.filename[:255],
        content_type=media.content_type[:100],
        size=len(media.content),
    )
    if parsed.extra.get("needs_transcription"):
        voice_transcribe(message=message, audio=media.content, content_type=media.content_type)
    return attachment


def voice_transcribe(*, message: Message, audio: bytes, content_type: str) -> str:
    """Append a transcript of a voice note, when a transcriber is configured.

    CONSULTDESK_WECHAT_TRANSCRIBER names a callable `(audio: bytes, content_type: str) ->
    str`; WeCom sends no recognition text of its own. A failure leaves the note as it is.
    """
    path = config.setting("CONSULTDESK_WECHAT_TRANSCRIBER")
    if not path:
        return ""
    try:
        transcript = str(import_string(path)(audio, content_type)).strip()
    except Exception:  # noqa: BLE001 - a transcriber's failure must not lose the message
        logger.exception("voice note of message %s could not be transcribed", message.pk)
        return ""
    if transcript:
        message.body = f"{message.body}\n{transcript}"
        Message.objects.filter(pk=message.pk).update(body=message.body)
    return transcript


def wechat_pending_process(*, now: datetime.datetime) -> int:
    """Process items whose task was lost (a crash between commit and enqueue)."""
    stale = InboundItem.objects.filter(
        channel__in=list(PARSERS),
        status=InboundStatus.PENDING,
        received_at__lt=now - PENDING_GRACE,
    ).values_list("pk", flat=True)
    ids = list(stale[:500])
    for item_id in ids:
        wechat_inbound_process(item_id=item_id)
    return len(ids)


def _storage_name(filename: str) -> str:
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip(". ")
    stem, dot, extension = get_valid_filename(base or "media").rpartition(".")
    return f"{stem[:50]}.{extension[:10]}" if dot else (extension[:60] or "media")


# --- WeChat Customer Service: kf/sync_msg ---------------------------------------------------


@dataclass
class KfSyncResult:
    open_kfid: str
    pages: int = 0
    stored: list[int] = field(default_factory=list)  # InboundItem ids
    error: str = ""


@dataclass(frozen=True)
class _KfPage:
    items: list[Mapping[str, Any]]
    next_cursor: str
    has_more: bool


def kf_sync(*, open_kfid: str) -> KfSyncResult:
    """Pull an account's new messages; each page's raw items and the moved cursor commit
    together, so a crash anywhere neither loses nor repeats a message."""
    state, _created = KfCursor.objects.get_or_create(open_kfid=open_kfid)
    result = KfSyncResult(open_kfid=open_kfid)
    token_at = state.callback_token_at
    token = (
        state.callback_token if token_at and timezone.now() - token_at < KF_TOKEN_LIFETIME else ""
    )
    try:
        api = WeComApi.customer_service()
        while result.pages < KF_PAGES_PER_RUN:
            payload = api.kf_sync_msg(
                cursor=state.cursor, token=token, open_kfid=open_kfid, limit=KF_PAGE_LIMIT
            )
            result.pages += 1
            page = _kf_page(payload)
            stored = _kf_page_store(state=state, page=page)
            if stored is None:
                break  # another puller moved the cursor first; it pulls the rest
            result.stored += stored
            for item_id in stored:
                transaction.on_commit(partial(wechat_inbound_process_task.enqueue, item_id))
            if not page.has_more:
                break
    except WeChatApiError as error:
        if token and error.errcode == KF_INVALID_TOKEN:
            # Pull without it next time (rate-limited, but not refused).
            KfCursor.objects.filter(pk=state.pk).update(callback_token="")
        _kf_failure_record(state=state, error=error)
        result.error = str(error)
    return result


def kf_sync_all() -> list[KfSyncResult]:
    """The periodic job: pull every known account, alert on long failures, and process
    items a crash left pending. Safe to run twice at once."""
    now = timezone.now()
    for open_kfid in config.kf_accounts():
        KfCursor.objects.get_or_create(open_kfid=open_kfid)
    results = [
        kf_sync(open_kfid=open_kfid)
        for open_kfid in KfCursor.objects.order_by("pk").values_list("open_kfid", flat=True)
    ]
    for state in KfCursor.objects.filter(failures__gt=0):
        last_success = state.last_success_at or state.updated_at
        if now - last_success > KF_ALERT_AFTER:
            logger.critical(
                "WeChat Customer Service %s has not been pulled since %s (%s failures: %s); "
                "WeChat deletes messages after 3 days",
                state.open_kfid,
                state.last_success_at,
                state.failures,
                state.last_error,
            )
    wechat_pending_process(now=now)
    return results


def _kf_page(payload: Mapping[str, Any]) -> _KfPage:
    raw_items = payload.get("msg_list")
    items = (
        [item for item in raw_items if isinstance(item, Mapping)]
        if isinstance(raw_items, list)
        else []
    )
    has_more = str(payload.get("has_more") or "0") not in ("0", "False", "false")
    return _KfPage(items, str(payload.get("next_cursor") or ""), has_more)


def _kf_page_store(*, state: KfCursor, page: _KfPage) -> list[int] | None:
    """Store a page's client messages raw and move the cursor, all or nothing; None if
    the cursor is no longer where this puller found it."""
    next_cursor = page.next_cursor or state.cursor
    with transaction.atomic():
        moved = KfCursor.objects.filter(pk=state.pk, cursor=state.cursor).update(
            cursor=next_cursor, last_success_at=timezone.now(), failures=0, last_error=""
        )
        if not moved:
            return None
        stored = _kf_items_store(state=state, items=page.items)
    if page.has_more and next_cursor == state.cursor:
        raise WeChatApiError(-1, "kf/sync_msg said has_more without moving the cursor")
    state.cursor = next_cursor
    return stored


def _kf_items_store(*, state: KfCursor, items: list[Mapping[str, Any]]) -> list[int]:
    msgids = [str(item.get("msgid")) for item in items if item.get("msgid")]
    # A page that repeats a message (or a redelivered one) stores it once.
    seen = set(
        InboundItem.objects.filter(channel=Channel.WECHAT, external_id__in=msgids).values_list(
            "external_id", flat=True
        )
    )
    stored: list[int] = []
    for item in items:
        entered = wecom.kf_scene_event(item)
        if entered is not None:
            _kf_customer_enter(customer=entered[0], facts=entered[1], open_kfid=state.open_kfid)
            continue
        msgid = str(item.get("msgid") or "")
        if not wecom.is_kf_client_message(item) or (msgid and msgid in seen):
            continue
        seen.add(msgid)
        # The scene was recorded by the client's enter_session event, on this page or before.
        known = KfCustomer.objects.filter(external_userid=str(item.get("external_userid"))).first()
        scene = known.scene_facts() if known else {}
        row = inbound_store(
            channel=Channel.WECHAT,
            raw=kf_raw(dict(item), scene=scene),
            metadata={
                "source": "kf/sync_msg",
                "open_kfid": state.open_kfid,
                "cursor": state.cursor,
            },
        )
        InboundItem.objects.filter(pk=row.pk).update(external_id=msgid[:300])
        stored.append(row.pk)
    return stored


def _kf_customer_enter(*, customer: str, facts: Mapping[str, str], open_kfid: str) -> None:
    KfCustomer.objects.update_or_create(
        external_userid=customer[:64],
        defaults={
            "open_kfid": open_kfid[:64],
            "scene": facts.get("scene", "")[:64],
            "scene_param": facts.get("scene_param", "")[:256],
        },
    )


def _kf_failure_record(*, state: KfCursor, error: Exception) -> None:
    logger.error("WeChat Customer Service pull for %r failed: %s", state.open_kfid, error)
    KfCursor.objects.filter(pk=state.pk).update(
        failures=F("failures") + 1, last_failure_at=timezone.now(), last_error=str(error)[:2000]
    )


# --- Tasks ----------------------------------------------------------------------------------


@task()
def wechat_inbound_process_task(item_id: int) -> None:
    wechat_inbound_process(item_id=item_id)


@task()
def kf_sync_task(open_kfid: str) -> None:
    kf_sync(open_kfid=open_kfid)


@task()
def kf_sync_all_task() -> None:
    kf_sync_all()
