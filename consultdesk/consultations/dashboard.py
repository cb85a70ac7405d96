"""Read-only aggregates for the dashboard, limited to what the user may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from consultdesk.accounts.models import User
from consultdesk.consultations.choices import Channel, Stage
from consultdesk.consultations.models import Consultation
from consultdesk.consultations.workflow import ORDER


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    percent: int


@dataclass(frozen=True)
class Overview:
    total: int
    awaiting_reply: int
    funnel: list[Bar]
    channels: list[Bar]
    workload: list[Bar]


def _bars(pairs: list[tuple[str, int]]) -> list[Bar]:
    peak = max((value for _label, value in pairs), default=0) or 1
    return [Bar(label, value, round(100 * value / peak)) for label, value in pairs]


def pipeline_overview(*, user: User) -> Overview:
    visible = Consultation.objects.visible_to(user)
    by_stage = dict(visible.values_list("stage").annotate(n=Count("id")).order_by())
    by_channel = dict(visible.values_list("channel").annotate(n=Count("id")).order_by())
    workload = (
        visible.open()
        .values("owner__username", "owner__display_name")
        .annotate(n=Count("id"), waiting=Count("id", filter=Q(awaiting_reply=True)))
        .order_by("-n")[:20]
    )
    return Overview(
        total=sum(by_stage.values()),
        awaiting_reply=sum(row["waiting"] for row in workload),
        funnel=_bars([(str(stage.label), by_stage.get(stage.value, 0)) for stage in ORDER]),
        channels=_bars(
            [(str(channel.label), by_channel.get(channel.value, 0)) for channel in Channel]
        ),
        workload=_bars(
            [
                (row["owner__display_name"] or row["owner__username"] or "—", row["n"])
                for row in workload
            ]
        ),
    )


@dataclass(frozen=True)
class ServiceLevels:
    received_30_days: int
    response_breaches_30_days: int
    summary_breaches_30_days: int
    overdue_now: int

    @property
    def response_on_time_percent(self) -> int | None:
        if not self.received_30_days:
            return None
        on_time = max(self.received_30_days - self.response_breaches_30_days, 0)
        return round(100 * on_time / self.received_30_days)


def service_level_overview(*, user: User, now: datetime.datetime) -> ServiceLevels:
    """First responses and summaries late in the last 30 days, and what is late now."""
    from consultdesk.sla.models import Breach, ClockKind

    since = now - datetime.timedelta(days=30)
    visible = Consultation.objects.visible_to(user)
    late = dict(
        Breach.objects.filter(consultation__in=visible, due_at__gte=since)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return ServiceLevels(
        received_30_days=visible.filter(received_at__gte=since).count(),
        response_breaches_30_days=late.get(ClockKind.FIRST_RESPONSE, 0),
        summary_breaches_30_days=late.get(ClockKind.SUMMARY, 0),
        overdue_now=visible.filter(Q(first_response_due__lt=now) | Q(summary_due__lt=now)).count(),
    )


__all__ = ["Overview", "ServiceLevels", "Stage", "pipeline_overview", "service_level_overview"]
