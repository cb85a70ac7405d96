"""The only write path for consultations: web views, the API and commands all call these."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from consultdesk.accounts.models import User
from consultdesk.clients.models import Client, Contact
from consultdesk.consultations.choices import (
    Channel,
    Direction,
    EventKind,
    Outcome,
    Priority,
    Stage,
)
from consultdesk.consultations.events import changes_between, event_record, jsonable
from consultdesk.consultations.models import Consultation, Message, ReferenceCounter, Tag
from consultdesk.consultations.workflow import Missing, Move, classify_move, transition_gaps

# In the order the record form shows them.
RECORD_FIELDS = (
    "title",
    "priority",
    "category",
    "industry",
    "organisation_size",
    "technical_level",
    "core_goal",
    "budget_min",
    "budget_max",
    "budget_currency",
    "timeline_date",
    "timeline_days",
    "existing_systems",
    "primary_contact",
    "stressed",
    "asides",
)
SNIPPET_LENGTH = 120


class TransitionRefused(Exception):
    """A stage change the workflow refuses; `missing` says exactly why."""

    def __init__(self, missing: list[Missing]) -> None:
        super().__init__("; ".join(str(item.message) for item in missing))
        self.missing = missing


@dataclass
class RecordConflict(Exception):
    """Someone else saved the record since this editor loaded it."""

    current: Consultation
    theirs: dict[str, Any]  # field -> the value now stored, for fields both sides changed

    def __str__(self) -> str:
        return (
            f"{self.current.reference} was changed by someone else (version {self.current.version})"
        )


def reference_next(*, year: int) -> str:
    """The next CD-YYYY-NNNNNN reference; a row lock keeps concurrent intakes apart."""
    with transaction.atomic():
        updated = ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    ReferenceCounter.objects.create(year=year, last=1)
            except IntegrityError:  # another process created the year's row first
                ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1)
        number = ReferenceCounter.objects.get(year=year).last
    return f"CD-{year}-{number:06d}"


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_LENGTH else flat[: SNIPPET_LENGTH - 1] + "…"


@transaction.atomic
def consultation_create(
    *,
    title: str,
    channel: Channel,
    actor: User | None,
    client: Client | None = None,
    contact: Contact | None = None,
    owner: User | None = None,
    priority: Priority = Priority.NORMAL,
    first_message: str = "",
    received_at: datetime.datetime | None = None,
) -> Consultation:
    """Open a consultation; its first client message (if any) starts the timeline."""
    received_at = received_at or timezone.now()
    consultation = Consultation(
        reference=reference_next(year=timezone.localtime(received_at).year),
        title=title,
        channel=channel,
        client=client,
        primary_contact=contact,
        owner=owner,
        priority=priority,
        received_at=received_at,
        last_activity_at=received_at,
        awaiting_reply=bool(first_message),
    )
    if client is not None:
        consultation.industry = client.industry
        consultation.organisation_size = client.size
        consultation.technical_level = client.technical_level
    consultation.full_clean()
    consultation.save()
    if contact is not None:
        consultation.contacts.add(contact)
    event_record(
        consultation=consultation,
        actor=actor,
        kind=EventKind.CREATED,
        data={"channel": channel, "owner": jsonable(owner)},
    )
    if first_message:
        message_add(
            consultation=consultation,
            direction=Direction.INBOUND,
            channel=channel,
            body=first_message,
            occurred_at=received_at,
            contact=contact,
            actor=actor,
        )
    return consultation


@transaction.atomic
def consultation_update_record(
    *,
    consultation: Consultation,
    changes: Mapping[str, Any],
    expected_version: int,
    actor: User | None,
) -> Consultation:
    """Save record fields unless someone else saved since `expected_version` was read."""
    unknown = set(changes) - set(RECORD_FIELDS)
    if unknown:
        raise ValidationError({field: "Not a record field." for field in sorted(unknown)})
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if locked.version != expected_version:
        theirs = {field: getattr(locked, field) for field in changes}
        raise RecordConflict(current=locked, theirs=theirs)
    before = {field: getattr(locked, field) for field in changes}
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    changed = changes_between(before, changes, changes)
    if not changed:
        return locked
    locked.version += 1
    locked.save()
    event_record(
        consultation=locked, actor=actor, kind=EventKind.RECORD_CHANGED, data={"changes": changed}
    )
    if "core_goal" in changed:
        from consultdesk.insights.services import record_goal_analyse_task

        transaction.on_commit(partial(record_goal_analyse_task.enqueue, locked.pk))
    return locked


@transaction.atomic
def consultation_transition(
    *,
    consultation: Consultation,
    to: Stage,
    actor: User | None,
    reason: str = "",
    outcome: Outcome | None = None,
) -> Consultation:
    """Move to another stage if the workflow allows it; otherwise say what is missing."""
    locked = (
        Consultation.objects.select_related("primary_contact")
        .select_for_update(of=("self",))
        .get(pk=consultation.pk)
    )
    current = Stage(locked.stage)
    if outcome is not None:
        locked.outcome = outcome
    missing = transition_gaps(
        current=current, target=to, record=locked.record_snapshot(), reason=reason
    )
    if missing:
        raise TransitionRefused(missing)
    move = classify_move(current, to)
    if move == Move.CLOSE:
        from consultdesk.sla.services import deadlines_on_close

        deadlines_on_close(consultation=locked)
        locked.outcome_reason = reason
    elif move == Move.REOPEN:
        locked.outcome, locked.outcome_reason = "", ""
    locked.stage = to
    locked.version += 1
    locked.full_clean()
    locked.save()
    event_record(
        consultation=locked,
        actor=actor,
        kind=EventKind.STAGE_CHANGED,
        data={
            "before": current.value,
            "after": to.value,
            "move": str(move),
            "reason": reason,
            "outcome": locked.outcome,
        },
    )
    return locked


@transaction.atomic
def consultation_assign(
    *, consultation: Consultation, owner: User | None, actor: User | None
) -> Consultation:
    """Give the consultation an owner (None returns it to the unassigned pool)."""
    if owner is not None and not owner.is_active:
        raise ValidationError({"owner": "This user is not active."})
    before = consultation.owner
    if before == owner:
        return consultation
    Consultation.objects.filter(pk=consultation.pk).update(owner=owner, version=F("version") + 1)
    consultation.refresh_from_db()
    event_record(
        consultation=consultation,
        actor=actor,
        kind=EventKind.ASSIGNED,
        data={"before": jsonable(before), "after": jsonable(owner)},
    )
    return consultation


@transaction.atomic
def consultation_share(
    *, consultation: Consultation, users: list[User], actor: User | None
) -> Consultation:
    """Let these consultants see the consultation too (replaces the previous list)."""
    before = sorted(user.username for user in consultation.shared_with.all())
    consultation.shared_with.set(users)
    after = sorted(user.username for user in users)
    if before != after:
        event_record(
            consultation=consultation,
            actor=actor,
            kind=EventKind.SHARED,
            data={"before": before, "after": after},
        )
    return consultation


@transaction.atomic
def consultation_set_tags(
    *, consultation: Consultation, names: list[str], actor: User | None
) -> Consultation:
    """Replace the tags; names are trimmed, deduplicated and created on first use."""
    wanted = sorted({name.strip()[:50] for name in names if name.strip()})
    before = sorted(consultation.tags.values_list("name", flat=True))
    if wanted == before:
        return consultation
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=wanted)}
    missing = [Tag(name=name) for name in wanted if name not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    consultation.tags.set(Tag.objects.filter(name__in=wanted))
    event_record(
        consultation=consultation,
        actor=actor,
        kind=EventKind.RECORD_CHANGED,
        data={"changes": {"tags": {"before": before, "after": wanted}}},
    )
    return consultation


@transaction.atomic
def message_add(
    *,
    consultation: Consultation,
    direction: Direction,
    channel: Channel,
    body: str,
    actor: User | None,
    occurred_at: datetime.datetime | None = None,
    contact: Contact | None = None,
    subject: str = "",
    sender: str = "",
    external_id: str = "",
) -> Message:
    """Add a message to the timeline and update the inbox state it drives."""
    occurred_at = occurred_at or timezone.now()
    message = Message(
        consultation=consultation,
        direction=direction,
        channel=channel,
        body=body,
        occurred_at=occurred_at,
        contact=contact,
        author=actor if direction != Direction.INBOUND else None,
        subject=subject,
        sender=sender or (str(contact) if contact else str(actor or "")),
        external_id=external_id,
    )
    message.full_clean()
    message.save()
    inbox_state: dict[str, Any] = {"last_activity_at": occurred_at}
    if direction != Direction.NOTE:
        inbox_state["latest_snippet"] = _snippet(body)
        inbox_state["awaiting_reply"] = direction == Direction.INBOUND
    # Only a newer message moves the inbox state; late imports of old mail do not.
    Consultation.objects.filter(pk=consultation.pk, last_activity_at__lte=occurred_at).update(
        **inbox_state
    )
    event_record(
        consultation=consultation,
        actor=actor,
        kind=EventKind.MESSAGE_ADDED,
        data={"message": message.pk, "direction": direction},
    )
    # Imported here: the insights and sla apps build on this module.
    from consultdesk.sla.services import deadlines_on_inbound, deadlines_on_reply

    if direction == Direction.INBOUND:
        from consultdesk.insights.services import message_analyse_task

        # An imported log is history: its old messages start no response clock.
        if channel != Channel.IMPORT:
            deadlines_on_inbound(consultation=consultation, received_at=occurred_at)
        transaction.on_commit(partial(message_analyse_task.enqueue, message.pk))
    elif direction == Direction.OUTBOUND:
        deadlines_on_reply(consultation=consultation, replied_at=occurred_at)
    return message


MERGEABLE_RECORD_FIELDS = (
    "industry",
    "organisation_size",
    "technical_level",
    "core_goal",
    "budget_min",
    "budget_max",
    "timeline_date",
    "timeline_days",
    "existing_systems",
    "category",
)


@transaction.atomic
def consultation_merge(
    *, source: Consultation, target: Consultation, actor: User | None
) -> Consultation:
    """Move the source's timeline, contacts and tags into the target; the target's own
    record values win, the source fills what is empty; the source closes as a pointer."""
    if source.pk == target.pk:
        raise ValidationError({"target": "A consultation cannot be merged into itself."})
    # Decide on the stored rows, locked, not on what the caller happened to load.
    locked = Consultation.objects.select_for_update().in_bulk([source.pk, target.pk])
    source, target = locked[source.pk], locked[target.pk]
    if source.merged_into_id is not None or source.stage == Stage.CLOSED:
        raise ValidationError({"source": "Only an open consultation can be merged."})
    Message.objects.filter(consultation=source).update(consultation=target)
    target.contacts.add(*source.contacts.all())
    target.tags.add(*source.tags.all())
    filled = {
        field: getattr(source, field)
        for field in MERGEABLE_RECORD_FIELDS
        if getattr(target, field) in ("", None) and getattr(source, field) not in ("", None)
    }
    if target.budget_min is not None or target.budget_max is not None:
        # A budget range only makes sense whole: never combine two clients' ends.
        filled.pop("budget_min", None)
        filled.pop("budget_max", None)
    filled["stressed"] = target.stressed + [
        item for item in source.stressed if item not in target.stressed
    ]
    filled["asides"] = target.asides + [item for item in source.asides if item not in target.asides]
    latest = target.messages.order_by("-occurred_at", "-id").first()
    Consultation.objects.filter(pk=target.pk).update(
        **filled,
        version=F("version") + 1,
        awaiting_reply=target.awaiting_reply or source.awaiting_reply,
        last_activity_at=max(target.last_activity_at, source.last_activity_at),
        latest_snippet=_snippet(latest.body) if latest else target.latest_snippet,
    )
    from consultdesk.sla.services import deadlines_on_close, deadlines_on_inbound

    deadlines_on_close(consultation=source)
    oldest_waiting = (
        target.messages.filter(direction=Direction.INBOUND, occurred_at__gt=_last_reply_at(target))
        .order_by("occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    if oldest_waiting is not None:
        deadlines_on_inbound(consultation=target, received_at=oldest_waiting)
    Consultation.objects.filter(pk=source.pk).update(
        stage=Stage.CLOSED,
        outcome=Outcome.MERGED,
        outcome_reason=target.reference,
        merged_into=target,
        awaiting_reply=False,
        version=F("version") + 1,
    )
    for consultation, role, other in ((target, "from", source), (source, "into", target)):
        event_record(
            consultation=consultation,
            actor=actor,
            kind=EventKind.MERGED,
            data={role: other.reference, "filled": sorted(filled)},
        )
    target.refresh_from_db()
    return target


def _last_reply_at(consultation: Consultation) -> datetime.datetime:
    last = (
        consultation.messages.filter(direction=Direction.OUTBOUND)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return last or datetime.datetime.min.replace(tzinfo=datetime.UTC)


@transaction.atomic
def message_split(*, message: Message, actor: User | None) -> Consultation:
    """Give one message a consultation of its own (it was a different request)."""
    source = message.consultation
    if source.messages.count() == 1:
        raise ValidationError({"message": "This is the consultation's only message."})
    split_off = consultation_create(
        title=(message.subject or message.body)[:80] or source.title,
        channel=Channel(message.channel) if message.channel in Channel.values else Channel.MANUAL,
        client=source.client,
        contact=message.contact,
        owner=source.owner,
        received_at=message.occurred_at,
        actor=actor,
    )
    Message.objects.filter(pk=message.pk).update(consultation=split_off)
    Consultation.objects.filter(pk=split_off.pk).update(
        awaiting_reply=message.direction == Direction.INBOUND,
        last_activity_at=message.occurred_at,
        latest_snippet=_snippet(message.body),
    )
    for consultation, role, other in ((source, "to", split_off), (split_off, "from", source)):
        event_record(
            consultation=consultation,
            actor=actor,
            kind=EventKind.SPLIT,
            data={role: other.reference, "message": message.pk},
        )
    split_off.refresh_from_db()
    return split_off
