from django.contrib import admin

from consultdesk.insights.models import CustomTerm


@admin.register(CustomTerm)
class CustomTermAdmin(admin.ModelAdmin):
    """Teams extend the engine's lexicon here; the next analysis uses the new terms."""

    list_display = ("term", "kind", "language", "question", "updated_at")
    list_filter = ("kind", "language")
    search_fields = ("term", "question")
