"""Who may call the API: personal access tokens (a person's own, acting as that person) and service accounts
(a user flagged as a system, created by central staff, read-only unless granted more, scoped to one
province or the whole country). A token is shown once; only its SHA-256 digest is kept, found by its
prefix."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceAccount(models.Model):
    """A system calling the API (the INFO portal, the letters register...): its own user, which holds no role;
    its scope is its province (or the country) and it writes only when granted."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="service_account",
        verbose_name=_("user"),
    )
    name = models.CharField(_("system"), max_length=100)
    province = models.ForeignKey(
        "organisation.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
        help_text=_("Empty: the whole country."),
    )
    may_write = models.BooleanField(_("may change data"), default=False)
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        verbose_name = _("service account")
        verbose_name_plural = _("service accounts")

    def __str__(self) -> str:
        return self.name


class AccessToken(models.Model):
    """A bearer token: `dla_<prefix>_<secret>`. The prefix finds the row, the digest proves the secret."""

    PREFIX_LENGTH = 10

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, unique=True)
    digest = models.CharField(_("digest"), max_length=64)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")

    def __str__(self) -> str:
        return f"{self.name} (dla_{self.prefix}_…)"

    def is_usable(self, now: datetime.datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
