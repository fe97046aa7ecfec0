from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimelineEntry(models.Model):
    """One event in the life of a case: a step, a comment, a deadline, a reminder, an escalation, a
    reassignment. Stored as a kind and data, and worded in the reader's language when shown."""

    class Kind(models.TextChoices):
        DEADLINE_SET = "DEADLINE_SET", _("Deadline set")
        DEADLINE_MOVED = "DEADLINE_MOVED", _("Deadline moved")
        REMINDER = "REMINDER", _("Reminder")
        ESCALATION = "ESCALATION", _("Escalation")
        REASSIGNED = "REASSIGNED", _("Reassigned")
        STEP = "STEP", _("Step")
        COMMENT = "COMMENT", _("Comment")
        FAILURE = "FAILURE", _("Failure")

    case_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    case_id = models.PositiveBigIntegerField()
    case = GenericForeignKey("case_type", "case_id")
    at = models.DateTimeField(_("when"))
    kind = models.CharField(_("what"), max_length=30, choices=Kind.choices)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes = [models.Index(fields=["case_type", "case_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"
