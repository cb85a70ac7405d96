"""Staff pages: checklist, meeting mode and the summary editor. Every lookup goes through
`consultation_for`, so a consultation someone may not see is a 404 on every page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from consultdesk.accounts.models import User
from consultdesk.consultations.access import consultation_for
from consultdesk.consultations.models import Consultation
from consultdesk.conversations import services
from consultdesk.conversations.drafting import versions_diff
from consultdesk.conversations.exports import summary_docx, summary_markdown
from consultdesk.conversations.forms import (
    ENTRY_KEY,
    EntryForm,
    MeetingForm,
    QuestionAddForm,
    QuestionMoveForm,
    QuestionUpdateForm,
    SummaryForm,
)
from consultdesk.conversations.models import (
    SECTION_TITLES,
    Activity,
    ActivityKind,
    EntryKind,
    Meeting,
    MeetingEntry,
    Question,
    QuestionStatus,
    Summary,
    SummaryVersion,
)
from consultdesk.conversations.tokens import token_make


def _from_epoch_ms(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value / 1000, tz=UTC)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _case(request: HttpRequest, pk: int) -> Consultation:
    return consultation_for(_user(request), pk)


def _stage_notes(request: HttpRequest, effect: services.StageEffect) -> None:
    if effect.moved_to is not None:
        messages.success(request, _("Stage: %(stage)s.") % {"stage": effect.moved_to.label})
    for note in effect.notes:
        messages.warning(request, note)


# ---------------------------------------------------------------- checklist


@require_GET
def checklist(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _case(request, pk)
    questions = Question.objects.filter(consultation=consultation).listed()
    context = {
        "consultation": consultation,
        "questions": questions,
        "add_form": QuestionAddForm(),
        "statuses": QuestionStatus.choices,
    }
    return render(request, "conversations/checklist.html", context)


@require_GET
def checklist_print(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _case(request, pk)
    questions = Question.objects.filter(consultation=consultation).listed()
    return render(
        request,
        "conversations/checklist_print.html",
        {"consultation": consultation, "questions": questions},
    )


@require_POST
def checklist_generate(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _case(request, pk)
    services.checklist_generate(consultation=consultation, actor=_user(request))
    return redirect("checklist", pk=pk)


@require_POST
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _case(request, pk)
    form = QuestionAddForm(request.POST)
    if form.is_valid():
        services.question_add(
            consultation=consultation, text=form.cleaned_data["text"], actor=_user(request)
        )
    else:
        messages.error(request, _("Write the question first."))
    return redirect("checklist", pk=pk)


def _question(request: HttpRequest, pk: int, question_pk: int) -> Question:
    consultation = _case(request, pk)
    return get_object_or_404(Question, pk=question_pk, consultation=consultation, removed=False)


@require_POST
def question_update(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = _question(request, pk, question_pk)
    form = QuestionUpdateForm(request.POST)
    if form.is_valid():
        services.question_update(
            question=question,
            status=QuestionStatus(form.cleaned_data["status"]),
            answer=form.cleaned_data["answer"],
            actor=_user(request),
        )
    meeting_pk = request.POST.get("meeting", "")
    if meeting_pk.isdigit():  # ticked off in meeting mode: stay there
        return redirect("meeting_detail", pk=pk, meeting_pk=int(meeting_pk))
    return redirect(f"{_checklist_url(pk)}#q{question.pk}")


def _checklist_url(pk: int) -> str:
    return reverse("checklist", args=[pk])


@require_POST
def question_move(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = _question(request, pk, question_pk)
    form = QuestionMoveForm(request.POST)
    if form.is_valid():
        services.question_move(
            question=question, offset=form.cleaned_data["offset"], actor=_user(request)
        )
    return redirect(f"{_checklist_url(pk)}#q{question.pk}")


@require_POST
def question_remove(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = _question(request, pk, question_pk)
    services.question_remove(question=question, actor=_user(request))
    return redirect("checklist", pk=pk)


# ---------------------------------------------------------------- meetings


def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _case(request, pk)
    contact = consultation.primary_contact
    form = MeetingForm(
        request.POST or None,
        initial={
            "starts_at": timezone.localtime().replace(second=0, microsecond=0),
            "participants_ours": str(_user(request)),
            "participants_theirs": str(contact) if contact else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        meeting = services.meeting_create(
            consultation=consultation, actor=_user(request), **form.cleaned_data
        )
        return redirect("meeting_detail", pk=pk, meeting_pk=meeting.pk)
    meetings = Meeting.objects.filter(consultation=consultation)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "conversations/meeting_new.html",
        {"consultation": consultation, "form": form, "meetings": meetings},
        status=status,
    )


def _meeting(request: HttpRequest, pk: int, meeting_pk: int) -> Meeting:
    consultation = _case(request, pk)
    meeting = get_object_or_404(Meeting, pk=meeting_pk, consultation=consultation)
    meeting.consultation = consultation
    return meeting


@require_GET
def meeting_detail(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    """Meeting mode: the checklist beside the notes, driven by the keyboard; after the
    meeting the same page corrects the notes."""
    meeting = _meeting(request, pk, meeting_pk)
    entries = meeting.entries.live().select_related("question")
    questions = Question.objects.filter(consultation=meeting.consultation).listed()
    context = {
        "consultation": meeting.consultation,
        "meeting": meeting,
        "entries": entries,
        "questions": questions,
        "labels": _meeting_labels(),
    }
    return render(request, "conversations/meeting.html", context)


@require_GET
def meeting_offline_worker(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    """The service worker that keeps this meeting page openable without a connection.
    Served under the meeting's URL so that its scope is this page and nothing else."""
    _meeting(request, pk, meeting_pk)
    response = render(
        request, "conversations/meeting_worker.js", content_type="text/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    return response


def _meeting_labels() -> dict[str, str]:
    """The words the meeting script shows, translated here like every other string."""
    return {
        "listen": _("Listen: what the client says"),
        "confirm": _("Confirm: our restatement (“I understand your core need is … — right?”)"),
        "ask": _("Ask: the question"),
        "answer": _("Answer"),
        "correction": _("The client's correction"),
        "kind_listen": str(EntryKind.LISTEN.label),
        "kind_confirm": str(EntryKind.CONFIRM.label),
        "kind_ask": str(EntryKind.ASK.label),
        "yes": _("Yes"),
        "no": _("No"),
        "reply_correction": _("Correction"),
        "saving": _("saving…"),
        "saved": _("saved"),
        "offline": _("not sent yet — kept on this device"),
        "error": _("not saved"),
        "unsent": _("Some notes are not saved yet. Wait a moment and end the meeting again."),
        "delete_confirm": _("Delete this note? This cannot be undone."),
        "not_deleted": _("The note was not deleted: there is no connection. Try again."),
        "edited": _("edited"),
        "edit": _("edit (e)"),
        "delete": _("delete (x)"),
    }


@require_POST
def meeting_entry(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    """Autosave one entry; the browser repeats the same key until it sees this answer,
    which says which revision of the note the server now holds."""
    meeting = _meeting(request, pk, meeting_pk)
    form = EntryForm(request.POST)
    wants_json = request.headers.get("X-Autosave") == "1"
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"saved": False, "errors": form.errors}, status=422)
        messages.error(request, _("The note was not saved: it needs some text."))
        return redirect("meeting_detail", pk=pk, meeting_pk=meeting_pk)
    data = form.cleaned_data
    question = None
    if data["question"]:
        question = get_object_or_404(
            Question, pk=data["question"], consultation=meeting.consultation
        )
    try:
        saved = services.meeting_entry_save(
            meeting=meeting,
            key=data["key"],
            kind=EntryKind(data["kind"]),
            text=data["text"],
            reply=data["reply"],
            response=data["response"],
            question=question,
            revision=data["revision"],
            opened_at=_from_epoch_ms(data["opened"]),
            actor=_user(request),
        )
    except ValidationError as error:
        if wants_json:
            return JsonResponse({"saved": False, "errors": error.messages}, status=422)
        messages.error(request, "; ".join(error.messages))
        return redirect("meeting_detail", pk=pk, meeting_pk=meeting_pk)
    if wants_json:
        return JsonResponse(_entry_answer(saved.entry, applied=saved.applied))
    return redirect("meeting_detail", pk=pk, meeting_pk=meeting_pk)


def _entry_answer(entry: MeetingEntry, *, applied: bool) -> dict[str, Any]:
    """What the browser needs to forget its copy of a note (or to keep it)."""
    return {
        "saved": True,
        "applied": applied,
        "key": entry.key,
        "id": entry.pk,
        "revision": entry.revision,
        "deleted": entry.deleted_at is not None,
        "question": entry.question_id,
        "question_status": entry.question.status if entry.question else None,
    }


def meeting_entry_delete(request: HttpRequest, pk: int, meeting_pk: int, key: str) -> HttpResponse:
    """Delete a note: the page asks first (a dialog, or this page without JavaScript)."""
    meeting = _meeting(request, pk, meeting_pk)
    if not ENTRY_KEY.fullmatch(key):
        raise Http404("No such note.")
    if request.method != "POST":
        entry = get_object_or_404(MeetingEntry.objects.live(), meeting=meeting, key=key)
        return render(
            request,
            "conversations/meeting_entry_delete.html",
            {"consultation": meeting.consultation, "meeting": meeting, "entry": entry},
        )
    services.meeting_entry_delete(meeting=meeting, key=key, actor=_user(request))
    if request.headers.get("X-Autosave") == "1":
        return JsonResponse({"deleted": True, "key": key})
    messages.success(request, _("The note was deleted."))
    return redirect("meeting_detail", pk=pk, meeting_pk=meeting_pk)


@require_POST
def meeting_end(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, meeting_pk)
    ended = services.meeting_end(meeting=meeting, actor=_user(request))
    messages.success(request, _("Meeting ended."))
    _stage_notes(request, ended.stage)
    return redirect("summary_editor", pk=pk)


# ---------------------------------------------------------------- summary


def _versions(consultation: Consultation) -> list[SummaryVersion]:
    return list(
        SummaryVersion.objects.filter(summary__consultation=consultation)
        .select_related("created_by")
        .order_by("-number")
    )


def _client_link(request: HttpRequest, versions: list[SummaryVersion]) -> str:
    """A fresh link to the version the client has now (same counter: same validity)."""
    summary = Summary.objects.filter(pk=versions[0].summary_id).first() if versions else None
    if summary is None:
        return ""
    current = next((v for v in versions if v.sent_counter == summary.send_counter), None)
    if current is None or current.sent_counter is None:
        return ""
    token = token_make(version=current, counter=current.sent_counter, at=timezone.now())
    return request.build_absolute_uri(reverse("portal_summary", args=[token]))


def _editor_context(
    request: HttpRequest, consultation: Consultation, form: SummaryForm | None = None
) -> dict[str, Any]:
    versions = _versions(consultation)
    latest = versions[0] if versions else None
    if form is None:
        initial: dict[str, Any] = latest.sections() if latest else {}
        initial["based_on"] = latest.number if latest else None
        form = SummaryForm(initial=initial)
    return {
        "consultation": consultation,
        "form": form,
        "versions": versions,
        "latest": latest,
        "client_link": _client_link(request, versions),
        "titles": SECTION_TITLES,
        # What the client did with the links, newest first (the timeline shows it too
        # once EventKind has these kinds).
        "activity": Activity.objects.filter(consultation=consultation)
        .exclude(kind=ActivityKind.MEETING_ENDED)
        .select_related("version", "actor")
        .order_by("-created_at", "-id")[:50],
    }


def summary_editor(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft beside a preview; each changed save is a new version."""
    consultation = _case(request, pk)
    if request.method != "POST":
        return render(request, "conversations/summary.html", _editor_context(request, consultation))
    form = SummaryForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            version = services.summary_save(
                consultation=consultation,
                sections={name: data[name] for name in SECTION_TITLES},
                based_on=data["based_on"],
                actor=_user(request),
            )
        except services.SummaryConflict as conflict:
            messages.error(
                request,
                _(
                    "Version %(number)s was saved by someone else meanwhile. Your text is kept "
                    "below; compare it with theirs and save again."
                )
                % {"number": conflict.latest.number},
            )
            refreshed = request.POST.copy()
            refreshed["based_on"] = str(conflict.latest.number)
            form = SummaryForm(refreshed)
            status = 409
        else:
            messages.success(
                request, _("Saved as version %(number)s.") % {"number": version.number}
            )
            return redirect("summary_editor", pk=pk)
    context = _editor_context(request, consultation, form)
    return render(request, "conversations/summary.html", context, status=status)


@require_POST
def summary_draft(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _case(request, pk)
    version = services.summary_draft(consultation=consultation, actor=_user(request))
    messages.success(request, _("Draft saved as version %(number)s.") % {"number": version.number})
    return redirect("summary_editor", pk=pk)


def _version(request: HttpRequest, pk: int, number: int) -> SummaryVersion:
    consultation = _case(request, pk)
    version = get_object_or_404(
        SummaryVersion.objects.select_related("summary"),
        summary__consultation=consultation,
        number=number,
    )
    version.summary.consultation = consultation
    return version


@require_GET
def summary_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One version as the client reads it; prints as a clean page (PDF from the browser)."""
    version = _version(request, pk, number)
    return render(
        request,
        "conversations/summary_version.html",
        {"consultation": version.summary.consultation, "version": version},
    )


@require_GET
def summary_diff(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _case(request, pk)
    try:
        old_number, new_number = int(request.GET["a"]), int(request.GET["b"])
    except (KeyError, ValueError):
        versions = _versions(consultation)
        if len(versions) < 2:
            return redirect("summary_editor", pk=pk)
        old_number, new_number = versions[1].number, versions[0].number
    old = _version(request, pk, old_number)
    new = _version(request, pk, new_number)
    context = {
        "consultation": consultation,
        "old": old,
        "new": new,
        "sections": versions_diff(old=old, new=new),
        "versions": _versions(consultation),
    }
    return render(request, "conversations/summary_diff.html", context)


@require_POST
def summary_send(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = _version(request, pk, number)
    try:
        sent = services.summary_send(
            version=version, actor=_user(request), base_url=request.build_absolute_uri("/")
        )
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect("summary_editor", pk=pk)
    if sent.emailed_to:
        messages.success(
            request, _("Sent. The link goes by email to %(email)s.") % {"email": sent.emailed_to}
        )
    else:
        messages.success(request, _("Sent. Copy the link below into WeCom or WeChat."))
    _stage_notes(request, sent.stage)
    return redirect("summary_editor", pk=pk)


@require_GET
def summary_export(request: HttpRequest, pk: int, number: int, format: str) -> HttpResponse:
    if format not in ("docx", "md"):
        raise Http404("No such export format.")
    version = _version(request, pk, number)
    name = f"{version.summary.consultation.reference}-summary-v{version.number}"
    if format == "docx":
        response = HttpResponse(
            summary_docx(version),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    else:
        response = HttpResponse(
            summary_markdown(version), content_type="text/markdown; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{format}"'
    return response
