from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisation.models.geography import BilingualName, Province
from workdays.thai import thai_order


class Unit(BilingualName):
    """An organisational unit: a provincial office, its coordination group, or a central unit."""

    class Kind(models.TextChoices):
        PROVINCIAL_OFFICE = "PROVINCIAL_OFFICE", _("Provincial local administration office (สถจ.)")
        COORDINATION_GROUP = "COORDINATION_GROUP", _("District officer coordination group (กง.ทอ.)")
        COORDINATION_CENTRE = "COORDINATION_CENTRE", _("District officer coordination centre")
        BUREAU = "BUREAU", _("Central bureau (สำนัก)")
        DIVISION = "DIVISION", _("Central division (กอง)")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=30, blank=True)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("province"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", thai_order("name_th")]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["PROVINCIAL_OFFICE", "COORDINATION_GROUP"], province__isnull=False)
                | Q(kind__in=["COORDINATION_CENTRE", "BUREAU", "DIVISION"], province__isnull=True),
                name="unit_province_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["province", "kind"],
                condition=Q(kind__in=["PROVINCIAL_OFFICE", "COORDINATION_GROUP"]),
                name="unit_one_office_and_group_per_province",
            ),
        ]

    @property
    def is_central(self) -> bool:
        return self.province_id is None
