from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.scope import service_account_of


class ServiceAccountsReadOnly(BasePermission):
    """A service account reads only, unless central staff granted it more."""

    message = _("This service account may only read.")
    code = "read_only"

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        account = service_account_of(request.user)
        return account is None or account.may_write
