from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consultdesk.accounts.models import User
from consultdesk.clients import services as client_services
from consultdesk.clients.models import Contact, ContactRole
from consultdesk.consultations import services
from consultdesk.consultations.access import consultation_for, require_manager
from consultdesk.consultations.choices import (
    CATEGORY_FOCUS,
    Category,
    Channel,
    Direction,
    Outcome,
    Stage,
)
from consultdesk.consultations.forms import (
    AssignForm,
    ConsultationCreateForm,
    InboxFilterForm,
    MergeForm,
    MessageForm,
    RecordForm,
    ShareForm,
    TagsForm,
    TransitionForm,
)
from consultdesk.consultations.models import Consultation, ConsultationQuerySet, Message
from consultdesk.consultations.timeline import timeline_entries
from consultdesk.consultations.workflow import ORDER, entry_gaps, next_stage
from consultdesk.insights.services import suggested_values
from consultdesk.intake.replies import email_reply_send
from consultdesk.web.pagination import capped_count, window_page


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _filtered_inbox(user: User, form: InboxFilterForm) -> ConsultationQuerySet:
    consultations = Consultation.objects.visible_to(user)
    if not form.is_valid():
        return consultations
    data = form.cleaned_data
    if data["view"] == "mine":
        consultations = consultations.filter(owner=user)
    elif data["view"] == "unassigned":
        consultations = consultations.filter(owner__isnull=True)
    for field in ("stage", "category", "channel", "priority", "owner"):
        if data[field]:
            consultations = consultations.filter(**{field: data[field]})
    if data["open"]:
        consultations = consultations.open()
    return consultations


def inbox(request: HttpRequest) -> HttpResponse:
    """The consultant's home: every visible consultation, new and unanswered first."""
    user = _user(request)
    form = InboxFilterForm(request.GET)
    consultations = _filtered_inbox(user, form)
    page = window_page(
        consultations.select_related("client", "owner").inbox_order(),
        page=request.GET.get("page"),
        per_page=settings.CONSULTDESK_PAGE_SIZE,
    )
    template = "consultations/_inbox_rows.html" if request.htmx else "consultations/inbox.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "page": page, "now": timezone.now()})


STAGE_COUNT_CAP = 999
STAGE_COUNTS_SECONDS = 30


def inbox_counts(request: HttpRequest) -> HttpResponse:
    """The sidebar's counts, loaded after the list and cached briefly: one capped
    index walk per stage instead of a GROUP BY over every row."""
    user = _user(request)
    key = f"inbox-counts:{user.pk}"
    counts = cache.get(key)
    if counts is None:
        visible = Consultation.objects.visible_to(user)
        counts = {
            "awaiting": capped_count(
                visible.filter(awaiting_reply=True).open(), cap=STAGE_COUNT_CAP
            ),
            "stages": [
                (stage.value, capped_count(visible.filter(stage=stage), cap=STAGE_COUNT_CAP))
                for stage in ORDER
            ],
        }
        cache.set(key, counts, STAGE_COUNTS_SECONDS)
    context = {
        "awaiting_count": counts["awaiting"],
        "stage_counts": [(Stage(value), total) for value, total in counts["stages"]],
        "cap": STAGE_COUNT_CAP,
    }
    return render(request, "consultations/_inbox_counts.html", context)


def _detail_context(consultation: Consultation, user: User, **forms: Any) -> dict[str, Any]:
    following = next_stage(Stage(consultation.stage))
    missing = entry_gaps(following, consultation.record_snapshot()) if following else []
    tags = [tag.name for tag in consultation.tags.all()]
    return {
        "consultation": consultation,
        "now": timezone.now(),
        "stages": ORDER,
        "current_index": ORDER.index(Stage(consultation.stage)),
        "next_stage": following,
        "missing": missing,
        "gate_fields": {item.field for item in missing},
        "tags": tags,
        "share_form": ShareForm(initial={"users": list(consultation.shared_with.all())}),
        "tags_form": TagsForm(initial={"tags": ", ".join(tags)}),
        "focus": CATEGORY_FOCUS.get(consultation.category),  # type: ignore[call-overload]
        "timeline": timeline_entries(consultation),
        "contacts": consultation.contacts.all(),
        "link_candidates": _link_candidates(consultation),
        "record_form": forms.get("record_form")
        or RecordForm(instance=consultation, initial={"version": consultation.version}),
        "transition_form": forms.get("transition_form")
        or TransitionForm(initial={"to": following or Stage.RECEIVED}),
        "assign_form": AssignForm(initial={"owner": consultation.owner_id}),
        "message_form": forms.get("message_form") or MessageForm(),
        "conflict": forms.get("conflict"),
        "findings": consultation.findings.filter(status__in=["open", "asked"]).order_by(
            "status", "created_at", "start"
        )[:30],
        "suggestions": suggested_values(consultation),
        "category_suggestion": (consultation.suggestions or {}).get("category"),
        "category_suggestion_label": _category_label(
            (consultation.suggestions or {}).get("category")
        ),
        "goal_is_means": (consultation.suggestions or {}).get("goal_is_means", False),
        "outcomes": Outcome,
    }


def _link_candidates(consultation: Consultation) -> list[Contact]:
    """People a consultant may recognise as the same person (the client's contacts)."""
    if consultation.client_id is None:
        return []
    return list(Contact.objects.filter(client_id=consultation.client_id).order_by("name")[:50])


def _category_label(suggestion: dict[str, Any] | None) -> str:
    value = (suggestion or {}).get("value", "")
    return str(Category(value).label) if value in Category.values else value


def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = consultation_for(_user(request), pk)
    return render(
        request, "consultations/detail.html", _detail_context(consultation, _user(request))
    )


@require_POST
def record_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the record form; a stale version shows the other person's values instead."""
    user = _user(request)
    consultation = consultation_for(user, pk)
    form = RecordForm(request.POST, instance=consultation)
    conflict = None
    if form.is_valid():
        try:
            services.consultation_update_record(
                consultation=consultation,
                changes=form.changes(),
                expected_version=form.cleaned_data["version"],
                actor=user,
            )
        except services.RecordConflict as error:
            conflict = error
            # Saving again means "I have seen their change": offer the new version.
            refreshed = request.POST.copy()
            refreshed["version"] = str(error.current.version)
            form.data = refreshed
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_errors)
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                messages.success(request, _("Record saved."))
                return redirect("consultation_detail", pk=pk)
            consultation = consultation_for(user, pk)
            form = RecordForm(instance=consultation, initial={"version": consultation.version})
    status = 409 if conflict else (200 if form.is_valid() else 422)
    context = _detail_context(consultation, user, record_form=form, conflict=conflict)
    if conflict:
        context["conflict_fields"] = [
            (form.fields[name].label, value) for name, value in conflict.theirs.items()
        ]
    template = "consultations/_record.html" if request.htmx else "consultations/detail.html"  # type: ignore[attr-defined]
    # htmx swaps only 2xx answers by default; the partial marks errors itself.
    return render(request, template, context, status=200 if request.htmx else status)  # type: ignore[attr-defined]


@require_POST
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    consultation = consultation_for(user, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_transition(
                consultation=consultation,
                to=Stage(form.cleaned_data["to"]),
                reason=form.cleaned_data["reason"],
                outcome=Outcome(form.cleaned_data["outcome"])
                if form.cleaned_data["outcome"]
                else None,
                actor=user,
            )
        except services.TransitionRefused as refusal:
            for item in refusal.missing:
                target = item.field if item.field in form.fields else None
                form.add_error(target, str(item.message))
        else:
            messages.success(request, _("Stage changed."))
            return redirect("consultation_detail", pk=pk)
    context = _detail_context(consultation, user, transition_form=form)
    return render(request, "consultations/detail.html", context, status=422)


@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    consultation = consultation_for(user, pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        services.consultation_assign(
            consultation=consultation, owner=form.cleaned_data["owner"], actor=user
        )
        messages.success(request, _("Owner changed."))
        if not Consultation.objects.visible_to(user).filter(pk=pk).exists():
            return redirect("inbox")  # handed over to someone else
    return redirect("consultation_detail", pk=pk)


@require_POST
def share(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    consultation = consultation_for(user, pk)
    form = ShareForm(request.POST)
    if form.is_valid():
        services.consultation_share(
            consultation=consultation, users=list(form.cleaned_data["users"]), actor=user
        )
        messages.success(request, _("Sharing updated."))
    return redirect("consultation_detail", pk=pk)


@require_POST
def tags_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    consultation = consultation_for(user, pk)
    form = TagsForm(request.POST)
    if form.is_valid():
        services.consultation_set_tags(consultation=consultation, names=form.names(), actor=user)
    return redirect("consultation_detail", pk=pk)


@require_POST
def message_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    consultation = consultation_for(user, pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        context = _detail_context(consultation, user, message_form=form)
        return render(request, "consultations/detail.html", context, status=422)
    if form.cleaned_data["direction"] == MessageForm.SEND_EMAIL:
        try:
            email_reply_send(consultation=consultation, body=form.cleaned_data["body"], actor=user)
        except ValidationError:
            form.add_error("direction", _("This client has no email address to reply to."))
            context = _detail_context(consultation, user, message_form=form)
            return render(request, "consultations/detail.html", context, status=422)
        messages.success(request, _("Reply queued for sending."))
        return redirect("consultation_detail", pk=pk)
    services.message_add(
        consultation=consultation,
        direction=Direction(form.cleaned_data["direction"]),
        channel=consultation.channel,  # type: ignore[arg-type]
        body=form.cleaned_data["body"],
        actor=user,
    )
    return redirect("consultation_detail", pk=pk)


def consultation_create(request: HttpRequest) -> HttpResponse:
    """Enter a consultation by hand (a phone call, a referral, a visit)."""
    form = ConsultationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        consultation = _create_from_form(form.cleaned_data, _user(request))
        return redirect("consultation_detail", pk=consultation.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "consultations/create.html", {"form": form}, status=status)


@transaction.atomic
def _create_from_form(data: dict[str, Any], user: User) -> Consultation:
    client = data["client"]
    if client is None and data["new_client_name"]:
        client = client_services.client_create(name=data["new_client_name"])
    contact = None
    if data["contact_name"]:
        contact = client_services.contact_create(
            client=client,
            name=data["contact_name"],
            phone=data["contact_phone"],
            email=data["contact_email"],
            role=ContactRole.OTHER,
        )
    return services.consultation_create(
        title=data["title"],
        channel=Channel(data["channel"]),
        client=client,
        contact=contact,
        owner=user,
        priority=data["priority"],
        first_message=data["first_message"],
        actor=user,
    )


@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Managers merge a duplicate into the consultation that carries on."""
    user = _user(request)
    require_manager(user)
    source = consultation_for(user, pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(error) for error in form.errors.get("target", [])))
        return redirect("consultation_detail", pk=pk)
    try:
        target = services.consultation_merge(
            source=source, target=form.cleaned_data["target"], actor=user
        )
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect("consultation_detail", pk=pk)
    messages.success(request, _("Merged."))
    return redirect("consultation_detail", pk=target.pk)


@require_POST
def split(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    """Managers move one message out into a consultation of its own."""
    user = _user(request)
    require_manager(user)
    consultation = consultation_for(user, pk)
    message = get_object_or_404(Message, pk=message_pk, consultation=consultation)
    try:
        split_off = services.message_split(message=message, actor=user)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect("consultation_detail", pk=pk)
    messages.success(request, _("Split into a new consultation."))
    return redirect("consultation_detail", pk=split_off.pk)


@require_POST
def contact_link(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    """A WeChat user, WeCom member or follower is someone we know: merge the two contacts."""
    consultation = consultation_for(_user(request), pk)
    source = get_object_or_404(Contact, pk=contact_pk, consultations=consultation)
    target = get_object_or_404(Contact, pk=request.POST.get("target") or 0)
    try:
        client_services.contact_merge(source=source, target=target)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, _("Contacts linked."))
    return redirect("consultation_detail", pk=pk)
