"""Officers, their roles (scoped to a province or a unit, with validity dates) and district assignments."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from organisation.models.geography import District, Province
from organisation.models.units import Unit
from workdays.fast import choice_label
from workdays.thai import thai_order

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class CivilServiceLevel(models.TextChoices):
    # Academic track
    PRACTITIONER = "PRACTITIONER", "ปฏิบัติการ"
    PROFESSIONAL = "PROFESSIONAL", "ชำนาญการ"
    SENIOR_PROFESSIONAL = "SENIOR_PROFESSIONAL", "ชำนาญการพิเศษ"
    EXPERT = "EXPERT", "เชี่ยวชาญ"
    ADVISORY = "ADVISORY", "ทรงคุณวุฒิ"
    # General track
    OPERATIONAL = "OPERATIONAL", "ปฏิบัติงาน"
    EXPERIENCED = "EXPERIENCED", "ชำนาญงาน"
    SENIOR = "SENIOR", "อาวุโส"
    HIGHLY_SKILLED = "HIGHLY_SKILLED", "ทักษะพิเศษ"
    # Managerial
    DIRECTOR_PRIMARY = "DIRECTOR_PRIMARY", "อำนวยการต้น"
    DIRECTOR_HIGHER = "DIRECTOR_HIGHER", "อำนวยการสูง"
    EXECUTIVE_PRIMARY = "EXECUTIVE_PRIMARY", "บริหารต้น"
    EXECUTIVE_HIGHER = "EXECUTIVE_HIGHER", "บริหารสูง"


# "ชำนาญการ or higher", the minimum for a group director (source document, Part 1, question 3).
PROFESSIONAL_OR_HIGHER = frozenset(
    {
        CivilServiceLevel.PROFESSIONAL,
        CivilServiceLevel.SENIOR_PROFESSIONAL,
        CivilServiceLevel.EXPERT,
        CivilServiceLevel.ADVISORY,
        CivilServiceLevel.DIRECTOR_PRIMARY,
        CivilServiceLevel.DIRECTOR_HIGHER,
        CivilServiceLevel.EXECUTIVE_PRIMARY,
        CivilServiceLevel.EXECUTIVE_HIGHER,
    }
)


class Officer(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="officer",
        verbose_name=_("user account"),
    )
    prefix = models.CharField(_("title"), max_length=50, blank=True)
    first_name_th = models.CharField(_("first name (Thai)"), max_length=100)
    last_name_th = models.CharField(_("last name (Thai)"), max_length=100)
    first_name_en = models.CharField(_("first name (English)"), max_length=100, blank=True)
    last_name_en = models.CharField(_("last name (English)"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=200)
    level = models.CharField(_("civil-service level"), max_length=30, choices=CivilServiceLevel.choices)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("province"),
        help_text=_("Empty for central staff."),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="officers", verbose_name=_("unit")
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    position_since = models.DateField(_("in position since"), null=True, blank=True)
    former_district_officer = models.BooleanField(
        _("served as a district officer before this system's records"), default=False
    )
    preferred_language = models.CharField(
        _("language of notifications"), max_length=10, choices=settings.LANGUAGES, default="th"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = [thai_order("first_name_th"), thai_order("last_name_th")]
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        indexes = [
            models.Index(fields=["first_name_th"]),
            models.Index(fields=["last_name_th"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_level_display(self) -> str:  # type: ignore[no-redef]
        """As Django's, a row of a list at a time (workdays/fast.py)."""
        return choice_label(CivilServiceLevel, self.level)

    @property
    def full_name(self) -> str:
        if (get_language() or "th").startswith("en") and self.first_name_en:
            return f"{self.first_name_en} {self.last_name_en}".strip()
        return f"{self.prefix}{self.first_name_th} {self.last_name_th}".strip()


def person_name(user: User | None) -> str:
    """How a person is named on pages, in the timeline and in notifications: their officer's full name, else
    their username (an account with no officer record); nothing for nobody."""
    if user is None:
        return ""
    officer = getattr(user, "officer", None)
    return officer.full_name if officer is not None else user.get_username()


class Role(models.TextChoices):
    DISTRICT_OFFICER = "DISTRICT_OFFICER", _("District officer (ท้องถิ่นอำเภอ)")
    GROUP_DIRECTOR = "GROUP_DIRECTOR", _("Group director (ผอ.กง.ทอ.)")
    PROVINCIAL_HEAD = "PROVINCIAL_HEAD", _("Provincial head (ท้องถิ่นจังหวัด)")
    SSO_ADMIN = "SSO_ADMIN", _("Provincial SSO admin")
    CENTRAL_STAFF = "CENTRAL_STAFF", _("Central staff (coordination centre)")
    BUREAU_DESK = "BUREAU_DESK", _("Bureau desk (สำนัก/กอง)")

    @classmethod
    def provincial(cls) -> list[Role]:
        return [cls.DISTRICT_OFFICER, cls.GROUP_DIRECTOR, cls.PROVINCIAL_HEAD, cls.SSO_ADMIN]

    @classmethod
    def single_holder(cls) -> list[Role]:
        """Roles held by one person per province at a time."""
        return [cls.GROUP_DIRECTOR, cls.PROVINCIAL_HEAD]


class DatedQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> DatedQuerySet:
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on)


class RoleAssignment(models.Model):
    officer = models.ForeignKey(
        Officer, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("officer")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("appointed by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="role_assignment_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.provincial(), province__isnull=False)
                | Q(role__in=[Role.CENTRAL_STAFF, Role.BUREAU_DESK], province__isnull=True),
                name="role_assignment_scope_matches_role",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.BUREAU_DESK) | Q(unit__isnull=False),
                name="role_assignment_bureau_desk_has_unit",
            ),
            models.UniqueConstraint(
                fields=["province", "role"],
                condition=Q(role__in=Role.single_holder(), end_date__isnull=True),
                name="role_assignment_one_open_holder_per_province",
            ),
        ]
        indexes = [models.Index(fields=["province", "role", "start_date"])]

    def __str__(self) -> str:
        scope = self.province or self.unit or ""
        return f"{self.get_role_display()} {scope}: {self.officer}"

    def get_role_display(self) -> str:  # type: ignore[no-redef]
        """As Django's, a row of a list at a time (workdays/fast.py)."""
        return choice_label(Role, self.role)


class ActingDeputy(models.Model):
    """The officer who acts for the group director of a province on the given days."""

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    deputy = models.ForeignKey(
        Officer, on_delete=models.CASCADE, related_name="+", verbose_name=_("acting deputy")
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("acting deputy")
        verbose_name_plural = _("acting deputies")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="acting_deputy_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} ({self.province})"


class DistrictAssignment(models.Model):
    """The officer responsible for a district from start_date until end_date (inclusive; open when empty)."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("district")
    )
    officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, related_name="district_assignments", verbose_name=_("officer")
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["district__code", "-start_date"]
        verbose_name = _("district assignment")
        verbose_name_plural = _("district assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["district"], condition=Q(end_date__isnull=True), name="district_one_open_assignment"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="district_assignment_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district}: {self.officer}"
