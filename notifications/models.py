"""The notification outbox: a Notification is written in the transaction of the event that causes it,
with one Delivery per channel; workers deliver them, a sweep re-enqueues what is still pending."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workdays.fast import choice_label


class Kind(models.TextChoices):
    TASK_ASSIGNED = "task_assigned", _("Task assigned")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    ESCALATED = "escalated", _("Escalated")
    RETURNED = "returned", _("Returned")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    HANDED_OVER = "handed_over", _("Handed over to someone else")
    DEADLINE_EXTENDED = "deadline_extended", _("Deadline extended")
    CYCLE_OPENED = "cycle_opened", _("Reporting cycle opened")
    CYCLE_CLOSING_SOON = "cycle_closing_soon", _("Reporting cycle closing soon")
    CYCLE_CLOSED = "cycle_closed", _("Reporting cycle closed")


# Kinds that never wait for a digest or for office hours.
URGENT_KINDS = frozenset({Kind.ESCALATED.value, Kind.OVERDUE.value})
# Kinds that are held outside office hours and on holidays ("no reminder goes out on a weekend").
QUIET_HOURS_KINDS = frozenset({Kind.DUE_SOON.value, Kind.CYCLE_CLOSING_SOON.value})


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the application")
    EMAIL = "email", _("E-mail")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    # What it is about, rendered into the texts: e.g. {"subject": "ปส.ชม. 12/2569", "url": "/requests/12/", ...}
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    show_in_app = models.BooleanField(_("shown in the application"), default=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"

    def get_kind_display(self) -> str:  # type: ignore[no-redef]
        """As Django's, a row of the list at a time (workdays/fast.py)."""
        return choice_label(Kind, self.kind)


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "PENDING", _("Pending")
        SENDING = "SENDING", _("Sending")
        SENT = "SENT", _("Sent")
        FAILED = "FAILED", _("Failed")
        SKIPPED = "SKIPPED", _("Skipped")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    # One per notification and channel: a second delivery attempt finds the first one's row.
    dedupe_key = models.CharField(max_length=100, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    # Not before: quiet hours and digests hold a delivery until then.
    not_before = models.DateTimeField(_("not before"))
    digest = models.BooleanField(_("in the daily digest"), default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["not_before"], condition=Q(status="PENDING"), name="delivery_pending"),
            # Central staff's home page counts the failed ones: a few rows among hundreds of thousands sent.
            models.Index(fields=["notification"], condition=Q(status="FAILED"), name="delivery_failed"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"


class Preference(models.Model):
    """A person's choice for one kind of notification on one channel (no row: the default, on)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    enabled = models.BooleanField(_("on"), default=True)
    digest = models.BooleanField(_("daily digest instead of at once"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind", "channel"], name="preference_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.channel}"
