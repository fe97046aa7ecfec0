"""One audit log of every change to the records that govern the service (audit/registry.py lists them):
who, what, when, from which address, through which way in (a page, the API, the admin, a background job),
with the values before and after.

Why django-auditlog: it is well kept, records through model signals with the before and after of each
field, and works on SQLite too (`make run` uses SQLite); django-pghistory's triggers are PostgreSQL-only.
Its log entry model is swappable: this one adds the way in and the province (so that a provincial head
sees their province's changes), and is append-only as the account audit log is (accounts/models.py): the
ORM refuses to change or delete a row here, and on PostgreSQL a trigger refuses it for every role
(migration 0002). What signals do not see (a queryset's `update()`, `bulk_create`) is written by the
service that does it, with `audit.services.changes_record`.

The people are kept by id without a foreign-key constraint (and by e-mail), so that no later change to an
account (or its deletion) has to touch a row of history."""

from __future__ import annotations

from typing import Any, NoReturn

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.conf import settings
from django.db import models
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from audit import context
from audit.registry import province_of


class AppendOnly(Exception):
    pass


class WayIn(models.TextChoices):
    PAGE = "page", _("Page")
    API = "api", _("API")
    ADMIN = "admin", _("Administration site")
    JOB = "job", _("Background job")


# auditlog's own action names are not in Thai: the log's pages use these.
ACTION_LABELS = {
    AbstractLogEntry.Action.CREATE: _("Created"),
    AbstractLogEntry.Action.UPDATE: _("Changed"),
    AbstractLogEntry.Action.DELETE: _("Deleted"),
    AbstractLogEntry.Action.ACCESS: _("Read"),
}


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnly("The audit log is append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnly("The audit log is append-only.")


class AuditEntryManager(LogEntryManager.from_queryset(AuditQuerySet)):  # type: ignore[misc]
    def log_create(self, instance: Model, force_log: bool = False, **kwargs: Any) -> Any:
        """auditlog's, plus the way in, the province, and the person and address of the request being
        served (read now, not when the request began: an API token's person is known only in the view),
        or, outside a request, the person whose action it is (`context.acting`)."""
        kwargs.setdefault("way_in", context.way_in())
        kwargs.setdefault("province_id", province_of(instance))
        request = context.current_request()
        actor = context.current_actor()
        if request is not None:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                actor = user
            kwargs.setdefault("remote_addr", context.client_address(request) or None)
        if actor is not None and "actor" not in kwargs:
            kwargs["actor"] = actor
            kwargs["actor_email"] = getattr(actor, "email", None) or None
        return super().log_create(instance, force_log=force_log, **kwargs)


class AuditEntry(AbstractLogEntry):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        blank=True,
        null=True,
        related_name="+",
        verbose_name=_("who"),
    )
    way_in = models.CharField(_("way in"), max_length=10, choices=WayIn.choices, default=WayIn.JOB)
    province = models.ForeignKey(
        "organisation.Province",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("change")
        verbose_name_plural = _("audit log of changes")
        default_permissions = ("view",)
        indexes = [models.Index(fields=["province", "-timestamp"])]

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnly("The audit log is append-only.")
