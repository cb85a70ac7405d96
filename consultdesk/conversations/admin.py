from django.contrib import admin

from consultdesk.conversations.models import CategoryQuestion, Meeting, Question, SummaryVersion


@admin.register(CategoryQuestion)
class CategoryQuestionAdmin(admin.ModelAdmin[CategoryQuestion]):
    """The focus questions every checklist of a category starts with, edited by admins."""

    list_display = ("category", "order", "text_zh", "text_en", "active")
    list_editable = ("order", "active")
    list_filter = ("category", "active")
    search_fields = ("text_zh", "text_en")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin[Question]):
    list_display = ("consultation", "text", "source", "status")
    list_filter = ("source", "status")
    raw_id_fields = ("consultation", "finding")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin[Meeting]):
    list_display = ("consultation", "starts_at", "ended_at")
    raw_id_fields = ("consultation",)


@admin.register(SummaryVersion)
class SummaryVersionAdmin(admin.ModelAdmin[SummaryVersion]):
    list_display = ("summary", "number", "created_at", "sent_at", "confirmed_at")
    readonly_fields = ("sent_counter",)
    raw_id_fields = ("summary",)
