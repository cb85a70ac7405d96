from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consultdesk.clients.models import Client, Contact, Industry, OrganisationSize, TechnicalLevel
from consultdesk.consultations.choices import (
    Category,
    Channel,
    Currency,
    Direction,
    EventKind,
    Outcome,
    Priority,
    Stage,
)
from consultdesk.consultations.workflow import RecordSnapshot

if TYPE_CHECKING:
    from consultdesk.accounts.models import User


class ReferenceCounter(models.Model):
    """The last reference number handed out per year (CD-2026-000123)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    def __str__(self) -> str:
        return self.name


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def visible_to(self, user: User) -> ConsultationQuerySet:
        """Managers see everything; consultants their own, unassigned and shared cases."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        shared = Consultation.shared_with.through.objects.filter(user=user).values(
            "consultation_id"
        )
        return self.filter(Q(owner=user) | Q(owner__isnull=True) | Q(pk__in=shared))

    def open(self) -> ConsultationQuerySet:
        return self.exclude(stage=Stage.CLOSED)

    def inbox_order(self) -> ConsultationQuerySet:
        # New and unanswered first, then the most recently active.
        return self.order_by("-awaiting_reply", "-last_activity_at", "-id")


class Consultation(models.Model):
    """One client consultation (咨询单) and its initial requirement record."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="consultations",
        null=True,
        blank=True,
        verbose_name=_("client"),
    )
    contacts = models.ManyToManyField(Contact, related_name="consultations", blank=True)
    primary_contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("primary contact"),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="owned_consultations",
        null=True,
        blank=True,
        verbose_name=_("owner"),
    )
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="shared_consultations", blank=True
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.RECEIVED
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(_("reason for the outcome"), blank=True)
    tags = models.ManyToManyField(Tag, related_name="consultations", blank=True)
    # A consultation merged into another stays as a closed pointer, so its reference
    # (quoted in old emails) still leads to the right place.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from"
    )

    # The initial requirement record (《初始需求记录表》).
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    organisation_size = models.CharField(
        _("organisation size"), max_length=20, choices=OrganisationSize.choices, blank=True
    )
    technical_level = models.CharField(
        _("current technical level"), max_length=20, choices=TechnicalLevel.choices, blank=True
    )
    core_goal = models.TextField(
        _("core goal"),
        blank=True,
        max_length=4000,
        validators=[MaxLengthValidator(4000)],
        help_text=_("The problem to solve, not the feature wanted."),
    )
    budget_min = models.PositiveBigIntegerField(_("budget from"), null=True, blank=True)
    budget_max = models.PositiveBigIntegerField(_("budget up to"), null=True, blank=True)
    budget_currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    timeline_date = models.DateField(_("expected by"), null=True, blank=True)
    timeline_days = models.PositiveIntegerField(_("expected within (days)"), null=True, blank=True)
    existing_systems = models.TextField(
        _("compatibility with existing systems"),
        blank=True,
        max_length=2000,
        validators=[MaxLengthValidator(2000)],
    )
    stressed = models.JSONField(_("what the client specially stressed"), default=list, blank=True)
    asides = models.JSONField(_("small asides"), default=list, blank=True)

    # Inbox state, kept on the row so the list needs no join per line.
    awaiting_reply = models.BooleanField(default=True)
    last_activity_at = models.DateTimeField()
    latest_snippet = models.CharField(max_length=200, blank=True)
    open_findings = models.PositiveIntegerField(default=0)
    # Facts the text analysis extracted from the client's messages, offered as one-click
    # suggestions for empty record fields (never written into the record by itself).
    suggestions = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(_("received at"))
    # Service-level deadlines (consultdesk.sla computes them; null = no clock running).
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    summary_due = models.DateTimeField(_("summary due"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency: every record update must name the version it started from.
    version = models.PositiveIntegerField(default=1)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [
            models.Index(
                fields=["-awaiting_reply", "-last_activity_at", "-id"], name="cons_inbox_idx"
            ),
            models.Index(
                fields=["owner", "-awaiting_reply", "-last_activity_at"], name="cons_owner_idx"
            ),
            models.Index(
                fields=["stage", "-awaiting_reply", "-last_activity_at"], name="cons_stage_idx"
            ),
            models.Index(
                fields=["category", "-awaiting_reply", "-last_activity_at"],
                name="cons_category_idx",
            ),
            models.Index(
                fields=["channel", "-awaiting_reply", "-last_activity_at"], name="cons_channel_idx"
            ),
            models.Index(
                fields=["priority", "-awaiting_reply", "-last_activity_at"],
                name="cons_priority_idx",
            ),
            # The SLA sweep and "overdue" filters read only the running clocks.
            models.Index(
                fields=["first_response_due"],
                name="cons_response_due_idx",
                condition=Q(first_response_due__isnull=False),
            ),
            models.Index(
                fields=["summary_due"],
                name="cons_summary_due_idx",
                condition=Q(summary_due__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_min__lte=models.F("budget_max")),
                name="cons_budget_min_le_max",
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.CLOSED) | ~Q(outcome=""), name="cons_closed_has_outcome"
            ),
        ]
        permissions = [("view_all_consultations", "Can see every consultation")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        if (
            self.budget_min is not None
            and self.budget_max is not None
            and self.budget_min > self.budget_max
        ):
            raise ValidationError(
                {"budget_max": _("The upper end of the budget is below its lower end.")}
            )

    def record_snapshot(self) -> RecordSnapshot:
        # The conversations app builds on this one: imported here, one query.
        from consultdesk.conversations.gates import conversation_facts

        facts = conversation_facts(self)
        return RecordSnapshot(
            has_checklist=facts.has_checklist,
            meeting_ended=facts.meeting_ended,
            summary_sent=facts.summary_sent,
            summary_confirmed=facts.summary_confirmed,
            industry=self.industry,
            organisation_size=self.organisation_size,
            technical_level=self.technical_level,
            core_goal=self.core_goal,
            budget_min=self.budget_min,
            budget_max=self.budget_max,
            timeline_date=self.timeline_date,
            timeline_days=self.timeline_days,
            existing_systems=self.existing_systems,
            primary_contact_role=self.primary_contact.role if self.primary_contact else "",
            category=self.category,
            outcome=self.outcome,
        )


class Delivery(models.TextChoices):
    NOT_SENT = "", _("Not sent by ConsultDesk")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Sending failed")


class Message(models.Model):
    """One exchange with the client on any channel, or an internal note."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="messages"
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sender = models.CharField(_("from"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    # The channel's own id (email Message-ID, WeChat MsgId…): a repeated delivery is
    # recognised by it, and email replies are threaded through it.
    external_id = models.CharField(max_length=300, blank=True)
    # Outbound messages ConsultDesk sends itself (email replies) report how that went.
    delivery = models.CharField(max_length=10, choices=Delivery.choices, blank=True)
    delivery_error = models.TextField(blank=True)
    body = models.TextField(
        _("message"), max_length=100_000, validators=[MaxLengthValidator(100_000)]
    )
    occurred_at = models.DateTimeField(_("sent or received at"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["consultation", "occurred_at"], name="msg_timeline_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~Q(external_id=""),
                name="msg_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.filename


class Event(models.Model):
    """The append-only audit trail: who changed what, when, from what to what."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["consultation", "created_at"], name="event_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"
