"""Creating, checking and revoking API tokens and service accounts."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import AccessToken, ServiceAccount
from organisation.models import Province
from organisation.selectors.roles import user_scope

TOKEN_MARK = "dla"
MAX_DAYS = 366
# The last use is written at most this often: a busy token does not write a row on every call.
LAST_USE_EVERY = datetime.timedelta(minutes=1)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: AccessToken
    secret: str  # the whole token, shown once


def _check_days(days: int) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(
            {"days": _("A token lasts from 1 to %(max)s days.") % {"max": MAX_DAYS}}, code="invalid"
        )


@transaction.atomic
def token_create(*, user: User, name: str, days: int, now: datetime.datetime | None = None) -> NewToken:
    """A new token for the user, valid for `days` days. The secret is returned once and never stored."""
    now = now or timezone.now()
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the system that will use it.")})
    _check_days(days)
    while True:
        prefix = secrets.token_hex(AccessToken.PREFIX_LENGTH // 2)
        if not AccessToken.objects.filter(prefix=prefix).exists():
            break
    secret = f"{TOKEN_MARK}_{prefix}_{secrets.token_urlsafe(32)}"
    token = AccessToken.objects.create(
        user=user,
        name=name[:100],
        prefix=prefix,
        digest=digest_of(secret),
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    return NewToken(token=token, secret=secret)


def token_revoke(*, token: AccessToken, by: User, now: datetime.datetime | None = None) -> None:
    """Revoke a token: its owner, or central staff for a service account's."""
    if token.user_id != by.pk and not (
        user_scope(by).is_central and ServiceAccount.objects.filter(user_id=token.user_id).exists()
    ):
        raise PermissionDenied
    AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now or timezone.now())


def token_find(secret: str, now: datetime.datetime | None = None) -> AccessToken | None:
    """The usable token with this secret (not revoked, not expired, its user active), or None."""
    now = now or timezone.now()
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_MARK or len(parts[1]) != AccessToken.PREFIX_LENGTH:
        return None
    token = AccessToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, digest_of(secret)):
        return None
    if not token.is_usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_EVERY:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(user: User) -> list[AccessToken]:
    return list(AccessToken.objects.filter(user=user))


@transaction.atomic
def service_account_create(
    *,
    name: str,
    province: Province | None,
    may_write: bool,
    days: int,
    by: User,
    now: datetime.datetime | None = None,
) -> NewToken:
    """A service account (central staff only) and its first token."""
    now = now or timezone.now()
    if not user_scope(by).is_central:
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the system that will use this account.")})
    _check_days(days)
    username = f"service-{secrets.token_hex(6)}"
    user = User.objects.create_user(username=username, password=None, first_name=name[:150])
    ServiceAccount.objects.create(
        user=user, name=name[:100], province=province, may_write=may_write, created_at=now, created_by=by
    )
    return token_create(user=user, name=name, days=days, now=now)


def service_accounts() -> list[ServiceAccount]:
    return list(
        ServiceAccount.objects.select_related("province", "created_by").prefetch_related("user__api_tokens")
    )
