"""Calendars, holidays and policies are edited here; saving recomputes running deadlines."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from consultdesk.sla.models import (
    Breach,
    BusinessCalendar,
    CalendarDay,
    DaySource,
    ServicePolicy,
)
from consultdesk.sla.services import calendar_changed


class RecomputesOnChange(admin.ModelAdmin):
    """Every edit here moves deadlines, so each save and delete schedules a recompute."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        calendar_changed()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        calendar_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        calendar_changed()


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(RecomputesOnChange):
    list_display = ["name", "timezone", "working_weekdays", "day_start", "day_end", "is_default"]


@admin.register(CalendarDay)
class CalendarDayAdmin(RecomputesOnChange):
    list_display = ["date", "kind", "name", "source", "calendar"]
    list_filter = ["calendar", "kind", "source"]
    date_hierarchy = "date"
    search_fields = ["name"]
    list_select_related = ["calendar"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # A day someone corrected by hand is theirs: reseeding never overwrites it.
        obj.source = DaySource.MANUAL
        super().save_model(request, obj, form, change)


@admin.register(ServicePolicy)
class ServicePolicyAdmin(RecomputesOnChange):
    list_display = [
        "name",
        "channel",
        "priority",
        "after_hours_cutoff",
        "summary_hours",
        "summary_mode",
        "warn_minutes",
        "pause_while_waiting",
    ]


@admin.register(Breach)
class BreachAdmin(admin.ModelAdmin):
    list_display = ["consultation", "kind", "due_at", "breached_at", "resolved_at", "owner"]
    list_filter = ["kind"]
    list_select_related = ["consultation", "owner"]
    readonly_fields = [
        "consultation",
        "kind",
        "due_at",
        "breached_at",
        "resolved_at",
        "minutes_late",
        "owner",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
