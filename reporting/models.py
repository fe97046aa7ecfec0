"""The workload reporting cycle (DESIGN.md "Workflow 2"; the source document, Part 3; issue 5).

Mission areas and their indicators are data that central staff edit. A cycle freezes the list it was
opened with (CycleIndicator), so later edits never change what an earlier cycle asked. Each cycle has
one DistrictReport per district outside Bangkok; Part 1 is one ReportValue per frozen indicator, Part 2
the four letter counts on the report.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from organisation.models import District, Officer, Province


class MissionArea(models.Model):
    """ขอบเขตภารกิจท้องถิ่นอำเภอ: one area of the district officer's mission scope."""

    code = models.SlugField(_("code"), max_length=30, unique=True, allow_unicode=False)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("asked in new cycles"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("mission area")
        verbose_name_plural = _("mission areas")

    def __str__(self) -> str:
        return self.name_th


def _english() -> bool:
    return (get_language() or "th").startswith("en")


class IndicatorWords:
    """An indicator's name, unit and help in the reader's language: English on English pages where the
    English text exists, else Thai (shared by the indicator and its copy in a cycle)."""

    name_th: str
    name_en: str
    unit: str
    unit_en: str
    help_text: str
    help_text_en: str

    @property
    def name(self) -> str:
        return self.name_en if _english() and self.name_en else self.name_th

    @property
    def unit_shown(self) -> str:
        return self.unit_en if _english() and self.unit_en else self.unit

    @property
    def help_shown(self) -> str:
        return self.help_text_en if _english() and self.help_text_en else self.help_text


class Indicator(IndicatorWords, models.Model):
    area = models.ForeignKey(
        MissionArea, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("mission area")
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    unit = models.CharField(_("unit"), max_length=30, help_text=_("For example เรื่อง, ครั้ง, แห่ง, ฉบับ"))
    unit_en = models.CharField(
        _("unit (English)"),
        max_length=30,
        blank=True,
        help_text=_("Shown on English pages; empty: the Thai unit."),
    )
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    help_text_en = models.CharField(_("help text (English)"), max_length=500, blank=True)
    upper_bound = models.PositiveIntegerField(
        _("upper bound"),
        null=True,
        blank=True,
        help_text=_("A value above this needs the officer's confirmation. Empty: no bound."),
    )
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("asked in new cycles"), default=True)

    class Meta:
        ordering = ["area__order", "order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.name_th} ({self.unit})"


class ReportingCycle(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "SCHEDULED", _("Scheduled")
        OPENING = "OPENING", _("Opening")
        OPEN = "OPEN", _("Open")
        CLOSED = "CLOSED", pgettext_lazy("cycle status", "Closed")

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"))
    label = models.CharField(_("label"), max_length=100, help_text=_("For example ไตรมาส 1/2569"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    opens_on = models.DateField(_("opening date"))
    closes_on = models.DateField(_("closing date"), help_text=_("Reports are due at the end of this day."))
    review_required = models.BooleanField(
        _("group director review required"),
        default=True,
        help_text=_("Without review, a submitted report counts as complete."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    # The original deadline (end of the closing date's office hours). Each report's own deadline starts
    # here and moves with an extension; lateness is against the report's own (DistrictReport.late).
    due_at = models.DateTimeField(_("due"))
    districts_total = models.PositiveIntegerField(default=0, verbose_name=_("districts total"))
    districts_spawned = models.PositiveIntegerField(default=0, verbose_name=_("districts spawned"))
    process = models.OneToOneField(
        "viewflow.Process",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("process"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    opened_at = models.DateTimeField(null=True, blank=True, verbose_name=_("opened at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = _("reporting cycle")
        verbose_name_plural = _("reporting cycles")
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "label"], name="cycle_label_unique_per_year"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="cycle_period"
            ),
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="cycle_dates"),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("reporting:national", kwargs={"cycle_pk": self.pk})

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ClosingSoonNotice(models.Model):
    """A province's directors and heads were told its reports close soon (once per province and cycle),
    for the province's own close: the latest deadline of its reports not complete."""

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="closing_soon_notices")
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="+")
    closes_at = models.DateTimeField()
    missing = models.PositiveIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("closing-soon notice")
        verbose_name_plural = _("closing-soon notices")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "province"], name="one_closing_soon_per_province")
        ]

    def __str__(self) -> str:
        return f"{self.cycle.label} · {self.province}"


class CycleIndicator(IndicatorWords, models.Model):
    """An indicator as the cycle asked it: a copy taken when the cycle was created."""

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="indicators")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    area_code = models.CharField(max_length=30)
    area_name_th = models.CharField(max_length=200)
    area_name_en = models.CharField(max_length=200)
    area_order = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(max_length=40)
    name_th = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    unit = models.CharField(max_length=30)
    unit_en = models.CharField(max_length=30, blank=True)
    help_text = models.CharField(max_length=500, blank=True)
    help_text_en = models.CharField(max_length=500, blank=True)
    upper_bound = models.PositiveIntegerField(null=True, blank=True)
    required = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["area_order", "order", "code"]
        verbose_name = _("indicator of a cycle")
        verbose_name_plural = _("indicators of a cycle")
        constraints = [models.UniqueConstraint(fields=["cycle", "code"], name="cycle_indicator_unique")]

    def __str__(self) -> str:
        return f"{self.name_th} ({self.unit})"

    @property
    def field_name(self) -> str:
        return f"i_{self.pk}"


class ReportStatus(models.TextChoices):
    """The same statuses and colours everywhere (issue 5)."""

    NOT_STARTED = "NOT_STARTED", pgettext_lazy("report status", "Not started")
    DRAFT = "DRAFT", pgettext_lazy("report status", "Draft")
    SUBMITTED = "SUBMITTED", pgettext_lazy("report status", "Submitted")
    RETURNED = "RETURNED", pgettext_lazy("report status", "Returned")
    APPROVED = "APPROVED", pgettext_lazy("report status", "Approved")


# Not submitted yet: a report in one of these, past its (possibly extended) deadline, is overdue.
UNSUBMITTED_STATUSES = (ReportStatus.NOT_STARTED, ReportStatus.DRAFT, ReportStatus.RETURNED)


STATUS_COLOURS = {
    ReportStatus.NOT_STARTED: "grey",
    ReportStatus.DRAFT: "yellow",
    ReportStatus.SUBMITTED: "blue",
    ReportStatus.RETURNED: "red",
    ReportStatus.APPROVED: "green",
}

LETTER_FIELDS = (
    "letters_received_office",
    "letters_sent_office",
    "letters_received_local",
    "letters_sent_local",
)


class DistrictReport(models.Model):
    cycle = models.ForeignKey(
        ReportingCycle, on_delete=models.CASCADE, related_name="reports", verbose_name=_("cycle")
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="reports", verbose_name=_("district")
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    # The officer responsible for the district while its report is filled in: the one responsible when the
    # cycle opened, or the one it was handed to when the district changed hands before submission (empty:
    # nobody; then the report is the group director's and is flagged); and the user who holds it now.
    officer = models.ForeignKey(
        Officer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("District officer"),
    )
    unassigned = models.BooleanField(_("nobody responsible"), default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.NOT_STARTED
    )
    complete = models.BooleanField(_("complete"), default=False)
    # How the first submission stood against the deadlines (record_first_submission, the one definition):
    # late after the report's own deadline, within an extension after the cycle's but by the report's own.
    late = models.BooleanField(_("late"), default=False)
    within_extension = models.BooleanField(_("submitted within an extension"), default=False)
    # The report's own deadline: the cycle's, or the extension central staff granted.
    due_at = models.DateTimeField(_("due"))
    extension_reason = models.CharField(max_length=500, blank=True, verbose_name=_("extension reason"))

    letters_received_office = models.PositiveIntegerField(
        _("letters received by the district office"), null=True, blank=True
    )
    letters_sent_office = models.PositiveIntegerField(
        _("letters sent by the district office"), null=True, blank=True
    )
    letters_received_local = models.PositiveIntegerField(
        _("letters received by the district local office"), null=True, blank=True
    )
    letters_sent_local = models.PositiveIntegerField(
        _("letters sent by the district local office"), null=True, blank=True
    )

    # The director's comments of the last return: {"general": "...", "fields": {"i_12": "...", ...}}.
    review_comments = models.JSONField(default=dict, blank=True, verbose_name=_("review comments"))
    # Bumped on every save: a save from a page opened before another save is refused (two tabs).
    revision = models.PositiveIntegerField(default=0, verbose_name=_("revision"))
    process = models.OneToOneField(
        "viewflow.Process",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("process"),
    )
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted at"))
    approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("approved at"))
    updated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("updated at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["province__code", "district__code"]
        verbose_name = _("district report")
        verbose_name_plural = _("district reports")
        constraints = [models.UniqueConstraint(fields=["cycle", "district"], name="one_report_per_district")]
        indexes = [
            models.Index(fields=["cycle", "province", "status"]),
            models.Index(fields=["assignee", "cycle"]),
            models.Index(fields=["district", "cycle"]),
        ]

    def __str__(self) -> str:
        return f"{self.cycle.label} · {self.district.name_th}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:report", kwargs={"pk": self.pk})

    def is_overdue(self, now: datetime.datetime, *, cycle_closed: bool | None = None) -> bool:
        """The one rule of "overdue": not complete, not submitted, past its (possibly extended) deadline, while
        the cycle still takes reports (a closed cycle's report is simply not complete). `cycle_closed` spares
        reading the cycle when the caller knows it."""
        closed = self.cycle.is_closed if cycle_closed is None else cycle_closed
        return not closed and not self.complete and self.status in UNSUBMITTED_STATUSES and self.due_at < now

    def record_first_submission(self, at: datetime.datetime) -> None:
        """The moment of the first submission and how it stood (later submissions, corrections, change
        nothing): late when after the report's own deadline (the extended one when there is an extension),
        within an extension when after the cycle's original deadline but by the report's own."""
        if self.submitted_at is not None:
            return
        self.late = self.late_at(at)
        self.within_extension = not self.late and at > self.cycle.due_at
        self.submitted_at = at

    def late_at(self, at: datetime.datetime) -> bool:
        """A first submission at `at` would be late: after the report's own deadline (a correction of a
        report submitted once never is)."""
        return self.submitted_at is None and at > self.due_at

    @property
    def colour(self) -> str:
        """Green when complete (approved, or submitted in a cycle without review), as on every page."""
        return "green" if self.complete else STATUS_COLOURS[ReportStatus(self.status)]


class ReportValue(models.Model):
    report = models.ForeignKey(DistrictReport, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(CycleIndicator, on_delete=models.CASCADE, related_name="values")
    value = models.PositiveBigIntegerField()
    # The officer confirmed this value, above its indicator's usual bound, as correct: kept with the draft
    # until the value changes (reporting/services/reports.py, parse_input).
    confirmed = models.BooleanField(_("confirmed as correct"), default=False)

    class Meta:
        verbose_name = _("reported value")
        verbose_name_plural = _("reported values")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="one_value_per_indicator")
        ]
        indexes = [models.Index(fields=["indicator", "report"])]

    def __str__(self) -> str:
        return f"{self.indicator.code}={self.value}"
