"""Stage 2, the first conversation: checklists, meetings and requirement summaries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consultdesk.consultations.choices import Category


class CategoryQuestion(models.Model):
    """A focus question asked in every meeting of a category; admins edit them (zh/en)."""

    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    text_zh = models.CharField(_("question (Chinese)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "order", "id"]
        verbose_name = _("category focus question")
        verbose_name_plural = _("category focus questions")

    def __str__(self) -> str:
        return self.text_zh or self.text_en

    def text_for(self, language: str) -> str:
        if language.startswith("zh"):
            return self.text_zh or self.text_en
        return self.text_en or self.text_zh


class QuestionSource(models.TextChoices):
    FINDING = "finding", _("Vague wording found by analysis")
    CATEGORY = "category", _("Category focus")
    MISSING_FIELD = "missing_field", _("Missing in the record")
    MANUAL = "manual", _("Added by hand")


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ASKED = "asked", _("Asked")
    ANSWERED = "answered", _("Answered")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class QuestionQuerySet(models.QuerySet["Question"]):
    def listed(self) -> QuestionQuerySet:
        return self.filter(removed=False).order_by("order", "id")


class Question(models.Model):
    """One item of the pre-meeting checklist."""

    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.CASCADE, related_name="checklist"
    )
    text = models.CharField(_("question"), max_length=500)
    source = models.CharField(_("source"), max_length=20, choices=QuestionSource.choices)
    finding = models.ForeignKey(
        "insights.Finding", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What generated the question ("category:3", "missing:core_goal", "finding:<digest>"):
    # regenerating the checklist finds it again instead of adding a duplicate.
    source_key = models.CharField(max_length=80, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    answer = models.TextField(_("answer"), blank=True, max_length=4000)
    # A generated question the consultant removed stays hidden, so regenerating the
    # checklist does not bring it back.
    removed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("checklist question")
        verbose_name_plural = _("checklist questions")
        indexes = [models.Index(fields=["consultation", "order"], name="question_order_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "source_key"],
                condition=~Q(source_key=""),
                name="question_unique_source",
            )
        ]

    def __str__(self) -> str:
        return self.text


class Meeting(models.Model):
    """A first conversation with the client, by call, video or visit."""

    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.CASCADE, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place or link"), max_length=300, blank=True)
    participants_ours = models.CharField(_("our participants"), max_length=300, blank=True)
    participants_theirs = models.CharField(_("their participants"), max_length=300, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}"


class EntryKind(models.TextChoices):
    LISTEN = "listen", _("Listen")
    CONFIRM = "confirm", _("Confirm")
    ASK = "ask", _("Ask")


class ConfirmReply(models.TextChoices):
    NONE = "", _("No reply yet")
    YES = "yes", _("Yes")
    NO = "no", _("No")
    CORRECTION = "correction", _("Correction")


class MeetingEntryQuerySet(models.QuerySet["MeetingEntry"]):
    def live(self) -> MeetingEntryQuerySet:
        """The notes that count: deleted ones stay as rows (a late autosave of a deleted
        note must not bring it back) but are shown and summarised nowhere."""
        return self.filter(deleted_at__isnull=True)


class MeetingEntry(models.Model):
    """One note: what the client said, our restatement and their reply, or a question."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="entries")
    # Generated by the browser before the first keystroke is sent: a retry after a
    # dropped connection updates the same row instead of adding another.
    key = models.CharField(max_length=64)
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    text = models.TextField(_("text"), max_length=4000)
    reply = models.CharField(
        _("client's reply"), max_length=12, choices=ConfirmReply.choices, blank=True
    )
    response = models.TextField(_("answer or correction"), blank=True, max_length=4000)
    question = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="entries"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The browser counts every change of a note (1, 2, …) and sends the count with it;
    # a save carrying a lower count than the stored one is an older request arriving
    # late (after a reload, from another tab, after a dropped connection) and changes
    # nothing, so an older text never overwrites a newer one.
    revision = models.PositiveIntegerField(default=0)
    # Set when the note was changed after the meeting ended (or deleted).
    edited_at = models.DateTimeField(_("edited after the meeting"), null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # When the note was started in the browser: notes keep the order they were typed in,
    # not the order their first saves reached the server (two saves race under load).
    opened_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingEntryQuerySet.as_manager()

    class Meta:
        ordering = ["opened_at", "id"]
        verbose_name = _("meeting entry")
        verbose_name_plural = _("meeting entries")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "key"], name="entry_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:40]}"

    @property
    def understood(self) -> str:
        """What the client confirmed: our restatement, or their correction of it."""
        if self.reply == ConfirmReply.CORRECTION and self.response.strip():
            return self.response.strip()
        return self.text.strip()


class Summary(models.Model):
    """The requirement summary (《需求摘要》) of a consultation, with its versions."""

    consultation = models.OneToOneField(
        "consultations.Consultation", on_delete=models.CASCADE, related_name="summary"
    )
    # Bumped by every send and hashed into portal links: a new send supersedes old links.
    send_counter = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("requirement summary")
        verbose_name_plural = _("requirement summaries")

    def __str__(self) -> str:
        return f"summary of {self.consultation_id}"


class SummaryVersion(models.Model):
    """One saved text of the summary; rows are never changed except for send/confirm marks."""

    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    goals = models.TextField(_("goals"), blank=True, max_length=20_000)
    concerns = models.TextField(
        _("what the client specially cares about"), blank=True, max_length=20_000
    )
    to_confirm = models.TextField(_("details still to be confirmed"), blank=True, max_length=20_000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_counter = models.PositiveIntegerField(null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("summary version")
        verbose_name_plural = _("summary versions")
        constraints = [
            models.UniqueConstraint(fields=["summary", "number"], name="summary_version_unique")
        ]

    def __str__(self) -> str:
        return f"v{self.number}"

    def sections(self) -> dict[str, str]:
        return {"goals": self.goals, "concerns": self.concerns, "to_confirm": self.to_confirm}


class ActivityKind(models.TextChoices):
    MEETING_ENDED = "meeting_ended", _("Meeting ended")
    MEETING_NOTES_EDITED = "meeting_notes_edited", _("Meeting notes edited after the meeting")
    SUMMARY_SENT = "summary_sent", _("Summary sent")
    SUMMARY_VIEWED = "summary_viewed", _("Summary viewed by the client")
    SUMMARY_CONFIRMED = "summary_confirmed", _("Summary confirmed by the client")
    CHANGES_REQUESTED = "summary_changes_requested", _("Client requested changes")


class Activity(models.Model):
    """This app's audit rows (sends, portal views, confirmations, change requests)."""

    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey(
        SummaryVersion, on_delete=models.CASCADE, null=True, blank=True, related_name="activity"
    )
    kind = models.CharField(max_length=30, choices=ActivityKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("conversation activity")
        verbose_name_plural = _("conversation activity")
        indexes = [models.Index(fields=["consultation", "created_at"], name="conv_activity_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


# The summary's sections in reading order; the last two are the marked ones the client
# is asked to look at closely (DESIGN.md §1 stage 2, step 3).
SECTION_TITLES = {
    "goals": _("Goals"),
    "concerns": _("What the client specially cares about"),
    "to_confirm": _("Details still to be confirmed"),
}
MARKED_SECTIONS = ("concerns", "to_confirm")
