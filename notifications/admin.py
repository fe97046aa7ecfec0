from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from notifications.models import Delivery, Notification, Preference
from notifications.services import deliveries_retry


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ["created_at", "kind", "recipient", "read_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__username"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = [
        "notification",
        "subscription",
        "channel",
        "status",
        "attempts",
        "not_before",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "channel"]
    actions = ["retry"]

    @admin.action(description=_("Send the failed ones again"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = deliveries_retry(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(count)s deliveries are queued again.") % {"count": count})


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "channel", "enabled", "digest"]
    list_filter = ["kind", "channel"]
