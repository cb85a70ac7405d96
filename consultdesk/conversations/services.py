"""The only write path for checklists, meetings and requirement summaries.

Stage effects go through `consultation_transition` (never around it); the summary clock
through `consultdesk.sla.services`. Client-facing actions (portal) pass `actor=None`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultdesk.accounts.models import User
from consultdesk.consultations.choices import Category, EventKind, Stage
from consultdesk.consultations.events import event_record
from consultdesk.consultations.models import Consultation
from consultdesk.consultations.services import TransitionRefused, consultation_transition
from consultdesk.consultations.workflow import entry_gaps
from consultdesk.conversations.drafting import client_language, draft_sections
from consultdesk.conversations.models import (
    SECTION_TITLES,
    Activity,
    ActivityKind,
    CategoryQuestion,
    ConfirmReply,
    EntryKind,
    Meeting,
    MeetingEntry,
    Question,
    QuestionSource,
    QuestionStatus,
    Summary,
    SummaryVersion,
)
from consultdesk.conversations.tokens import token_make
from consultdesk.insights.models import Finding, FindingStatus

logger = logging.getLogger(__name__)

# A client reopening the page within this window is one view on the timeline, not ten.
VIEW_QUIET_PERIOD = timedelta(minutes=30)

# Record fields the gates ask for, phrased as questions to put to the client.
MISSING_FIELD_QUESTIONS = {
    "industry": gettext_lazy("Which industry is the organisation in?"),
    "organisation_size": gettext_lazy("How many people work in the organisation?"),
    "technical_level": gettext_lazy("Does the organisation have its own IT or engineering team?"),
    "core_goal": gettext_lazy("What problem should this solve — what goes wrong today?"),
    "existing_systems": gettext_lazy("Which existing systems must the solution work with?"),
    "budget_max": gettext_lazy("What budget range has been set aside?"),
    "timeline_days": gettext_lazy("By when does it need to be in use, and what sets that date?"),
    "primary_contact": gettext_lazy(
        "Who will be our main contact — the technical lead or the business lead?"
    ),
}
STRESSED_QUESTION = gettext_lazy("What matters most to you in this project?")


@dataclass(frozen=True)
class StageEffect:
    """What a conversation step did to the consultation's stage, and why not if it did not."""

    moved_to: Stage | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MeetingEnded:
    meeting: Meeting
    stage: StageEffect


@dataclass(frozen=True)
class SummarySent:
    version: SummaryVersion
    url: str
    emailed_to: str
    stage: StageEffect


class SummaryConflict(Exception):
    """Someone saved a newer version since this editor loaded the summary."""

    def __init__(self, latest: SummaryVersion) -> None:
        super().__init__(f"version {latest.number} was saved meanwhile")
        self.latest = latest


class SummarySuperseded(Exception):
    """The client acted on a version that is no longer the one sent to them."""


# ---------------------------------------------------------------- shared steps


def notify_owner(consultation: Consultation, text: str) -> None:
    """Tell the consultation's owner (in-app, email, WeCom) about something the client did."""
    from consultdesk.sla.models import NotificationKind
    from consultdesk.sla.notifications import NotificationDraft, notify

    if consultation.owner is None:
        logger.info("no owner to notify for %s: %s", consultation.reference, text)
        return
    draft = NotificationDraft(
        user=consultation.owner,
        kind=NotificationKind.CLIENT_ACTIVITY,
        text=f"{consultation.reference}: {text}",
        consultation=consultation,
    )
    notify(drafts=[draft], now=timezone.now())


def _activity(
    *,
    consultation: Consultation,
    kind: ActivityKind,
    actor: User | None,
    version: SummaryVersion | None = None,
    data: Mapping[str, Any] | None = None,
) -> Activity:
    payload = dict(data or {})
    if version is not None:
        payload.setdefault("version", version.number)
    # The consultation timeline gains these kinds in EventKind; until then only our rows.
    if kind.value in EventKind.values:
        event_record(
            consultation=consultation, actor=actor, kind=EventKind(kind.value), data=payload
        )
    return Activity.objects.create(
        consultation=consultation, version=version, kind=kind, actor=actor, data=payload
    )


def _advance(
    *,
    consultation: Consultation,
    sources: tuple[Stage, ...],
    to: Stage,
    actor: User | None,
    reason: str = "",
) -> StageEffect:
    """Move to `to` through the workflow service when the consultation stands in one of
    `sources`; otherwise leave it and say why (the workflow allows one step at a time)."""
    # Callers are atomic: the lock keeps the stage read here the one the move starts from.
    current = Stage(
        Consultation.objects.select_for_update()
        .values_list("stage", flat=True)
        .get(pk=consultation.pk)
    )
    if current == to:
        return StageEffect()
    if current not in sources:
        note = _(
            "The stage stays “%(current)s”: it moves to “%(target)s” by itself only "
            "from “%(source)s”."
        ) % {"current": current.label, "target": to.label, "source": sources[0].label}
        return StageEffect(notes=[note])
    try:
        consultation_transition(consultation=consultation, to=to, actor=actor, reason=reason)
    except TransitionRefused as refusal:
        return StageEffect(notes=[str(item.message) for item in refusal.missing])
    return StageEffect(moved_to=to)


def _sla(name: str, **arguments: Any) -> None:
    """Call a deadline hook of the SLA module when it is installed and has the hook."""
    try:
        from consultdesk.sla import services as sla_services
    except ImportError:  # pragma: no cover - the SLA module ships with the product
        logger.warning("SLA module missing: %s not called", name)
        return
    hook = getattr(sla_services, name, None)
    if hook is None:  # pragma: no cover
        logger.warning("SLA hook %s missing", name)
        return
    hook(**arguments)


# ---------------------------------------------------------------- checklist


def _digest(text: str) -> str:
    normalised = "".join(text.split()).casefold()
    return hashlib.sha256(normalised.encode()).hexdigest()[:24]


def _checklist_candidates(consultation: Consultation, language: str) -> list[Question]:
    candidates: list[Question] = []
    findings = Finding.objects.filter(consultation=consultation, status=FindingStatus.OPEN)
    for finding in findings.order_by("created_at", "start"):
        candidates += [
            Question(
                text=str(text)[:500],
                source=QuestionSource.FINDING,
                finding=finding,
                source_key=f"finding:{_digest(str(text))}",
            )
            for text in finding.questions
            if str(text).strip()
        ]
    category = consultation.category or Category.UNCLEAR
    candidates += [
        Question(
            text=template.text_for(language),
            source=QuestionSource.CATEGORY,
            source_key=f"category:{template.pk}",
        )
        for template in CategoryQuestion.objects.filter(category=category, active=True)
    ]
    gaps = {item.field for item in entry_gaps(Stage.CLASSIFIED, consultation.record_snapshot())}
    candidates += [
        Question(text=str(text), source=QuestionSource.MISSING_FIELD, source_key=f"missing:{name}")
        for name, text in MISSING_FIELD_QUESTIONS.items()
        if name in gaps
    ]
    if not consultation.stressed:
        candidates.append(
            Question(
                text=str(STRESSED_QUESTION),
                source=QuestionSource.MISSING_FIELD,
                source_key="missing:stressed",
            )
        )
    return candidates


@transaction.atomic
def checklist_generate(*, consultation: Consultation, actor: User | None) -> list[Question]:
    """Add the questions the findings, the category and the record's gaps raise; a question
    already on the list (or removed from it) is never added again."""
    Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
    known = set(
        Question.objects.filter(consultation=consultation)
        .exclude(source_key="")
        .values_list("source_key", flat=True)
    )
    last = Question.objects.filter(consultation=consultation).aggregate(last=Max("order"))["last"]
    order = last or 0
    new: list[Question] = []
    language = client_language(consultation)
    with translation.override(language):
        candidates = _checklist_candidates(consultation, language)
    for candidate in candidates:
        if candidate.source_key in known:
            continue
        known.add(candidate.source_key)
        order += 10
        candidate.consultation = consultation
        candidate.order = order
        new.append(candidate)
    Question.objects.bulk_create(new, ignore_conflicts=True)
    return list(Question.objects.filter(consultation=consultation).listed())


def question_add(*, consultation: Consultation, text: str, actor: User | None) -> Question:
    """A question of the consultant's own, at the end of the list."""
    last = Question.objects.filter(consultation=consultation).aggregate(last=Max("order"))["last"]
    question = Question(
        consultation=consultation,
        text=text.strip(),
        source=QuestionSource.MANUAL,
        order=(last or 0) + 10,
    )
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def question_update(
    *, question: Question, status: QuestionStatus, answer: str, actor: User | None
) -> Question:
    """Mark a question asked, answered or not applicable; its finding follows along."""
    question.status = status
    question.answer = answer.strip()
    question.full_clean()
    question.save(update_fields=["status", "answer", "updated_at"])
    if question.finding_id is not None and actor is not None:
        from consultdesk.insights.services import finding_set_status

        finding_status = {
            QuestionStatus.ASKED: FindingStatus.ASKED,
            QuestionStatus.ANSWERED: FindingStatus.RESOLVED,
            QuestionStatus.NOT_APPLICABLE: FindingStatus.RESOLVED,
        }.get(status)
        finding = Finding.objects.filter(pk=question.finding_id).first()
        if finding_status is not None and finding is not None:
            finding_set_status(finding=finding, status=finding_status, actor=actor)
    return question


@transaction.atomic
def question_move(*, question: Question, offset: int, actor: User | None) -> Question:
    """Move a question up (negative) or down (positive) the list."""
    listed = list(
        Question.objects.select_for_update().filter(consultation=question.consultation_id).listed()
    )
    index = next(i for i, item in enumerate(listed) if item.pk == question.pk)
    target = max(0, min(len(listed) - 1, index + offset))
    listed.insert(target, listed.pop(index))
    for position, item in enumerate(listed, start=1):
        item.order = position * 10
    Question.objects.bulk_update(listed, ["order"])
    return listed[target]


def question_remove(*, question: Question, actor: User | None) -> None:
    """Take a question off the list; a generated one stays hidden so it does not return."""
    if question.source == QuestionSource.MANUAL:
        question.delete()
    else:
        Question.objects.filter(pk=question.pk).update(removed=True)


# ---------------------------------------------------------------- meetings


def meeting_create(
    *,
    consultation: Consultation,
    starts_at: datetime,
    actor: User,
    place: str = "",
    participants_ours: str = "",
    participants_theirs: str = "",
) -> Meeting:
    """Open the notes of a meeting (a call, video or visit)."""
    meeting = Meeting(
        consultation=consultation,
        starts_at=starts_at,
        place=place.strip(),
        participants_ours=participants_ours.strip(),
        participants_theirs=participants_theirs.strip(),
        created_by=actor,
    )
    meeting.full_clean()
    meeting.save()
    return meeting


@dataclass(frozen=True)
class EntrySaved:
    """What the server holds for a note after a save: `applied` is False when the save
    was older than the stored revision (or hit a deleted note) and changed nothing."""

    entry: MeetingEntry
    applied: bool


def _lock_meeting(meeting: Meeting) -> Meeting:
    """Saves of one meeting's notes run one at a time (the row lock on PostgreSQL, the
    IMMEDIATE transaction on SQLite), so the revision check below cannot race."""
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


@transaction.atomic
def meeting_entry_save(
    *,
    meeting: Meeting,
    key: str,
    kind: EntryKind,
    text: str,
    actor: User | None,
    reply: str = "",
    response: str = "",
    question: Question | None = None,
    revision: int | None = None,
    opened_at: datetime | None = None,
) -> EntrySaved:
    """Create or update the note the browser named `key`.

    Repeats never duplicate (one row per key). `revision` is the browser's change
    counter of the note: a save older than the stored revision changes nothing, so
    requests arriving out of order (a reload, a second tab, a dropped connection) never
    put an older text over a newer one. Without a revision (a form posted without
    JavaScript) the save is the newest. After the meeting has ended the change is marked
    and recorded (one audit row per editing session); an answered checklist question is
    ticked off either way. `opened_at`, when the browser started the note, orders the
    notes (kept from the first save; a time in the future or over a day old is not
    believed)."""
    if question is not None and question.consultation_id != meeting.consultation_id:
        raise ValidationError({"question": _("This question belongs to another consultation.")})
    if kind != EntryKind.CONFIRM:
        reply = ConfirmReply.NONE
    if kind == EntryKind.LISTEN:
        response = ""
    if kind != EntryKind.ASK:
        question = None
    locked = _lock_meeting(meeting)
    stored = MeetingEntry.objects.filter(meeting=meeting, key=key).first()
    entry = stored or MeetingEntry(meeting=meeting, key=key, created_by=actor)
    before = (entry.kind, entry.text, entry.reply, entry.response, entry.question_id)
    entry.kind, entry.text, entry.reply = kind, text.strip(), reply
    entry.response, entry.question = response.strip(), question
    same = stored is not None and before == (
        entry.kind,
        entry.text,
        entry.reply,
        entry.response,
        entry.question_id,
    )
    now = timezone.now()
    if entry.opened_at is None:
        believable = opened_at is not None and now - timedelta(days=1) <= opened_at <= now
        entry.opened_at = opened_at if believable else now
    entry.full_clean(validate_constraints=False)
    if stored is not None and stored.deleted_at is not None:
        return EntrySaved(entry=_reloaded(stored), applied=False)
    if stored is not None and revision is not None:
        if revision < stored.revision or (revision == stored.revision and not same):
            return EntrySaved(entry=_reloaded(stored), applied=False)
        if same:  # a repeat of what is stored (the answer was lost): nothing to write
            stored.revision = max(stored.revision, revision)
            MeetingEntry.objects.filter(pk=stored.pk).update(revision=stored.revision)
            return EntrySaved(entry=_reloaded(stored), applied=True)
    previous_response = before[3] or ""
    entry.revision = revision if revision is not None else entry.revision + 1
    if locked.ended_at is not None and not same:
        entry.edited_at = now
    entry.save()
    if locked.ended_at is not None and not same:
        _notes_edited(meeting=meeting, actor=actor, now=now, key=key)
    if question is not None:
        _tick_question(question, entry.response, previous_response, actor)
    return EntrySaved(entry=entry, applied=True)


def _reloaded(entry: MeetingEntry) -> MeetingEntry:
    return MeetingEntry.objects.select_related("question").get(pk=entry.pk)


def _tick_question(question: Question, answer: str, previous: str, actor: User | None) -> None:
    """The checklist question follows its note: asked, answered (also when the answer
    is typed after the meeting), and asked again when the answer is taken back."""
    if answer:
        if question.status != QuestionStatus.ANSWERED or question.answer != answer:
            question_update(
                question=question, status=QuestionStatus.ANSWERED, answer=answer, actor=actor
            )
    elif question.status == QuestionStatus.OPEN or (
        previous and question.status == QuestionStatus.ANSWERED and question.answer == previous
    ):
        question_update(question=question, status=QuestionStatus.ASKED, answer="", actor=actor)


# Changes to an ended meeting's notes within this long of the previous one are one
# editing session: one audit row (and timeline event), not one per keystroke.
EDIT_SESSION_GAP = timedelta(minutes=30)


def _notes_edited(
    *, meeting: Meeting, actor: User | None, now: datetime, key: str, deleted: str = ""
) -> Activity:
    last = (
        Activity.objects.filter(
            consultation_id=meeting.consultation_id,
            kind=ActivityKind.MEETING_NOTES_EDITED,
            data__meeting=meeting.pk,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    actor_id = actor.pk if actor is not None else None
    if (
        last is not None
        and last.actor_id == actor_id
        and now - datetime.fromisoformat(last.data["last_at"]) < EDIT_SESSION_GAP
    ):
        data = last.data
        data["last_at"] = now.isoformat()
        if key not in data["entries"]:
            data["entries"].append(key)
        if deleted:
            data["deleted"].append(deleted)
        Activity.objects.filter(pk=last.pk).update(data=data)
        return last
    return _activity(
        consultation=meeting.consultation,
        kind=ActivityKind.MEETING_NOTES_EDITED,
        actor=actor,
        data={
            "meeting": meeting.pk,
            "last_at": now.isoformat(),
            "entries": [key],
            "deleted": [deleted] if deleted else [],
        },
    )


@transaction.atomic
def meeting_entry_delete(*, meeting: Meeting, key: str, actor: User | None) -> MeetingEntry:
    """Delete a note (the page asks first). The row stays as a tombstone so a late
    autosave cannot bring it back; after the meeting the deleted text goes into the
    editing session's audit row. Its checklist question keeps its status. A key the
    server has not seen yet (the note was still on its way) becomes a tombstone too."""
    locked = _lock_meeting(meeting)
    now = timezone.now()
    entry, created = MeetingEntry.objects.get_or_create(
        meeting=meeting,
        key=key,
        defaults={
            "kind": EntryKind.LISTEN,
            "text": "",
            "deleted_at": now,
            "opened_at": now,
            "created_by": actor,
        },
    )
    if created or entry.deleted_at is not None:
        return entry
    entry.deleted_at = now
    fields = ["deleted_at", "updated_at"]
    if locked.ended_at is not None:
        entry.edited_at = now
        fields.append("edited_at")
        _notes_edited(meeting=meeting, actor=actor, now=now, key=key, deleted=entry.text)
    entry.save(update_fields=fields)
    return entry


@transaction.atomic
def meeting_end(
    *, meeting: Meeting, actor: User | None, ended_at: datetime | None = None
) -> MeetingEnded:
    """End the meeting once: the consultation moves to "met" and the summary clock starts."""
    ended_at = ended_at or timezone.now()
    ended = Meeting.objects.filter(pk=meeting.pk, ended_at__isnull=True).update(ended_at=ended_at)
    meeting.refresh_from_db()
    if not ended:  # a second tab or a retry: the first end counts
        return MeetingEnded(meeting=meeting, stage=StageEffect())
    consultation = meeting.consultation
    _activity(
        consultation=consultation,
        kind=ActivityKind.MEETING_ENDED,
        actor=actor,
        data={"meeting": meeting.pk, "entries": meeting.entries.live().count()},
    )
    effect = _advance(
        consultation=consultation, sources=(Stage.PREPARED,), to=Stage.MET, actor=actor
    )
    _sla("deadlines_on_meeting_end", consultation=consultation, ended_at=meeting.ended_at)
    return MeetingEnded(meeting=meeting, stage=effect)


# ---------------------------------------------------------------- summaries


def _summary_of(consultation: Consultation) -> Summary:
    summary, _created = Summary.objects.get_or_create(consultation=consultation)
    return Summary.objects.select_for_update().get(pk=summary.pk)


def _version_add(
    *, summary: Summary, sections: Mapping[str, str], actor: User | None
) -> SummaryVersion:
    latest = summary.versions.order_by("-number").first()
    cleaned = {name: sections.get(name, "").strip() for name in SECTION_TITLES}
    if latest is not None and latest.sections() == cleaned:
        return latest
    version = SummaryVersion(
        summary=summary,
        number=(latest.number + 1) if latest else 1,
        created_by=actor,
        **cleaned,
    )
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def summary_draft(*, consultation: Consultation, actor: User | None) -> SummaryVersion:
    """Draft a version from the record, the confirmed meeting notes and answered questions."""
    summary = _summary_of(consultation)
    return _version_add(summary=summary, sections=draft_sections(consultation), actor=actor)


@transaction.atomic
def summary_save(
    *,
    consultation: Consultation,
    sections: Mapping[str, str],
    based_on: int | None,
    actor: User | None,
) -> SummaryVersion:
    """Save an edited text as a new version unless it is unchanged, or someone saved a
    newer version since `based_on` was loaded (SummaryConflict: nothing is lost)."""
    summary = _summary_of(consultation)
    latest = summary.versions.order_by("-number").first()
    if latest is not None and latest.number != based_on:
        raise SummaryConflict(latest)
    return _version_add(summary=summary, sections=sections, actor=actor)


def _email_link(*, email: str, consultation: Consultation, url: str, language: str) -> None:
    with translation.override(language):
        subject = _("Requirement summary for %(title)s — please check") % {
            "title": consultation.title
        }
        body = _(
            "Here is what we understood from our conversation — tell us what we missed or "
            "got wrong.\n\n%(url)s\n\nYou can confirm the summary or comment on any part of it."
        ) % {"url": url}
    send_mail(subject, body, None, [email])


@transaction.atomic
def summary_send(*, version: SummaryVersion, actor: User, base_url: str = "") -> SummarySent:
    """Send the newest version: a signed link that supersedes every earlier one; the
    consultation moves to "summary sent" and the summary clock stops."""
    summary = Summary.objects.select_for_update().get(pk=version.summary_id)
    latest = summary.versions.order_by("-number").first()
    if latest is None or latest.pk != version.pk:
        raise ValidationError(_("Only the newest version can be sent."))
    if version.sent_counter is None or version.sent_counter != summary.send_counter:
        summary.send_counter += 1
        summary.save(update_fields=["send_counter"])
    now = timezone.now()
    version.sent_at, version.sent_counter = now, summary.send_counter
    version.save(update_fields=["sent_at", "sent_counter"])
    token = token_make(version=version, counter=summary.send_counter, at=now)
    url = base_url.rstrip("/") + reverse("portal_summary", args=[token])
    consultation = summary.consultation
    _activity(
        consultation=consultation, kind=ActivityKind.SUMMARY_SENT, actor=actor, version=version
    )
    effect = _advance(
        consultation=consultation, sources=(Stage.MET,), to=Stage.SUMMARY_SENT, actor=actor
    )
    _sla("deadlines_on_summary_sent", consultation=consultation, sent_at=now)
    contact = consultation.primary_contact
    email = contact.email if contact is not None else ""
    if email:
        transaction.on_commit(
            partial(
                _email_link,
                email=email,
                consultation=consultation,
                url=url,
                language=client_language(consultation),
            ),
            robust=True,
        )
    return SummarySent(version=version, url=url, emailed_to=email, stage=effect)


@transaction.atomic
def summary_view_record(*, version: SummaryVersion, now: datetime | None = None) -> None:
    """The client opened the portal page (repeated opens within a while count once)."""
    now = now or timezone.now()
    recent = Activity.objects.filter(
        version=version,
        kind=ActivityKind.SUMMARY_VIEWED,
        created_at__gte=now - VIEW_QUIET_PERIOD,
    )
    if recent.exists():
        return
    consultation = version.summary.consultation
    first = not Activity.objects.filter(version=version, kind=ActivityKind.SUMMARY_VIEWED).exists()
    _activity(
        consultation=consultation, kind=ActivityKind.SUMMARY_VIEWED, actor=None, version=version
    )
    if first:
        transaction.on_commit(
            partial(notify_owner, consultation, _("The client opened the requirement summary."))
        )


def _lock_current(version: SummaryVersion) -> SummaryVersion:
    summary = Summary.objects.select_for_update().get(pk=version.summary_id)
    locked = SummaryVersion.objects.select_related("summary__consultation").get(pk=version.pk)
    if locked.sent_counter is None or locked.sent_counter != summary.send_counter:
        raise SummarySuperseded
    return locked


@transaction.atomic
def summary_confirm(*, version: SummaryVersion) -> StageEffect:
    """The client confirms the version sent to them (once; a superseded one is refused)."""
    locked = _lock_current(version)
    if locked.confirmed_at is not None:
        return StageEffect()
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["confirmed_at"])
    version.confirmed_at = locked.confirmed_at
    consultation = locked.summary.consultation
    _activity(
        consultation=consultation, kind=ActivityKind.SUMMARY_CONFIRMED, actor=None, version=locked
    )
    effect = _advance(
        consultation=consultation,
        sources=(Stage.SUMMARY_SENT,),
        to=Stage.SUMMARY_CONFIRMED,
        actor=None,
    )
    transaction.on_commit(
        partial(notify_owner, consultation, _("The client confirmed the requirement summary."))
    )
    return effect


@transaction.atomic
def summary_request_changes(*, version: SummaryVersion, comments: Mapping[str, str]) -> StageEffect:
    """The client asks for changes with a comment per section; the consultation moves
    back to "met" with the comments as the reason."""
    cleaned = {
        name: comments.get(name, "").strip()[:4000]
        for name in SECTION_TITLES
        if comments.get(name, "").strip()
    }
    if not cleaned:
        raise ValidationError(_("Write what should change in at least one section."))
    locked = _lock_current(version)
    if locked.confirmed_at is not None:
        raise ValidationError(_("This summary is already confirmed."))
    consultation = locked.summary.consultation
    _activity(
        consultation=consultation,
        kind=ActivityKind.CHANGES_REQUESTED,
        actor=None,
        version=locked,
        data={"comments": cleaned},
    )
    reason = "\n".join(f"{SECTION_TITLES[name]}: {text}" for name, text in cleaned.items())
    effect = _advance(
        consultation=consultation,
        sources=(Stage.SUMMARY_SENT,),
        to=Stage.MET,
        actor=None,
        reason=_("The client requested changes to the summary.") + "\n" + reason,
    )
    transaction.on_commit(
        partial(notify_owner, consultation, _("The client requested changes:") + "\n" + reason)
    )
    return effect
