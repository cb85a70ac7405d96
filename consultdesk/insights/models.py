"""What the text analysis found, kept per consultation so people can act on it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from consultdesk.analysis import FINDING_KINDS


class FindingKind(models.TextChoices):
    HEDGE = "hedge", _("Hedge")
    UNQUANTIFIED_QUALITY = "unquantified_quality", _("Unquantified quality")
    OPEN_ENDED = "open_ended", _("Open-ended list")
    ASSUMPTION = "assumption", _("Untested assumption")
    MEANS_AS_GOAL = "means_as_goal", _("Means stated as a goal")
    UNBOUNDED_TIME = "unbounded_time", _("Unbounded time")
    UNBOUNDED_BUDGET = "unbounded_budget", _("Unbounded budget")
    SWEEPING_SCOPE = "sweeping_scope", _("Sweeping scope")
    INTEGRATION_HANDWAVE = "integration_handwave", _("Integration hand-wave")


assert set(FindingKind.values) >= set(FINDING_KINDS), "a new engine kind needs a label"


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ASKED = "asked", _("Asked")
    RESOLVED = "resolved", _("Resolved")


class FindingSource(models.TextChoices):
    MESSAGE = "message", _("Client message")
    RECORD = "record", _("Core goal in the record")


class Finding(models.Model):
    """One vague or risky phrase, with the questions it raises."""

    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.CASCADE, related_name="findings"
    )
    message = models.ForeignKey(
        "consultations.Message",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="findings",
    )
    source = models.CharField(max_length=10, choices=FindingSource.choices)
    kind = models.CharField(_("kind"), max_length=30, choices=FindingKind.choices)
    text = models.CharField(_("text"), max_length=300)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    severity = models.CharField(max_length=10)
    questions = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "start"]
        indexes = [models.Index(fields=["consultation", "status"], name="finding_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


class MessageAnalysis(models.Model):
    """The engine's full answer for one message (spans, fields, category)."""

    message = models.OneToOneField(
        "consultations.Message", on_delete=models.CASCADE, related_name="analysis"
    )
    result = models.JSONField()
    analysed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"analysis of message {self.message_id}"


class CustomTerm(models.Model):
    """A term a team adds to the engine's lexicon from the admin, without a code change."""

    kind = models.CharField(_("kind"), max_length=30, choices=FindingKind.choices)
    language = models.CharField(
        _("language"), max_length=2, choices=[("zh", "中文"), ("en", "English")]
    )
    term = models.CharField(_("term"), max_length=100)
    question = models.CharField(
        _("question to ask"), max_length=300, blank=True, help_text=_("Optional.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["language", "term"], name="custom_term_unique")
        ]
        verbose_name = _("custom analysis term")
        verbose_name_plural = _("custom analysis terms")

    def __str__(self) -> str:
        return self.term
