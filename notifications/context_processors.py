from typing import Any

from django.http import HttpRequest

from notifications.services import unread_count


def bell(request: HttpRequest) -> dict[str, Any]:
    """The unread count for the bell in the header: one indexed count per page."""
    if not request.user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(request.user)}
