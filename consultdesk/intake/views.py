from __future__ import annotations

import uuid
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from consultdesk.consultations.access import require_manager
from consultdesk.consultations.choices import Channel
from consultdesk.consultations.models import Consultation
from consultdesk.intake.acknowledgement import acknowledgement_send, expected_answer
from consultdesk.intake.forms import QuickEntryForm, SpreadsheetUploadForm, WebInquiryForm
from consultdesk.intake.models import InboundItem, InboundStatus
from consultdesk.intake.services import (
    inbound_receive,
    inbound_retry,
    inbound_store,
    quick_entry_ingest,
    spreadsheet_import_task,
    spreadsheet_preview,
)
from consultdesk.intake.spreadsheet import SpreadsheetError
from consultdesk.web.pagination import window_page

SESSION_REFERENCES = "submitted_references"


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _rate_limited(ip: str) -> bool:
    """At most CONSULTDESK_FORM_RATE submissions per IP in ten minutes."""
    key = f"webform-rate:{ip}"
    cache.add(key, 0, timeout=600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=600)
        count = 1
    return count > settings.CONSULTDESK_FORM_RATE


def _raw_body(request: HttpRequest) -> tuple[bytes, bool]:
    """The request body as sent; a multipart body is already consumed by the CSRF check
    (which reads request.POST), so it is re-encoded from the parsed fields instead."""
    try:
        return request.body, True
    except RawPostDataException:
        return request.POST.urlencode().encode(), False


@login_not_required
@xframe_options_exempt
def web_inquiry(request: HttpRequest) -> HttpResponse:
    """The public form for the firm's website; may be embedded in an iframe."""
    if request.method != "POST":
        form = WebInquiryForm(initial={"submission_key": uuid.uuid4().hex})
        return render(request, "intake/web_inquiry.html", {"form": form})
    form = WebInquiryForm(request.POST)
    if not form.is_valid():
        return render(request, "intake/web_inquiry.html", {"form": form}, status=422)
    if _rate_limited(_client_ip(request)):
        form.add_error(None, _("Too many messages from your network. Please try again later."))
        return render(request, "intake/web_inquiry.html", {"form": form}, status=429)
    if form.is_spam():
        return render(request, "intake/web_thanks.html", {"consultation": None})
    raw, exact = _raw_body(request)
    item = inbound_receive(
        channel=Channel.WEB_FORM,
        raw=raw,
        metadata={
            "exact_body": exact,
            "ip": _client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "content_type": request.content_type,
            "language": get_language(),
        },
    )
    if item.consultation is None:
        # Stored raw and listed for the team; the client still gets an answer.
        return render(request, "intake/web_thanks.html", {"consultation": None})
    if item.status == InboundStatus.PROCESSED and form.cleaned_data["email"]:
        transaction.on_commit(
            partial(
                acknowledgement_send,
                consultation=item.consultation,
                email=form.cleaned_data["email"],
                language=get_language(),
            )
        )
    references = request.session.get(SESSION_REFERENCES, [])
    request.session[SESSION_REFERENCES] = [*references[-9:], item.consultation.reference]
    return redirect("web_inquiry_thanks", reference=item.consultation.reference)


@login_not_required
@xframe_options_exempt
def web_inquiry_thanks(request: HttpRequest, reference: str) -> HttpResponse:
    # Only the browser that submitted may see its acknowledgement.
    if reference not in request.session.get(SESSION_REFERENCES, []):
        raise Http404
    consultation = get_object_or_404(Consultation, reference=reference)
    due, after_hours = expected_answer(consultation=consultation)
    context = {
        "consultation": consultation,
        "due": timezone.localtime(due),
        "after_hours": after_hours,
    }
    return render(request, "intake/web_thanks.html", context)


def unprocessed(request: HttpRequest) -> HttpResponse:
    """Inbound items whose processing failed; each can be retried. Managers only."""
    require_manager(request.user)
    items = InboundItem.objects.filter(status=InboundStatus.FAILED).order_by("-received_at", "-id")
    page = window_page(
        items.defer("raw"), page=request.GET.get("page"), per_page=settings.CONSULTDESK_PAGE_SIZE
    )
    return render(request, "intake/unprocessed.html", {"page": page})


@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request.user)
    item = get_object_or_404(InboundItem, pk=pk)
    item = inbound_retry(item=item, actor=request.user)  # type: ignore[arg-type]
    if item.status == InboundStatus.FAILED:
        messages.error(request, _("Still failing: %(error)s") % {"error": item.error})
    else:
        messages.success(request, _("Processed."))
    return redirect("intake_unprocessed")


def quick_entry(request: HttpRequest) -> HttpResponse:
    """Log a phone call, a visit or a referral; appends to the caller's open consultation."""
    form = QuickEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = quick_entry_ingest(
            channel=Channel(data["channel"]),
            caller=data["caller"],
            phone=data["phone"],
            organisation=data["organisation"],
            gist=data["gist"],
            referred_by=data["referred_by"],
            when=data["when"],
            actor=request.user,  # type: ignore[arg-type]
        )
        if result.created_consultation:
            messages.success(request, _("New consultation opened."))
        else:
            messages.success(request, _("Added to the open consultation."))
        return redirect("consultation_detail", pk=result.consultation.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "intake/quick_entry.html", {"form": form}, status=status)


PREVIEW_ROWS = 200


def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a consultation log; it is stored as received, then previewed."""
    require_manager(request.user)
    form = SpreadsheetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        item = inbound_store(
            channel=Channel.IMPORT,
            raw=upload.read(),
            metadata={"filename": upload.name, "uploaded_by": str(request.user)},
        )
        return redirect("intake_import_preview", pk=item.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "intake/import_upload.html", {"form": form}, status=status)


def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """A dry run: every row checked, nothing written until the import is confirmed."""
    require_manager(request.user)
    item = get_object_or_404(InboundItem, pk=pk, channel=Channel.IMPORT)
    try:
        rows = spreadsheet_preview(item=item)
    except SpreadsheetError as error:
        return render(
            request, "intake/import_preview.html", {"item": item, "problem": str(error)}, status=422
        )
    invalid = [row for row in rows if row.errors]
    context = {
        "item": item,
        "total": len(rows),
        "invalid": invalid[:PREVIEW_ROWS],
        "invalid_count": len(invalid),
        "sample": [row for row in rows if not row.errors][:20],
        "done": item.status == InboundStatus.PROCESSED,
    }
    return render(request, "intake/import_preview.html", context)


@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(request.user)
    item = get_object_or_404(InboundItem, pk=pk, channel=Channel.IMPORT)
    spreadsheet_import_task.enqueue(item.pk, request.user.pk)
    messages.success(request, _("Import started; refresh to see the result."))
    return redirect("intake_import_preview", pk=item.pk)
