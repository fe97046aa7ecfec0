"""The Django admin for reference data and people.

Provinces and districts come from GeoThai (the loader would overwrite edits): view only. Units, LGOs and
adjoining districts are edited here. Role and district assignments and acting deputies obey rules that
live in the services, so the admin shows them read-only and links to the province management page,
where every change goes through those services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from organisation.models import (
    ActingDeputy,
    District,
    DistrictAssignment,
    DistrictNeighbour,
    LocalGovernmentOrganisation,
    Officer,
    Province,
    ReferenceDataVersion,
    RoleAssignment,
    Unit,
)
from workdays.thai import thai_order


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable by staff with the view permission; never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _manage_link(province: Province | None) -> str:
    if province is None or not province.has_provincial_office:
        return "–"
    return format_html(
        '<a href="{}">{}</a>', reverse("manage:province", args=[province.code]), _("Manage this province")
    )


@admin.register(Province)
class ProvinceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "name_en", "manage"]
    search_fields = ["code", "name_th", "name_en"]
    ordering = ["code"]

    @admin.display(description=_("management page"))
    def manage(self, obj: Province) -> str:
        return _manage_link(obj)


@admin.register(District)
class DistrictAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "name_en", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name_th", "name_en"]
    list_select_related = ["province"]
    ordering = ["code"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name_th", "abbreviation", "kind", "province", "is_active"]
    list_filter = ["kind", "is_active", "province"]
    search_fields = ["code", "name_th", "name_en", "abbreviation"]
    list_select_related = ["province"]
    autocomplete_fields = ["province", "parent"]


@admin.register(LocalGovernmentOrganisation)
class LocalGovernmentOrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "kind", "district", "province"]
    list_filter = ["kind", "district__province"]
    search_fields = ["code", "name_th", "district__name_th", "district__code"]
    list_select_related = ["district__province"]
    autocomplete_fields = ["district"]

    @admin.display(description=_("province"), ordering=thai_order("district__province__name_th"))
    def province(self, obj: LocalGovernmentOrganisation) -> Province:
        return obj.district.province


class DistrictNeighbourForm(forms.ModelForm):
    class Meta:
        model = DistrictNeighbour
        fields = ["district_a", "district_b"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        a, b = data.get("district_a"), data.get("district_b")
        if a and b:
            if a.pk == b.pk:
                raise forms.ValidationError(_("A district cannot adjoin itself."))
            # Stored once, the lower id first (a database constraint): accept either order.
            if a.pk > b.pk:
                data["district_a"], data["district_b"] = b, a
                self.instance.district_a, self.instance.district_b = b, a
            clash = DistrictNeighbour.objects.filter(
                district_a=data["district_a"], district_b=data["district_b"]
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(_("These districts are already recorded as adjoining."))
        return data


@admin.register(DistrictNeighbour)
class DistrictNeighbourAdmin(admin.ModelAdmin):
    form = DistrictNeighbourForm
    list_display = ["district_a", "district_b"]
    list_filter = ["district_a__province"]
    search_fields = ["district_a__name_th", "district_a__code", "district_b__name_th", "district_b__code"]
    list_select_related = ["district_a__province", "district_b__province"]
    autocomplete_fields = ["district_a", "district_b"]


@admin.register(ReferenceDataVersion)
class ReferenceDataVersionAdmin(ReadOnlyAdmin):
    list_display = ["source", "version", "loaded_at"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fields = ["role", "province", "unit", "start_date", "end_date"]
    readonly_fields = ["role", "province", "unit", "start_date", "end_date"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DistrictAssignmentInline(admin.TabularInline):
    model = DistrictAssignment
    fields = ["district", "start_date", "end_date", "note"]
    readonly_fields = ["district", "start_date", "end_date", "note"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ["full_name", "position", "level", "province", "unit", "is_active"]
    list_filter = ["level", "is_active", "province", "unit__kind"]
    search_fields = [
        "first_name_th",
        "last_name_th",
        "first_name_en",
        "last_name_en",
        "email",
        "phone",
        "user__username",
    ]
    list_select_related = ["province", "unit"]
    autocomplete_fields = ["user", "province", "unit"]
    inlines = [RoleAssignmentInline, DistrictAssignmentInline]

    @admin.display(description=_("name"), ordering=thai_order("first_name_th"))
    def full_name(self, obj: Officer) -> str:
        return obj.full_name


class AssignmentAdmin(ReadOnlyAdmin):
    """Assignments obey the rules in the services: change them on the province management page."""

    @admin.display(description=_("management page"))
    def manage(self, obj: Any) -> str:
        return _manage_link(self.province_of(obj))

    def province_of(self, obj: Any) -> Province | None:
        return getattr(obj, "province", None)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AssignmentAdmin):
    list_display = ["officer", "role", "province", "unit", "start_date", "end_date", "manage"]
    list_filter = ["role", "province"]
    search_fields = ["officer__first_name_th", "officer__last_name_th", "officer__first_name_en"]
    list_select_related = ["officer", "province", "unit"]
    date_hierarchy = "start_date"


@admin.register(DistrictAssignment)
class DistrictAssignmentAdmin(AssignmentAdmin):
    list_display = ["district", "officer", "start_date", "end_date", "manage"]
    list_filter = ["district__province"]
    search_fields = ["district__name_th", "district__code", "officer__first_name_th", "officer__last_name_th"]
    list_select_related = ["district__province", "officer"]
    date_hierarchy = "start_date"

    def province_of(self, obj: DistrictAssignment) -> Province | None:
        return obj.district.province


@admin.register(ActingDeputy)
class ActingDeputyAdmin(AssignmentAdmin):
    list_display = ["deputy", "province", "start_date", "end_date", "reason", "manage"]
    list_filter = ["province"]
    search_fields = ["deputy__first_name_th", "deputy__last_name_th"]
    list_select_related = ["deputy", "province"]
