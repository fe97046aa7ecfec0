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
    WEBHOOK_DISABLED = "webhook_disabled", _("Webhook switched off")


# Kinds that never wait for a digest or for office hours.
URGENT_KINDS = frozenset({Kind.ESCALATED.value, Kind.OVERDUE.value})
# Kinds that are held outside office hours and on holidays ("no reminder goes out on a weekend").
QUIET_HOURS_KINDS = frozenset({Kind.DUE_SOON.value, Kind.CYCLE_CLOSING_SOON.value})


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the application")
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


# The channels a person chooses among (the webhook channel is a subscription's, not a person's).
PERSON_CHANNELS = (Channel.IN_APP, Channel.EMAIL)


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

    # A person's notification (e-mail), or an event for a webhook subscription: one or the other.
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True
    )
    event = models.ForeignKey(
        "WebhookEvent", on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True
    )
    subscription = models.ForeignKey(
        "Subscription", on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True
    )
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
        constraints = [
            # Once per event and subscription: the receiver drops a repeat by its delivery id.
            models.UniqueConstraint(fields=["event", "subscription"], name="delivery_event_subscription"),
            models.CheckConstraint(
                condition=(
                    Q(notification__isnull=False) & Q(event__isnull=True) & Q(subscription__isnull=True)
                )
                | (Q(notification__isnull=True) & Q(event__isnull=False) & Q(subscription__isnull=False)),
                name="delivery_notification_or_webhook",
            ),
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


class WebhookEventKind(models.TextChoices):
    REQUEST_SENT = "request.sent", _("Request sent")
    REQUEST_ROUTED = "request.routed", _("Request routed")
    REQUEST_ANSWERED = "request.answered", _("Request answered")
    REQUEST_CLOSED = "request.closed", _("Request closed")
    REPORT_SUBMITTED = "report.submitted", _("Report submitted")
    REPORT_RETURNED = "report.returned", _("Report returned")
    REPORT_APPROVED = "report.approved", _("Report approved")
    CYCLE_OPENED = "cycle.opened", _("Reporting cycle opened")
    CYCLE_CLOSING_SOON = "cycle.closing_soon", _("Reporting cycle closing soon")
    CYCLE_CLOSED = "cycle.closed", _("Reporting cycle closed")
    ESCALATION_FIRED = "escalation.fired", _("Escalation fired")


class Subscription(models.Model):
    """A URL that receives the service's events, signed with its secret. Central staff subscribe to the whole
    country (no province); a provincial head to their province: only that province's events go to it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
        verbose_name=_("owner"),
    )
    province = models.ForeignKey(
        "organisation.Province", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("province")
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=64, verbose_name=_("secret"))
    # Rotation without downtime: until `previous_secret_until` both secrets sign every delivery.
    previous_secret = models.CharField(max_length=64, blank=True, verbose_name=_("previous secret"))
    previous_secret_until = models.DateTimeField(
        null=True, blank=True, verbose_name=_("previous secret until")
    )
    is_active = models.BooleanField(_("on"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    disabled_reason = models.CharField(_("why switched off"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"


class WebhookEvent(models.Model):
    """Something that happened, as sent to the subscriptions that listen to it (the payload is a snapshot)."""

    kind = models.CharField(_("event"), max_length=40, choices=WebhookEventKind.choices)
    province = models.ForeignKey(
        "organisation.Province", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField(_("when"))
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"


class WebhookAttempt(models.Model):
    """One try of a webhook delivery, with the receiver's answer: the delivery log its owner reads."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="webhook_attempts")
    at = models.DateTimeField(_("when"))
    status_code = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_excerpt = models.TextField(_("response"), blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code or self.error}"
