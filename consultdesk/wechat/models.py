"""What the WeChat channels must remember between requests: kf/sync_msg cursors and where
each WeChat Customer Service client came from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class KfCursor(models.Model):
    """How far kf/sync_msg has been read for one WeChat Customer Service account.

    The cursor moves in the same transaction that stores the page's messages raw, and
    only from the value the puller started with, so a crash or a second puller can
    neither skip nor repeat a page.
    """

    open_kfid = models.CharField(_("Customer Service account"), max_length=64, unique=True)
    cursor = models.CharField(max_length=256, blank=True)
    # The callback's token lifts sync_msg's rate limit for 10 minutes.
    callback_token = models.CharField(max_length=256, blank=True)
    callback_token_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(_("last successful pull"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failed pull"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Customer Service cursor")
        verbose_name_plural = _("Customer Service cursors")

    def __str__(self) -> str:
        return self.open_kfid


class KfCustomer(models.Model):
    """A WeChat user who entered a Customer Service session, and through which link."""

    external_userid = models.CharField(max_length=64, unique=True)
    open_kfid = models.CharField(max_length=64, blank=True)
    # The link's or QR code's scene value: where the client came from (website, card…).
    scene = models.CharField(_("scene"), max_length=64, blank=True)
    scene_param = models.CharField(_("scene parameter"), max_length=256, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("WeChat Customer Service client")
        verbose_name_plural = _("WeChat Customer Service clients")

    def __str__(self) -> str:
        return self.external_userid

    def scene_facts(self) -> dict[str, str]:
        facts = {"scene": self.scene, "scene_param": self.scene_param}
        return {key: value for key, value in facts.items() if value}


class WeComMember(models.Model):
    """A ConsultDesk user's WeCom UserID: where their phone notifications go."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wecom_member"
    )
    userid = models.CharField(_("WeCom UserID"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("WeCom member")
        verbose_name_plural = _("WeCom members")

    def __str__(self) -> str:
        return self.userid
