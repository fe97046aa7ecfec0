from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditEntry

# auditlog registers its own (editable-looking) admin for the log entry model: ours is read-only.
if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read only: the log is append-only."""

    list_display = ["timestamp", "actor", "way_in", "content_type", "object_repr", "action", "remote_addr"]
    list_filter = ["way_in", "action", "content_type"]
    search_fields = ["object_repr", "actor_email"]
    date_hierarchy = "timestamp"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
