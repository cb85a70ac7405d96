"""Managers' breach list and each user's notifications. Thin: fetch, filter, render."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from consultdesk.accounts.models import User
from consultdesk.sla.models import Breach, ClockKind, Notification
from consultdesk.sla.services import notifications_mark_read
from consultdesk.web.pagination import window_page


class BreachFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Deadline"), choices=[("", _("All")), *ClockKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), ("open", _("Still late")), ("resolved", _("Met late"))],
        required=False,
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.filter(is_active=True), required=False
    )


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _filtered_breaches(form: BreachFilterForm) -> QuerySet[Breach]:
    breaches = Breach.objects.select_related("consultation", "owner").order_by("-due_at", "-id")
    if not form.is_valid():
        return breaches
    data = form.cleaned_data
    if data["kind"]:
        breaches = breaches.filter(kind=data["kind"])
    if data["status"] == "open":
        breaches = breaches.filter(resolved_at=None)
    elif data["status"] == "resolved":
        breaches = breaches.filter(resolved_at__isnull=False)
    if data["owner"]:
        breaches = breaches.filter(owner=data["owner"])
    return breaches


def breach_list(request: HttpRequest) -> HttpResponse:
    """Missed deadlines, newest first; managers and administrators only (others 404)."""
    if not _user(request).sees_everything:
        raise Http404
    form = BreachFilterForm(request.GET or None)
    page = window_page(
        _filtered_breaches(form),
        page=request.GET.get("page"),
        per_page=settings.CONSULTDESK_PAGE_SIZE,
    )
    return render(request, "sla/breaches.html", {"form": form, "page": page, "now": timezone.now()})


def notification_list(request: HttpRequest) -> HttpResponse:
    """The signed-in user's notifications, newest first."""
    notifications = Notification.objects.filter(user=_user(request))
    page = window_page(
        notifications, page=request.GET.get("page"), per_page=settings.CONSULTDESK_PAGE_SIZE
    )
    return render(request, "sla/notifications.html", {"page": page})


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (``id``) or all of them read."""
    raw_id = request.POST.get("id", "")
    ids = [int(raw_id)] if raw_id.isdigit() else None
    notifications_mark_read(user=_user(request), ids=ids, now=timezone.now())
    return redirect("sla:notifications")
