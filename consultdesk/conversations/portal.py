"""The client portal: public pages reached only through a signed link to one summary
version. They show that summary and nothing else; no listing, no other data."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from consultdesk.conversations import services
from consultdesk.conversations.forms import ChangesForm
from consultdesk.conversations.models import SECTION_TITLES, SummaryVersion
from consultdesk.conversations.templatetags.conversations import sections_from
from consultdesk.conversations.tokens import LinkState, token_check

# A tampered link is refused (403); an expired or superseded one is gone (410).
STATUS_FOR = {LinkState.INVALID: 403, LinkState.EXPIRED: 410, LinkState.SUPERSEDED: 410}


def _refused(request: HttpRequest, state: LinkState) -> HttpResponse:
    return render(
        request, "conversations/portal_refused.html", {"state": state}, status=STATUS_FOR[state]
    )


def _page(
    request: HttpRequest,
    token: str,
    version: SummaryVersion,
    *,
    form: ChangesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    consultation = version.summary.consultation
    comments = {name: str(form[name].value() or "") for name in SECTION_TITLES} if form else {}
    sections = sections_from(version.sections(), comments)
    context = {
        "token": token,
        "version": version,
        "title": consultation.title,
        "consultant": consultation.owner,
        "sections": sections,
        "form": form or ChangesForm(),
    }
    return render(request, "conversations/portal.html", context, status=status)


@login_not_required
@never_cache
@require_GET
def portal_summary(request: HttpRequest, token: str) -> HttpResponse:
    check = token_check(token, now=timezone.now())
    if check.state != LinkState.VALID or check.version is None:
        return _refused(request, check.state)
    services.summary_view_record(version=check.version)
    return _page(request, token, check.version)


@login_not_required
@never_cache
@require_POST
def portal_confirm(request: HttpRequest, token: str) -> HttpResponse:
    check = token_check(token, now=timezone.now())
    if check.state != LinkState.VALID or check.version is None:
        return _refused(request, check.state)
    try:
        services.summary_confirm(version=check.version)
    except services.SummarySuperseded:
        return _refused(request, LinkState.SUPERSEDED)
    return redirect("portal_summary", token=token)


@login_not_required
@never_cache
@require_POST
def portal_changes(request: HttpRequest, token: str) -> HttpResponse:
    check = token_check(token, now=timezone.now())
    if check.state != LinkState.VALID or check.version is None:
        return _refused(request, check.state)
    form = ChangesForm(request.POST)
    if not form.is_valid():
        return _page(request, token, check.version, form=form, status=422)
    try:
        services.summary_request_changes(version=check.version, comments=form.cleaned_data)
    except services.SummarySuperseded:
        return _refused(request, LinkState.SUPERSEDED)
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return _page(request, token, check.version, form=form, status=422)
    return redirect(reverse("portal_summary", args=[token]) + "?sent=1")
