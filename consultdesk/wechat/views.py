"""The three WeChat callbacks (public, signature-checked) and the reply form (staff).

Callbacks: verify the signature in constant time before anything is stored (a mismatch
is 403 with no side effect), store raw, answer at once; processing runs after commit.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from consultdesk.accounts.models import User
from consultdesk.consultations.access import consultation_for
from consultdesk.consultations.choices import Channel
from consultdesk.intake.channels.wechat_crypto import (
    DecryptError,
    ReceiverMismatch,
    SignatureMismatch,
    StaleRequest,
    WeChatCrypto,
    WeChatCryptoError,
)
from consultdesk.wechat import config
from consultdesk.wechat.forms import WeChatReplyForm
from consultdesk.wechat.replies import wechat_reply_send
from consultdesk.wechat.services import (
    wechat_callback_accept,
    wechat_callback_keep_undecryptable,
)

logger = logging.getLogger(__name__)
QUERY_KEPT = ("msg_signature", "signature", "timestamp", "nonce", "openid", "encrypt_type")


@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def wecom_callback(request: HttpRequest) -> HttpResponse:
    """The WeCom self-built app: consultants forward clients' messages and voice notes."""
    return _encrypted_callback(request, crypto=config.wecom_crypto(), answer="")


@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def kf_callback(request: HttpRequest) -> HttpResponse:
    """WeChat Customer Service: announcements of messages to pull (WeCom's crypto)."""
    return _encrypted_callback(request, crypto=config.kf_crypto(), answer="")


@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def official_account_callback(request: HttpRequest) -> HttpResponse:
    """The Official Account in safe mode: URL check by plain signature, bodies by
    msg_signature. Plaintext-mode bodies are refused: their signature covers no content."""
    crypto = config.official_account_crypto()
    if crypto is None:
        raise Http404
    query = request.GET
    if request.method == "GET":
        try:
            echostr = crypto.verify_plain_url(
                signature=query.get("signature", ""),
                timestamp=query.get("timestamp", ""),
                nonce=query.get("nonce", ""),
                echostr=query.get("echostr", ""),
                now=int(time.time()),
            )
        except WeChatCryptoError as error:
            return _refusal(error)
        return HttpResponse(echostr, content_type="text/plain; charset=utf-8")
    return _receive(request, crypto=crypto, channel=Channel.OFFICIAL_ACCOUNT, answer="success")


def _encrypted_callback(
    request: HttpRequest, *, crypto: WeChatCrypto | None, answer: str
) -> HttpResponse:
    if crypto is None:
        raise Http404  # the channel is not configured
    if request.method == "GET":
        query = request.GET
        try:
            plaintext = crypto.verify_url(
                msg_signature=query.get("msg_signature", ""),
                timestamp=query.get("timestamp", ""),
                nonce=query.get("nonce", ""),
                echostr=query.get("echostr", ""),
                now=int(time.time()),
            )
        except WeChatCryptoError as error:
            return _refusal(error)
        # WeCom wants the plaintext alone: no quotes, BOM or newline.
        return HttpResponse(plaintext, content_type="text/plain; charset=utf-8")
    return _receive(request, crypto=crypto, channel=Channel.WECOM, answer=answer)


def _receive(
    request: HttpRequest, *, crypto: WeChatCrypto, channel: Channel, answer: str
) -> HttpResponse:
    try:
        body = request.body
    except RequestDataTooBig:
        return HttpResponse(status=413)
    query = request.GET
    metadata = _metadata(request, body)
    try:
        plaintext = crypto.decrypt_message(
            msg_signature=query.get("msg_signature", ""),
            timestamp=query.get("timestamp", ""),
            nonce=query.get("nonce", ""),
            body=body,
            now=int(time.time()),
        )
    except (DecryptError, ReceiverMismatch) as error:
        # The signature matched: this came from Tencent, so it is kept, not refused.
        wechat_callback_keep_undecryptable(
            channel=channel, body=body, metadata=metadata, error=error
        )
        return HttpResponse(answer, content_type="text/plain")
    except WeChatCryptoError as error:
        return _refusal(error)
    wechat_callback_accept(channel=channel, plaintext=plaintext, metadata=metadata)
    return HttpResponse(answer, content_type="text/plain")


def _metadata(request: HttpRequest, body: bytes) -> dict[str, Any]:
    """The transport facts kept beside the decrypted message: the envelope as received."""
    return {
        "envelope": body.decode("utf-8", "replace"),
        "query": {key: request.GET[key] for key in QUERY_KEPT if key in request.GET},
        "ip": request.META.get("REMOTE_ADDR", ""),
        "content_type": request.content_type,
    }


def _refusal(error: WeChatCryptoError) -> HttpResponse:
    logger.warning("WeChat callback refused: %s", error)
    status = 403 if isinstance(error, SignatureMismatch | StaleRequest) else 400
    return HttpResponse(status=status)


@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer the client through WeChat Customer Service from the consultation page."""
    user: User = request.user  # type: ignore[assignment]
    consultation = consultation_for(user, pk)
    form = WeChatReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a reply first."))
        return redirect("consultation_detail", pk=consultation.pk)
    try:
        wechat_reply_send(consultation=consultation, body=form.cleaned_data["body"], actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Reply queued for WeChat."))
    return redirect("consultation_detail", pk=consultation.pk)
