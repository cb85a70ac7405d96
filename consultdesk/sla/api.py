"""JSON API for service levels: breaches (managers) and one's own notifications.

Mounted by ``config/api.py`` with ``api.add_router("/", sla_router)``; paths start with
``/sla/``. Datetimes are ISO 8601 with their UTC offset.
"""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from consultdesk.accounts.models import User
from consultdesk.sla.models import Breach, ClockKind, Notification
from consultdesk.sla.services import notifications_mark_read
from consultdesk.web.pagination import CappedPageNumberPagination

router = Router(tags=["service levels"])


class BreachOut(Schema):
    id: int
    consultation_id: int
    consultation_reference: str
    kind: ClockKind
    due_at: datetime.datetime
    breached_at: datetime.datetime
    resolved_at: datetime.datetime | None
    minutes_late: int | None
    owner: str | None

    @staticmethod
    def resolve_consultation_reference(breach: Breach) -> str:
        return breach.consultation.reference

    @staticmethod
    def resolve_owner(breach: Breach) -> str | None:
        return breach.owner.username if breach.owner else None


class BreachFilter(Schema):
    kind: ClockKind | None = None
    open: bool | None = None


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    consultation_id: int | None
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class MarkReadIn(Schema):
    ids: list[int] | None = None  # None: all of them


class MarkReadOut(Schema):
    marked: int


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.get("/sla/breaches", response=list[BreachOut], summary="Missed deadlines (managers)")
@paginate(CappedPageNumberPagination, page_size=50)
def breach_list(request: HttpRequest, filters: Query[BreachFilter]) -> QuerySet[Breach]:
    if not _user(request).sees_everything:
        raise Http404
    breaches = Breach.objects.select_related("consultation", "owner").order_by("-due_at", "-id")
    if filters.kind:
        breaches = breaches.filter(kind=filters.kind)
    if filters.open is not None:
        breaches = breaches.filter(resolved_at__isnull=filters.open)
    return breaches


@router.get(
    "/sla/notifications", response=list[NotificationOut], summary="My notifications, newest first"
)
@paginate(CappedPageNumberPagination, page_size=50)
def notification_list(request: HttpRequest, unread: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(user=_user(request))
    return notifications.filter(read_at=None) if unread else notifications


@router.post("/sla/notifications/read", response=MarkReadOut, summary="Mark notifications read")
def notifications_read(request: HttpRequest, payload: MarkReadIn) -> Any:
    marked = notifications_mark_read(user=_user(request), ids=payload.ids, now=timezone.now())
    return {"marked": marked}
