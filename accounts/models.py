"""The audit log of account administration: append-only (refused by the ORM here, and by a trigger on
PostgreSQL, so that only the database owner can change history)."""

from __future__ import annotations

import re
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    ACCOUNT_CREATED = "ACCOUNT_CREATED", _("Account created")
    ACCOUNT_DEACTIVATED = "ACCOUNT_DEACTIVATED", _("Account deactivated")
    ACCOUNT_REACTIVATED = "ACCOUNT_REACTIVATED", _("Account reactivated")
    PASSWORD_RESET_LINK = "PASSWORD_RESET_LINK", _("Password reset link made")
    ROLE_GRANTED = "ROLE_GRANTED", _("Role granted")
    ROLE_REVOKED = "ROLE_REVOKED", _("Role revoked")
    LOCKOUT_CLEARED = "LOCKOUT_CLEARED", _("Sign-in lock cleared")


class AppendOnly(Exception):
    pass


class AuditQuerySet(models.QuerySet["AuditLog"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnly("The audit log is append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnly("The audit log is append-only.")


class AuditLog(models.Model):
    """Who did what to whom, when. The people are kept by id without a foreign-key constraint and by name, so
    that no later change to an account (or its deletion) has to touch a row of history."""

    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_name = models.CharField(_("who (name)"), max_length=200)
    on_behalf_of_name = models.CharField(_("acting for"), max_length=200, blank=True)
    action = models.CharField(_("what"), max_length=40, choices=AuditAction.choices)
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    subject_name = models.CharField(_("whom"), max_length=200)
    province_code = models.CharField(_("province"), max_length=10, blank=True)
    detail = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.CharField(_("address"), max_length=45, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        default_permissions = ("view", "add")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.get_action_display()} {self.subject_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnly("The audit log is append-only.")


def citizen_id_digits(value: str) -> str:
    """A citizen ID as its 13 digits: the dashes and spaces of the printed form (1-2345-67890-12-3) dropped."""
    return re.sub(r"[\s-]", "", value or "")


def citizen_id_is_valid(value: str) -> bool:
    """13 digits whose last is the check digit of the other twelve (weights 13 to 2, modulo 11)."""
    digits = citizen_id_digits(value)
    if not re.fullmatch(r"[0-9]{13}", digits):
        return False
    total = sum(int(digit) * (13 - i) for i, digit in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == int(digits[12])


def validate_citizen_id(value: str) -> None:
    if not citizen_id_is_valid(value):
        raise ValidationError(
            _("Enter the 13 digits of a Thai citizen ID (the last digit did not check out)."), code="invalid"
        )


class OfficerIdentity(models.Model):
    """An officer's Thai citizen ID, by which DLA-SSO can match them (OIDC_MATCH_CLAIM=citizen_id). Kept apart
    from the officer's record: only central administrators see it, in the admin."""

    officer = models.OneToOneField(
        "organisation.Officer", on_delete=models.CASCADE, related_name="identity", verbose_name=_("officer")
    )
    citizen_id = models.CharField(
        _("citizen ID"),
        max_length=13,
        unique=True,
        validators=[validate_citizen_id],
        help_text=_("13 digits, without dashes."),
    )

    class Meta:
        verbose_name = _("officer's citizen ID")
        verbose_name_plural = _("officers' citizen IDs")

    def __str__(self) -> str:
        return f"{self.officer} ({self.citizen_id[:1]}-xxxx-xxxxx-{self.citizen_id[10:12]}-{self.citizen_id[12:]})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.citizen_id = citizen_id_digits(self.citizen_id)
        super().save(*args, **kwargs)
