from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.models import AuditLog


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
