"""Sign-in through the department's identity provider (DLA-SSO, OpenID Connect), with mozilla-django-oidc.

A person is matched to an existing account by one configurable claim (OIDC_MATCH_CLAIM: "username", "email"
or "citizen_id", the officer's OfficerIdentity); nobody is created on the fly: accounts are made by the province's SSO admin. An unknown person is
refused, and the refusal page names their province's SSO admins when a claim tells the province.

The ID token is checked beyond what mozilla-django-oidc checks by itself: the signature with the expected
algorithm only, the audience (our client id), the issuer (OIDC_OP_ISSUER), expiry and issue time."""

from __future__ import annotations

import logging
from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.backends import HeldUser
from accounts.models import citizen_id_digits, citizen_id_is_valid
from organisation.models import Province

LOGGER = logging.getLogger(__name__)
REFUSAL_SESSION_KEY = "oidc_refusal"


def users_matching(claims: dict[str, Any]) -> QuerySet[User]:
    """Active accounts that the claims name, by the configured claim; at most one is expected."""
    how = settings.OIDC_MATCH_CLAIM.lower()
    active = User.objects.filter(is_active=True)
    if how == "username":
        value = str(claims.get(settings.OIDC_USERNAME_CLAIM) or "").strip()
        return active.filter(username__iexact=value) if value else active.none()
    if how == "email":
        value = str(claims.get("email") or "").strip()
        if not value or claims.get("email_verified") is False:
            return active.none()
        return active.filter(Q(email__iexact=value) | Q(officer__email__iexact=value)).distinct()
    if how == "citizen_id":
        value = citizen_id_digits(str(claims.get(settings.OIDC_CITIZEN_ID_CLAIM) or ""))
        if not citizen_id_is_valid(value):
            return active.none()
        return active.filter(officer__identity__citizen_id=value)
    raise SuspiciousOperation(f"OIDC_MATCH_CLAIM {how!r} is not supported")


def province_from_claims(claims: dict[str, Any]) -> Province | None:
    """The province a claim names (its DOPA code or its Thai or English name), if any."""
    value = str(claims.get(settings.OIDC_PROVINCE_CLAIM) or "").strip()
    if not value:
        return None
    return Province.objects.filter(Q(code=value) | Q(name_th=value) | Q(name_en__iexact=value)).first()


class DlaOIDCBackend(HeldUser, OIDCAuthenticationBackend):
    request: HttpRequest

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(payload)
            if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
                raise SuspiciousOperation("ID token signed with an unexpected algorithm")
            issuer = settings.OIDC_OP_ISSUER or None
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=issuer,
                leeway=settings.OIDC_CLOCK_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "aud", "sub", *(["iss"] if issuer else [])]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        return users_matching(claims)

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("sub"))

    def create_user(self, claims: dict[str, Any]) -> None:
        """Nobody is created here: remember who was refused, for the refusal page."""
        province = province_from_claims(claims)
        self.request.session[REFUSAL_SESSION_KEY] = {
            "reason": "unknown",
            "province": province.code if province else "",
        }
        LOGGER.info("DLA-SSO sign-in refused: no account matches (%s)", settings.OIDC_MATCH_CLAIM)
        return None

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        return user

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        try:
            user: User | None = super().authenticate(request, **kwargs)
        except SuspiciousOperation as exc:
            LOGGER.warning("DLA-SSO sign-in refused: %s", exc)
            if request is not None:
                request.session[REFUSAL_SESSION_KEY] = {"reason": "token", "province": ""}
            return None
        return user
