"""Read-only aggregates for the dashboard, limited to what the user may see."""

from __future__ import annotations

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


__all__ = ["Overview", "Stage", "pipeline_overview"]
