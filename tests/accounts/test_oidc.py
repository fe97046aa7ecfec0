"""DLA-SSO sign-in (OpenID Connect): ID tokens signed with a real RSA key; the provider's token and userinfo
endpoints (the outside world) are stood in for. A wrong audience or issuer, an expired token and a tampered
signature are refused; an unknown person is refused with their province's SSO admins named."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import SuspiciousOperation
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.oidc import REFUSAL_SESSION_KEY, DlaOIDCBackend, users_matching
from organisation.models import Province, Role
from tests.factories import OfficerFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = (
    KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)


@pytest.fixture(autouse=True)
def provider_key(settings: Any) -> Iterator[None]:
    settings.OIDC_RP_IDP_SIGN_KEY = PUBLIC_PEM
    yield


def id_token(**changes: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": settings.OIDC_OP_ISSUER,
        "aud": settings.OIDC_RP_CLIENT_ID,
        "sub": "dla-sso-000123",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-0S6",
        **changes,
    }
    return jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": "k1"})


def tampered(token: str) -> str:
    """One bit of the signature flipped."""
    head, body, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[10] ^= 0x01
    return ".".join([head, body, base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")])


def _signed_in(claims: dict[str, Any], token: str | None = None) -> tuple[Any, dict[str, Any]]:
    backend = DlaOIDCBackend()
    request = RequestFactory().get("/oidc/callback/", {"code": "c", "state": "s"})
    request.session = SessionStore()
    backend.get_token = lambda payload: {"id_token": token or id_token(), "access_token": "at"}  # type: ignore[method-assign]
    backend.get_userinfo = lambda access, idt, payload: claims  # type: ignore[method-assign]
    user = backend.authenticate(request, nonce="n-0S6")
    return user, dict(request.session)


def test_a_valid_token_is_accepted() -> None:
    assert DlaOIDCBackend().verify_token(id_token(), nonce="n-0S6")["sub"] == "dla-sso-000123"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: id_token(aud="another-service"), id="wrong-audience"),
        pytest.param(lambda: id_token(iss="https://evil.example/o"), id="wrong-issuer"),
        pytest.param(
            lambda: id_token(exp=int(time.time()) - 3600, iat=int(time.time()) - 7200), id="expired"
        ),
        pytest.param(lambda: tampered(id_token()), id="tampered-signature"),
        pytest.param(
            lambda: jwt.encode(
                {"sub": "x", "aud": settings.OIDC_RP_CLIENT_ID},
                "a-secret-anyone-could-guess-32-bytes!",
                algorithm="HS256",
            ),
            id="hs256-with-a-guessable-key",
        ),
        pytest.param(lambda: id_token(nonce="replayed"), id="wrong-nonce"),
    ],
)
def test_bad_tokens_are_refused(token: Any) -> None:
    with pytest.raises(SuspiciousOperation):
        DlaOIDCBackend().verify_token(token(), nonce="n-0S6")


def test_a_refused_token_signs_nobody_in_and_says_so() -> None:
    UserFactory(username="somchai.j")
    user, session = _signed_in({"sub": "x", "preferred_username": "somchai.j"}, token=id_token(aud="other"))
    assert user is None
    assert session[REFUSAL_SESSION_KEY]["reason"] == "token"


def test_a_known_user_is_matched_by_the_configured_claim(settings: Any, chiang_mai: Province) -> None:
    officer = OfficerFactory(user=UserFactory(username="somchai.j"), email="somchai.j@dla.go.th")
    user, _session = _signed_in({"sub": "x", "preferred_username": "SOMCHAI.J"})
    assert user == officer.user

    settings.OIDC_MATCH_CLAIM = "email"
    assert list(users_matching({"sub": "x", "email": "Somchai.J@dla.go.th"})) == [officer.user]
    assert not users_matching({"sub": "x", "email": "somchai.j@dla.go.th", "email_verified": False}).exists()
    officer.user.is_active = False
    officer.user.save()
    assert not users_matching({"sub": "x", "email": "somchai.j@dla.go.th"}).exists()


def test_an_unknown_user_is_refused_and_told_their_provinces_sso_admin(chiang_mai: Province) -> None:
    sso = UserFactory(username="cm-sso")
    give_role(
        OfficerFactory(user=sso, province=chiang_mai, first_name_th="ผู้ดูแลระบบ", phone="053 111 222"),
        Role.SSO_ADMIN,
    )
    user, session = _signed_in({"sub": "x", "preferred_username": "new.person", "province_code": "50"})
    assert user is None
    assert session[REFUSAL_SESSION_KEY] == {"reason": "unknown", "province": "50"}

    client = Client()
    stored = client.session
    stored[REFUSAL_SESSION_KEY] = session[REFUSAL_SESSION_KEY]
    stored.save()
    page = client.get(reverse("accounts:sso-refused")).content.decode()
    assert "ผู้ดูแลระบบ" in page and "053 111 222" in page


def test_an_unknown_user_without_a_province_claim_is_sent_to_the_list() -> None:
    user, session = _signed_in({"sub": "x", "preferred_username": "new.person"})
    assert user is None
    client = Client()
    stored = client.session
    stored[REFUSAL_SESSION_KEY] = session[REFUSAL_SESSION_KEY]
    stored.save()
    assert reverse("accounts:sso-admins") in client.get(reverse("accounts:sso-refused")).content.decode()


def test_the_sign_in_page_offers_dla_sso_and_the_start_redirects_to_the_provider() -> None:
    page = Client().get(reverse("login")).content.decode()
    assert reverse("oidc_authentication_init") in page
    start = Client().get(reverse("oidc_authentication_init"))
    assert start.status_code == 302 and start.url.startswith(settings.OIDC_OP_AUTHORIZATION_ENDPOINT)
    assert "code_challenge=" in start.url and f"client_id={settings.OIDC_RP_CLIENT_ID}" in start.url


def test_local_sign_in_can_be_switched_off(settings: Any, chiang_mai: Province) -> None:
    officer = OfficerFactory()
    credentials = {"username": officer.user.username, "password": "demo-pass-2568"}
    settings.LOCAL_SIGN_IN_ENABLED = False
    assert Client().post(reverse("login"), credentials).status_code == 200  # refused: the form again
    settings.LOCAL_SIGN_IN_ENABLED = True
    assert Client().post(reverse("login"), credentials).status_code == 302
