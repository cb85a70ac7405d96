"""The client portal: public pages reached only through a signed link to one summary
version. They show that summary and nothing else; no listing, no other data.

Opening the page records nothing: link previewers (WeChat, WeCom, Slack, mail scanners)
fetch it too. A view counts when the page's script reports that a person has it in front
of them (`portal_seen`, see docs/conversations.md "Client views")."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

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


def _granted(
    request: HttpRequest, token: str, *, bare: bool = False
) -> SummaryVersion | HttpResponse:
    """The version the link grants, or the answer to a bad link (the refusal page, or
    only its status for the page's script); a refused link changes nothing."""
    check = token_check(token, now=timezone.now())
    if check.state == LinkState.VALID and check.version is not None:
        return check.version
    return HttpResponse(status=STATUS_FOR[check.state]) if bare else _refused(request, check.state)


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
@require_safe
def portal_summary(request: HttpRequest, token: str) -> HttpResponse:
    """The page; a GET or HEAD records no view (a link preview is not the client)."""
    version = _granted(request, token)
    if isinstance(version, HttpResponse):
        return version
    return _page(request, token, version)


PREFETCH_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")


def seen_by_a_person(request: HttpRequest) -> bool:
    """Whether a "seen" report may count as the client looking at the page.

    The report comes from our page's script (POST, behind Django's CSRF check) or, without
    script, from an image of the <noscript> block (GET). Not counted: prefetches, a GET
    that another site embedded (Sec-Fetch-Site says so), and our own staff opening the
    link they copied."""
    if any("prefetch" in request.META.get(header, "").lower() for header in PREFETCH_HEADERS):
        return False
    site = request.META.get("HTTP_SEC_FETCH_SITE", "")
    if request.method == "GET" and site not in ("", "same-origin"):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def portal_seen(request: HttpRequest, token: str) -> HttpResponse:
    """The client has the page in front of them: record a view (repeats within 30 minutes
    count once). A bad link answers like the page (403/410) and records nothing."""
    version = _granted(request, token, bare=True)
    if isinstance(version, HttpResponse):
        return version
    if seen_by_a_person(request):
        services.summary_view_record(version=version)
    return HttpResponse(status=204)


@login_not_required
@never_cache
@require_POST
def portal_confirm(request: HttpRequest, token: str) -> HttpResponse:
    version = _granted(request, token)
    if isinstance(version, HttpResponse):
        return version
    try:
        services.summary_confirm(version=version)
    except services.SummarySuperseded:
        return _refused(request, LinkState.SUPERSEDED)
    return redirect("portal_summary", token=token)


@login_not_required
@never_cache
@require_POST
def portal_changes(request: HttpRequest, token: str) -> HttpResponse:
    version = _granted(request, token)
    if isinstance(version, HttpResponse):
        return version
    form = ChangesForm(request.POST)
    if not form.is_valid():
        return _page(request, token, version, form=form, status=422)
    try:
        services.summary_request_changes(version=version, comments=form.cleaned_data)
    except services.SummarySuperseded:
        return _refused(request, LinkState.SUPERSEDED)
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return _page(request, token, version, form=form, status=422)
    return redirect(reverse("portal_summary", args=[token]) + "?sent=1")
