"""The Django admin of the reporting cycle.

Mission areas and their indicators are data central staff edit here (issue 5): a new cycle asks the
active ones as they are on the day it is created, so an edit never changes what an earlier cycle asked.
Cycles and district reports follow rules that live in the services (opening, review, extension,
closing): the admin shows them read-only and links to their own pages, where every change goes through
those services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from reporting.models import CycleIndicator, DistrictReport, Indicator, MissionArea, ReportingCycle


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 1
    # The help text is edited on the indicator's own page (the link on each row): the row stays readable.
    fields = [
        "order",
        "code",
        "name_th",
        "name_en",
        "unit",
        "unit_en",
        "upper_bound",
        "required",
        "is_active",
    ]
    ordering = ["order", "code"]
    show_change_link = True


@admin.register(MissionArea)
class MissionAreaAdmin(admin.ModelAdmin):
    list_display = ["order", "name_th", "name_en", "code", "indicator_count", "is_active"]
    list_display_links = ["name_th"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_th", "name_en"]
    ordering = ["order", "code"]
    inlines = [IndicatorInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[MissionArea]:
        return super().get_queryset(request).annotate(n_indicators=Count("indicators"))

    @admin.display(description=_("indicators"), ordering="n_indicators")
    def indicator_count(self, obj: Any) -> int:
        return int(getattr(obj, "n_indicators", 0))


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name_th", "area", "unit", "upper_bound", "required", "order", "is_active"]
    list_display_links = ["name_th"]
    list_editable = ["order", "is_active"]
    list_filter = ["area", "is_active", "required"]
    search_fields = ["code", "name_th", "name_en", "area__name_th"]
    list_select_related = ["area"]
    ordering = ["area__order", "order", "code"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "area",
                    "code",
                    "name_th",
                    "name_en",
                    "unit",
                    "unit_en",
                    "help_text",
                    "help_text_en",
                ]
            },
        ),
        (_("Checks"), {"fields": ["required", "upper_bound"]}),
        (_("Place in the form"), {"fields": ["order", "is_active"]}),
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable by staff with the view permission; changed only through the reporting pages."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CycleIndicatorInline(admin.TabularInline):
    model = CycleIndicator
    fields = ("area_name_th", "name_th", "unit", "upper_bound", "required")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("indicators the cycle asks (frozen when it was created)")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReportingCycle)
class ReportingCycleAdmin(ReadOnlyAdmin):
    list_display = ["label", "fiscal_year", "status", "opens_on", "closes_on", "progress", "manage"]
    list_filter = ["status", "fiscal_year"]
    search_fields = ["label"]
    ordering = ["-opens_on", "-pk"]
    inlines = [CycleIndicatorInline]
    exclude = ["process"]

    @admin.display(description=_("reports opened"))
    def progress(self, obj: ReportingCycle) -> str:
        return f"{obj.districts_spawned:,} / {obj.districts_total:,}" if obj.districts_total else "–"

    @admin.display(description=_("page"))
    def manage(self, obj: ReportingCycle) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("reporting:cycle_progress", args=[obj.pk]), _("Manage this cycle")
        )


@admin.register(DistrictReport)
class DistrictReportAdmin(ReadOnlyAdmin):
    list_display = [
        "district",
        "province",
        "cycle",
        "status",
        "complete",
        "late",
        "unassigned",
        "due_at",
        "page",
    ]
    list_filter = ["cycle", "status", "complete", "late", "unassigned", "province"]
    search_fields = ["district__name_th", "district__name_en", "province__name_th"]
    list_select_related = ["district", "province", "cycle"]
    ordering = ["cycle", "province__code", "district__code"]
    exclude = ["process", "review_comments"]
    raw_id_fields = ["officer", "assignee", "updated_by"]

    @admin.display(description=_("page"))
    def page(self, obj: DistrictReport) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Open the report"))
