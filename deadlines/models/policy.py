"""Deadlines as data: a versioned policy gives, per flow step and urgency, the working days allowed, the
reminders before the deadline and the escalation ladder after it. Each human task gets a Deadline that
keeps the policy version it started with, and a ScheduledAction per reminder and escalation level that
the periodic job claims and fires exactly once."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisation.models.geography import Province


class Urgency(models.TextChoices):
    NORMAL = "NORMAL", _("Normal")
    URGENT = "URGENT", _("Urgent")
    VERY_URGENT = "VERY_URGENT", _("Very urgent")
    MOST_URGENT = "MOST_URGENT", _("Most urgent")


class DeadlinePolicy(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(
        _("active"), default=False, help_text=_("New tasks take the active version. Only one is active.")
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-version"]
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_policy"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"


class DeadlineRule(models.Model):
    policy = models.ForeignKey(
        DeadlinePolicy, on_delete=models.CASCADE, related_name="rules", verbose_name=_("policy")
    )
    step = models.CharField(_("flow step"), max_length=100, help_text=_("For example coordination.review"))
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices)
    working_days = models.PositiveSmallIntegerField(_("working days allowed"))
    reminders = models.JSONField(
        _("reminders"),
        default=list,
        blank=True,
        help_text=_(
            "Working days before the deadline, e.g. [1, 0]: one day before, and on the morning of the day."
        ),
    )

    class Meta:
        ordering = ["policy", "step", "urgency"]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [
            models.UniqueConstraint(fields=["policy", "step", "urgency"], name="deadline_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.step} {self.get_urgency_display()}: {self.working_days}"

    def clean(self) -> None:
        if not isinstance(self.reminders, list) or not all(
            isinstance(d, int) and 0 <= d <= 60 for d in self.reminders
        ):
            raise ValidationError(
                {"reminders": _("Write a list of whole numbers of working days, e.g. [5, 1, 0].")}
            )


class EscalationTarget(models.TextChoices):
    ASSIGNEE_AND_DIRECTOR = "ASSIGNEE_AND_DIRECTOR", _("The assignee and the province's group director")
    PROVINCIAL_HEAD = "PROVINCIAL_HEAD", _("The provincial head")
    COORDINATION_CENTRE = "COORDINATION_CENTRE", _("The coordination centre")


class EscalationStep(models.Model):
    rule = models.ForeignKey(
        DeadlineRule, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("rule")
    )
    level = models.PositiveSmallIntegerField(_("level"))
    after_working_days = models.PositiveSmallIntegerField(
        _("working days after the deadline"), help_text=_("0: at the deadline.")
    )
    target = models.CharField(_("who is told"), max_length=30, choices=EscalationTarget.choices)
    may_reassign = models.BooleanField(_("may reassign the task"), default=False)

    class Meta:
        ordering = ["rule", "level"]
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")
        constraints = [models.UniqueConstraint(fields=["rule", "level"], name="escalation_step_unique")]

    def __str__(self) -> str:
        return f"{self.level}: {self.get_target_display()}"


class Deadline(models.Model):
    """The deadline of one human task, with the policy version it started with."""

    class Status(models.TextChoices):
        OPEN = "OPEN", _("Open")
        DONE = "DONE", _("Done")
        CANCELLED = "CANCELLED", _("Cancelled")

    # The task (e.g. a viewflow Task or a district report) and the case whose timeline records events.
    task_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    task_id = models.PositiveBigIntegerField()
    task = GenericForeignKey("task_type", "task_id")
    case_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    case_id = models.PositiveBigIntegerField()
    case = GenericForeignKey("case_type", "case_id")

    step = models.CharField(_("flow step"), max_length=100)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices)
    rule = models.ForeignKey(DeadlineRule, on_delete=models.PROTECT, related_name="deadlines")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The pool the task waits in while nobody holds it (a central unit's desk): its members are reminded.
    unit = models.ForeignKey(
        "organisation.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assignee_is_director = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["task_type", "task_id"], condition=Q(status="OPEN"), name="one_open_deadline_per_task"
            )
        ]
        indexes = [models.Index(fields=["case_type", "case_id"])]

    def __str__(self) -> str:
        return f"{self.step} → {self.due_at:%Y-%m-%d %H:%M}"


class ScheduledAction(models.Model):
    """A reminder or an escalation level of a deadline, fired once by the periodic job."""

    class Kind(models.TextChoices):
        REMINDER = "REMINDER", _("Reminder")
        ESCALATION = "ESCALATION", _("Escalation")

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Pending")
        FIRED = "FIRED", _("Fired")
        CANCELLED = "CANCELLED", _("Cancelled")
        FAILED = "FAILED", _("Failed")

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Reminders: working days before the deadline; escalations: the ladder level.
    position = models.PositiveSmallIntegerField()
    fire_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    fired_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["fire_at"]
        verbose_name = _("scheduled reminder or escalation")
        verbose_name_plural = _("scheduled reminders and escalations")
        constraints = [
            models.UniqueConstraint(fields=["deadline", "kind", "position"], name="scheduled_action_unique")
        ]
        indexes = [
            models.Index(fields=["fire_at"], condition=Q(status="PENDING"), name="scheduled_action_due"),
            # Central staff's home page counts the failed ones (health.selectors.background_problems).
            models.Index(fields=["fire_at"], condition=Q(status="FAILED"), name="scheduled_action_failed"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.position} @ {self.fire_at:%Y-%m-%d %H:%M}"
