from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from notifications.models import Notification, Preference


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, show_in_app=True).order_by("-created_at", "-pk")


def preferences_of(user: User) -> dict[tuple[str, str], Preference]:
    return {(p.kind, p.channel): p for p in Preference.objects.filter(user=user)}
