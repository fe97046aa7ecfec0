"""Coordination requests (Workflow 1): a district officer asks, the province's group director routes, a
responder answers. The viewflow process is the backbone; the request keeps the domain data and, for fast
lists, who holds it now and until when."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from deadlines.models.policy import Urgency
from organisation.models.geography import District, LocalGovernmentOrganisation, Province
from organisation.models.units import Unit
from workdays.fast import choice_label
from workdays.thai import thai_order


class Category(models.Model):
    """The subject area of a request: a list central staff edit in the admin."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", thai_order("name_th")]
        verbose_name = _("request category")
        verbose_name_plural = _("request categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "th").startswith("en") and self.name_en:
            return self.name_en
        return self.name_th


class RequestStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    REVIEW = "REVIEW", _("Awaiting the group director")
    RETURNED = "RETURNED", _("Returned for more information")
    AT_TARGET = "AT_TARGET", _("With the responder")
    CLARIFICATION = "CLARIFICATION", _("Clarification asked")
    HANDED_ON = "HANDED_ON", _("With a district officer")
    ANSWERED = "ANSWERED", _("Answered")
    CLOSED = "CLOSED", _("Closed")
    REJECTED = "REJECTED", _("Rejected")
    WITHDRAWN = "WITHDRAWN", _("Withdrawn")

    @classmethod
    def open_states(cls) -> list[RequestStatus]:
        return [cls.REVIEW, cls.RETURNED, cls.AT_TARGET, cls.CLARIFICATION, cls.HANDED_ON, cls.ANSWERED]

    @classmethod
    def withdrawable(cls) -> list[RequestStatus]:
        """Nobody has answered yet."""
        return [cls.DRAFT, cls.REVIEW, cls.RETURNED, cls.AT_TARGET, cls.CLARIFICATION, cls.HANDED_ON]

    @classmethod
    def finished(cls) -> list[RequestStatus]:
        return [cls.CLOSED, cls.REJECTED, cls.WITHDRAWN]


OPEN_STATES = frozenset(RequestStatus.open_states())


class RequestCounter(models.Model):
    """The last running number given in a province and fiscal year; its row is locked while a number is
    allocated."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["province", "fiscal_year"], name="request_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.province_id}/{self.fiscal_year}: {self.last}"


class CoordinationRequest(models.Model):
    number = models.CharField(_("number"), max_length=40, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), null=True, blank=True)
    running_number = models.PositiveIntegerField(null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    details = models.TextField(_("details"), max_length=5000)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="requests", verbose_name=_("category")
    )
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="requests", verbose_name=_("province")
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="requests", verbose_name=_("district")
    )
    lgo = models.ForeignKey(
        LocalGovernmentOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("local government organisation"),
    )
    target_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests_received",
        verbose_name=_("target unit"),
    )
    target_province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests_received",
        verbose_name=_("target province"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.DRAFT
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requester")
    )
    # The form's one-time token: the same form submitted twice creates one request.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True)
    process = models.OneToOneField(
        "viewflow.Process", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Where it is now (kept by the services when a task opens or closes), for lists without joins.
    current_task = models.ForeignKey(
        "viewflow.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("held by"),
    )
    holder_unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("pool")
    )
    holder_province = models.ForeignKey(
        Province, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)

    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why it was rejected or withdrawn."))
    reopened = models.BooleanField(_("reopened once"), default=False)
    # When the group director first routed it, and when the requester reopened it: the monitoring page's
    # figures and their lists read these (cases/selectors/monitoring.py).
    routed_at = models.DateTimeField(_("routed"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    closed_automatically = models.BooleanField(default=False)

    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"))
    # Moves on every save: a form carries the version its page showed, and the service refuses it (under
    # the row's lock) when the request has changed since (another tab, another person).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("coordination request")
        verbose_name_plural = _("coordination requests")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "fiscal_year", "running_number"],
                condition=Q(running_number__isnull=False),
                name="request_number_unique_per_province_year",
            ),
            models.CheckConstraint(
                condition=Q(target_unit__isnull=True, target_province__isnull=False)
                | Q(target_unit__isnull=False, target_province__isnull=True),
                name="request_one_target",
            ),
            models.CheckConstraint(
                condition=Q(target_province__isnull=True) | ~Q(target_province=F("province")),
                name="request_target_not_own_province",
            ),
        ]
        indexes = [
            models.Index(fields=["requester", "-created_at"], name="request_requester"),
            models.Index(fields=["province", "status", "-created_at"], name="request_province_status"),
            models.Index(fields=["holder", "status", "due_at"], name="request_holder"),
            models.Index(fields=["holder_unit", "status", "due_at"], name="request_pool"),
            # The home page's count of what waits unclaimed in a pool: read from the index alone.
            models.Index(
                fields=["holder_unit", "status"],
                condition=Q(holder__isnull=True),
                name="request_pool_unclaimed",
            ),
            models.Index(fields=["holder_province", "status"], name="request_holder_province"),
            models.Index(fields=["target_province", "-created_at"], name="request_target_province"),
            models.Index(fields=["target_unit", "-created_at"], name="request_target_unit"),
            models.Index(fields=["district", "-created_at"], name="request_district"),
            models.Index(fields=["number"], name="request_number"),
            # The province's and the country's lists, newest first: the first page read from the index's
            # start, not all the country's requests joined and sorted (97 ms at 20,000, measured).
            models.Index(fields=["-sent_at", "-id"], condition=~Q(status="DRAFT"), name="request_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.number or _('Draft')} {self.subject}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Every change of a saved request moves its version (the services save under the row's lock)."""
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("requests:detail", args=[self.pk])

    @property
    def target(self) -> Unit | Province | None:
        return self.target_unit or self.target_province

    @property
    def target_label(self) -> str:
        if self.target_province is not None:
            return str(_("%(province)s province") % {"province": self.target_province.name})
        return self.target_unit.name if self.target_unit is not None else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    # What Django's get_FOO_display() give, a row of a list at a time (workdays/fast.py).
    def get_status_display(self) -> str:  # type: ignore[no-redef]
        return choice_label(RequestStatus, self.status)

    def get_urgency_display(self) -> str:  # type: ignore[no-redef]
        return choice_label(Urgency, self.urgency)


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is not the user's: no path tricks, no clashes; the original name is kept in a field.
    import uuid

    return f"requests/{instance.request_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    request = models.ForeignKey(
        CoordinationRequest, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("request")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
