from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CONSULTANT = "consultant", _("Consultant")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """A member of the consulting team; clients never log in (they use portal links)."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.CONSULTANT, db_index=True
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: follow the browser."),
    )

    @property
    def sees_everything(self) -> bool:
        """Managers and administrators see every consultation; consultants a subset."""
        return self.role in (Role.MANAGER, Role.ADMIN) or self.is_superuser

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


def token_digest(raw_token: str) -> str:
    # Tokens are long random strings, so a fast unsalted hash is enough to keep the
    # stored value useless to someone who reads the database.
    return hashlib.sha256(raw_token.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
