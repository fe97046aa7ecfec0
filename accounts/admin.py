from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.models import AuditLog, OfficerIdentity


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: central administrators read the audit; nobody edits it here."""

    list_display = ["at", "actor_name", "action", "subject_name", "province_code", "ip_address"]
    list_filter = ["action", "province_code"]
    search_fields = ["actor_name", "subject_name"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OfficerIdentity)
class OfficerIdentityAdmin(admin.ModelAdmin):
    """Citizen IDs by which DLA-SSO matches officers (OIDC_MATCH_CLAIM=citizen_id)."""

    list_display = ["officer", "citizen_id"]
    search_fields = [
        "citizen_id",
        "officer__first_name_th",
        "officer__last_name_th",
        "officer__user__username",
    ]
    autocomplete_fields = ["officer"]
    list_select_related = ["officer"]
