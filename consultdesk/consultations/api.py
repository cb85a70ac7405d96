from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from consultdesk.accounts.models import User
from consultdesk.clients.models import Client, Contact
from consultdesk.consultations import services
from consultdesk.consultations.access import consultation_for, require_manager
from consultdesk.consultations.models import Consultation, Message
from consultdesk.consultations.schemas import (
    AssignIn,
    ConflictOut,
    ConsultationFilter,
    ConsultationIn,
    ConsultationListItem,
    ConsultationOut,
    MergeIn,
    ProblemOut,
    RecordPatch,
    ShareIn,
    TagsIn,
    TimelineEntry,
    TransitionIn,
)
from consultdesk.consultations.timeline import timeline_entries
from consultdesk.consultations.workflow import entry_gaps, next_stage
from consultdesk.web.pagination import CappedPageNumberPagination

router = Router(tags=["consultations"])


def _detail(consultation: Consultation) -> Consultation:
    """Reload after a change (access was checked before it) and attach the gate report."""
    consultation = (
        Consultation.objects.select_related("client", "owner", "primary_contact")
        .prefetch_related("contacts", "tags", "shared_with")
        .get(pk=consultation.pk)
    )
    following = next_stage(consultation.stage)  # type: ignore[arg-type]
    gaps = entry_gaps(following, consultation.record_snapshot()) if following else []
    consultation.missing_for_next_stage = [gap.as_dict() for gap in gaps]  # type: ignore[attr-defined]
    return consultation


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.get("/consultations", response=list[ConsultationListItem], summary="List consultations")
@paginate(CappedPageNumberPagination, page_size=50)
def consultation_list(
    request: HttpRequest, filters: Query[ConsultationFilter]
) -> QuerySet[Consultation]:
    queryset = Consultation.objects.visible_to(_user(request)).select_related("client", "owner")
    if filters.unassigned:
        queryset = queryset.filter(owner__isnull=True)
    filters.unassigned = None
    return filters.filter(queryset).inbox_order()


@router.post(
    "/consultations",
    response={201: ConsultationOut, 422: ProblemOut},
    summary="Open a consultation",
)
def consultation_create(request: HttpRequest, payload: ConsultationIn) -> Any:
    client = get_object_or_404(Client, pk=payload.client_id) if payload.client_id else None
    contact = get_object_or_404(Contact, pk=payload.contact_id) if payload.contact_id else None
    owner = get_object_or_404(User, pk=payload.owner_id) if payload.owner_id else None
    consultation = services.consultation_create(
        title=payload.title,
        channel=payload.channel,
        client=client,
        contact=contact,
        owner=owner,
        priority=payload.priority,
        first_message=payload.first_message,
        received_at=payload.received_at,
        actor=_user(request),
    )
    return Status(201, _detail(consultation))


@router.get("/consultations/{pk}", response=ConsultationOut, summary="One consultation")
def consultation_read(request: HttpRequest, pk: int) -> Any:
    return _detail(consultation_for(_user(request), pk))


@router.patch(
    "/consultations/{pk}",
    response={200: ConsultationOut, 409: ConflictOut, 422: ProblemOut},
    summary="Change record fields (optimistic: send the version you read)",
)
def consultation_update(request: HttpRequest, pk: int, payload: RecordPatch) -> Any:
    consultation = consultation_for(_user(request), pk)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    if "primary_contact_id" in changes:
        contact_id = changes.pop("primary_contact_id")
        changes["primary_contact"] = (
            get_object_or_404(Contact, pk=contact_id) if contact_id else None
        )
    try:
        updated = services.consultation_update_record(
            consultation=consultation,
            changes=changes,
            expected_version=version,
            actor=_user(request),
        )
    except services.RecordConflict as conflict:
        return Status(
            409,
            {
                "detail": "Someone else changed this consultation; reload and apply again.",
                "version": conflict.current.version,
                "theirs": {key: _plain(value) for key, value in conflict.theirs.items()},
            },
        )
    return Status(200, _detail(updated))


def _plain(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


@router.post(
    "/consultations/{pk}/transition",
    response={200: ConsultationOut, 422: ProblemOut},
    summary="Move to another stage; a refusal lists what is missing",
)
def consultation_transition(request: HttpRequest, pk: int, payload: TransitionIn) -> Any:
    consultation = consultation_for(_user(request), pk)
    try:
        moved = services.consultation_transition(
            consultation=consultation,
            to=payload.to,
            reason=payload.reason,
            outcome=payload.outcome,
            actor=_user(request),
        )
    except services.TransitionRefused as refusal:
        return Status(422, {"detail": [item.as_dict() for item in refusal.missing]})
    return Status(200, _detail(moved))


@router.post("/consultations/{pk}/assign", response=ConsultationOut, summary="Set the owner")
def consultation_assign(request: HttpRequest, pk: int, payload: AssignIn) -> Any:
    consultation = consultation_for(_user(request), pk)
    owner = get_object_or_404(User, pk=payload.owner_id) if payload.owner_id else None
    if owner is not None and not owner.is_active:
        raise ValidationError({"owner_id": "This user is not active."})
    services.consultation_assign(consultation=consultation, owner=owner, actor=_user(request))
    return _detail(consultation)


@router.post(
    "/consultations/{pk}/share",
    response=ConsultationOut,
    summary="Set the consultants it is shared with",
)
def consultation_share(request: HttpRequest, pk: int, payload: ShareIn) -> Any:
    consultation = consultation_for(_user(request), pk)
    users = list(User.objects.filter(pk__in=payload.user_ids, is_active=True))
    if len(users) != len(set(payload.user_ids)):
        raise ValidationError({"user_ids": "Unknown or inactive user."})
    services.consultation_share(consultation=consultation, users=users, actor=_user(request))
    return _detail(consultation)


@router.put("/consultations/{pk}/tags", response=ConsultationOut, summary="Replace the tags")
def consultation_tags(request: HttpRequest, pk: int, payload: TagsIn) -> Any:
    consultation = consultation_for(_user(request), pk)
    services.consultation_set_tags(
        consultation=consultation, names=payload.tags, actor=_user(request)
    )
    return _detail(consultation)


@router.post(
    "/consultations/{pk}/merge",
    response=ConsultationOut,
    summary="Merge this consultation into another (managers)",
)
def consultation_merge(request: HttpRequest, pk: int, payload: MergeIn) -> Any:
    user = _user(request)
    require_manager(user)
    source = consultation_for(user, pk)
    target = consultation_for(user, payload.target_id)
    return _detail(services.consultation_merge(source=source, target=target, actor=user))


@router.post(
    "/consultations/{pk}/messages/{message_pk}/split",
    response={201: ConsultationOut},
    summary="Move one message into a new consultation (managers)",
)
def message_split(request: HttpRequest, pk: int, message_pk: int) -> Any:
    user = _user(request)
    require_manager(user)
    message = get_object_or_404(Message, pk=message_pk, consultation=consultation_for(user, pk))
    return Status(201, _detail(services.message_split(message=message, actor=user)))


@router.get(
    "/consultations/{pk}/timeline",
    response=list[TimelineEntry],
    summary="Messages and events, oldest first",
)
def consultation_timeline(request: HttpRequest, pk: int) -> Any:
    return timeline_entries(consultation_for(_user(request), pk))
