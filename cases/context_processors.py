from typing import Any

from django.http import HttpRequest

from cases.selectors.roles import user_scope


def current_roles(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's roles and scope, computed once per request for the menu and pages."""
    if not hasattr(request, "_user_scope"):
        request._user_scope = user_scope(request.user)  # type: ignore[attr-defined]
    return {"scope": request._user_scope}  # type: ignore[attr-defined]
