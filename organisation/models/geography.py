"""Provinces, districts and local government organisations: reference data (GeoThai, CC-BY-4.0)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from workdays.thai import thai_order

BANGKOK_CODE = "10"  # the province code (DOPA) of Bangkok, which has no DLA provincial or district office


class BilingualName(models.Model):
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "th").startswith("en") and self.name_en:
            return self.name_en
        return self.name_th


class ProvinceQuerySet(models.QuerySet["Province"]):
    def outside_bangkok(self) -> ProvinceQuerySet:
        """The 76 provinces with a DLA provincial office."""
        return self.exclude(code=BANGKOK_CODE)


class Province(BilingualName):
    code = models.CharField(_("DOPA code"), max_length=2, unique=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=10, blank=True)

    objects = ProvinceQuerySet.as_manager()

    class Meta:
        ordering = [thai_order("name_th")]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    @property
    def has_provincial_office(self) -> bool:
        """The DLA has a provincial office in every province but Bangkok (a special local government)."""
        return self.code != BANGKOK_CODE


class DistrictQuerySet(models.QuerySet["District"]):
    def outside_bangkok(self) -> DistrictQuerySet:
        """The 878 districts (amphoe) with a district officer; Bangkok's 50 khet have none."""
        return self.exclude(province__code=BANGKOK_CODE)


class District(BilingualName):
    code = models.CharField(_("DOPA code"), max_length=4, unique=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="districts", verbose_name=_("province")
    )

    objects = DistrictQuerySet.as_manager()

    class Meta:
        ordering = [thai_order("province__name_th"), thai_order("name_th")]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        indexes = [models.Index(fields=["name_th"])]

    @property
    def is_bangkok_khet(self) -> bool:
        return self.province.code == BANGKOK_CODE

    @property
    def display_name(self) -> str:
        if self.is_bangkok_khet or (get_language() or "th").startswith("en"):
            return self.name
        return f"อำเภอ{self.name_th}"


class DistrictNeighbour(models.Model):
    """Two adjoining districts, stored once with the lower id first."""

    district_a = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    district_b = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("adjoining districts")
        verbose_name_plural = _("adjoining districts")
        constraints = [
            models.UniqueConstraint(fields=["district_a", "district_b"], name="district_neighbour_unique"),
            models.CheckConstraint(
                condition=Q(district_a__lt=F("district_b")), name="district_neighbour_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district_a} – {self.district_b}"


class LocalGovernmentOrganisation(models.Model):
    class Kind(models.TextChoices):
        PROVINCIAL = "PAO", _("Provincial Administrative Organisation (อบจ.)")
        MUNICIPALITY = "MUNICIPALITY", _("Municipality (เทศบาล)")
        SUBDISTRICT = "SAO", _("Subdistrict Administrative Organisation (อบต.)")
        SPECIAL = "SPECIAL", _("Special local government")

    code = models.CharField(_("LGO code"), max_length=20, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="lgos", verbose_name=_("district")
    )

    class Meta:
        ordering = ["district__code", thai_order("name_th")]
        verbose_name = _("local government organisation")
        verbose_name_plural = _("local government organisations")

    def __str__(self) -> str:
        return self.name_th


class ReferenceDataVersion(models.Model):
    """Which release of a reference data set is loaded (e.g. geothai 2026.10.23)."""

    source = models.CharField(_("source"), max_length=50, unique=True)
    version = models.CharField(_("version"), max_length=50)
    loaded_at = models.DateTimeField(_("loaded at"))

    class Meta:
        verbose_name = _("reference data version")
        verbose_name_plural = _("reference data versions")

    def __str__(self) -> str:
        return f"{self.source} {self.version}"
