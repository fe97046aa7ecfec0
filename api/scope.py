"""The scope an API call acts with: a person's own (the pages' scope, organisation/selectors/roles.py), or a
service account's, expressed in the same terms so that every selector and check of the pages applies: a
province-scoped account reads like that province's provincial head, a national one like central staff."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User

from api.models import ServiceAccount
from organisation.models import Role
from organisation.selectors.roles import UserScope, user_scope_cached


def service_account_of(user: User | AnonymousUser) -> ServiceAccount | None:
    if not user.is_authenticated:
        return None
    try:
        return user.service_account
    except ServiceAccount.DoesNotExist:
        return None


def service_scope(account: ServiceAccount) -> UserScope:
    if account.province_id is None:
        return UserScope(officer=None, roles=frozenset({Role.CENTRAL_STAFF}))
    provinces = frozenset({account.province_id})
    return UserScope(
        officer=None,
        roles=frozenset({Role.PROVINCIAL_HEAD}),
        provinces_by_role={Role.PROVINCIAL_HEAD: provinces},
    )


def api_scope(request: Any) -> UserScope:
    """The caller's scope, computed once per request."""
    cached = getattr(request, "_api_scope", None)
    if cached is not None:
        return cached
    user = request.user
    account = service_account_of(user)
    scope = service_scope(account) if account is not None else user_scope_cached(user)
    request._api_scope = scope
    return scope
