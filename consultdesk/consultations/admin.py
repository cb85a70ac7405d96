from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from consultdesk.consultations.models import Consultation, Event, Message, Tag


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "client", "stage", "category", "owner", "received_at")
    list_filter = ("stage", "category", "channel", "priority")
    search_fields = ("reference", "title")
    list_select_related = ("client", "owner")
    raw_id_fields = ("client", "primary_contact", "contacts", "owner", "shared_with")
    # Stage and record changes go through the application so gates and the audit apply.
    readonly_fields = ("reference", "stage", "outcome", "outcome_reason", "version")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The audit trail is append-only: visible here, never editable."""

    list_display = ("created_at", "consultation", "actor", "kind")
    list_filter = ("kind",)
    list_select_related = ("consultation", "actor")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.register(Message)
admin.site.register(Tag)
