from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST

from consultdesk.accounts.services import user_set_language


def home(request: HttpRequest) -> HttpResponse:
    return redirect("inbox")


@login_not_required
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the user and in a cookie."""
    language = request.POST.get("language", "")
    if not check_for_language(language) or language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest("Unknown language.")
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@login_not_required
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def error_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "web/error.html", {"status": 404}, status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "web/error.html", {"status": 500}, status=500)


def dashboard(request: HttpRequest) -> HttpResponse:
    """The pipeline and service levels at a glance (a handful of grouped queries)."""
    from consultdesk.consultations.dashboard import pipeline_overview, service_level_overview
    from consultdesk.sla.services import calendar_coverage_warning

    user = request.user
    context = {
        "overview": pipeline_overview(user=user),  # type: ignore[arg-type]
        "service": service_level_overview(user=user, now=timezone.now()),  # type: ignore[arg-type]
        "calendar_warning": calendar_coverage_warning(today=timezone.localdate()),
    }
    return render(request, "web/dashboard.html", context)
