from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.TextChoices):
    # The same codes as the analysis engine's `fields.industry`.
    EDUCATION = "education", _("Education")
    HEALTHCARE = "healthcare", _("Healthcare")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    LOGISTICS = "logistics", _("Logistics")
    FINANCE = "finance", _("Finance")
    RETAIL = "retail", _("Retail")
    GOVERNMENT = "government", _("Government and public services")
    ENERGY = "energy", _("Energy")
    TELECOM = "telecom", _("Telecom")
    INTERNET = "internet", _("Internet")
    REAL_ESTATE = "real_estate", _("Real estate")
    OTHER = "other", _("Other")


class OrganisationSize(models.TextChoices):
    MICRO = "micro", _("Fewer than 20 people")
    SMALL = "small", _("20–99 people")
    MEDIUM = "medium", _("100–499 people")
    LARGE = "large", _("500–1,999 people")
    ENTERPRISE = "enterprise", _("2,000 people or more")


class TechnicalLevel(models.TextChoices):
    BASIC = "basic", _("Basic: no in-house IT team")
    INTERMEDIATE = "intermediate", _("Intermediate: a small IT team")
    ADVANCED = "advanced", _("Advanced: an engineering team of its own")


class ContactRole(models.TextChoices):
    TECHNICAL = "technical", _("Technical lead")
    BUSINESS = "business", _("Business lead")
    DECISION_MAKER = "decision_maker", _("Decision maker")
    OTHER = "other", _("Other")


class Client(models.Model):
    """An organisation that consults the firm."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    size = models.CharField(
        _("organisation size"), max_length=20, choices=OrganisationSize.choices, blank=True
    )
    technical_level = models.CharField(
        _("technical level"), max_length=20, choices=TechnicalLevel.choices, blank=True
    )
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at a client; channels match inbound messages to them."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="contacts", null=True, blank=True
    )
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(
        _("role"), max_length=20, choices=ContactRole.choices, default=ContactRole.OTHER
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    wechat_id = models.CharField(_("WeChat id"), max_length=100, blank=True, db_index=True)
    wecom_id = models.CharField(_("WeCom id"), max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name
