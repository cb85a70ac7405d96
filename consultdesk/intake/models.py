from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from consultdesk.consultations.choices import Channel


class InboundStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be processed")
    PROCESSED = "processed", _("Processed")
    DUPLICATE = "duplicate", _("Duplicate delivery")
    FAILED = "failed", _("Failed")


class InboundItem(models.Model):
    """Everything that arrives, stored exactly as received before anything parses it."""

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    raw = models.BinaryField(_("raw bytes"))
    size = models.PositiveIntegerField(default=0)
    metadata = models.JSONField(default=dict, blank=True)  # transport facts: IP, headers…
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=20, choices=InboundStatus.choices, default=InboundStatus.PENDING
    )
    external_id = models.CharField(max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    consultation = models.ForeignKey(
        "consultations.Consultation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_items",
    )
    message = models.ForeignKey(
        "consultations.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_items",
    )

    class Meta:
        verbose_name = _("inbound item")
        verbose_name_plural = _("inbound items")
        indexes = [
            models.Index(fields=["status", "-received_at"], name="inbound_status_idx"),
            models.Index(fields=["channel", "external_id"], name="inbound_external_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} ({self.status})"
