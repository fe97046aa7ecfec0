"""DLA-SSO sign-in against a real OpenID Connect provider: django-oauth-toolkit, run on 127.0.0.1 as its own
Django project (tests/accounts/oidc_provider/) with an RSA key made for this run. Nothing is stood in for: a
person signs in at the provider and consents, the provider sends them back to our callback, and our client
exchanges the code (with PKCE) at the provider's token endpoint, fetches its JWKS to check the ID token and
asks its userinfo endpoint for the claims.

The refusals use tokens that the same provider really issued and signed: one issued to another application
(wrong audience), one checked after its lifetime (expired), and one whose signature a relay in front of the
token endpoint changed by one bit (tampered signature)."""

from __future__ import annotations

import base64
import datetime
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import pytest
import requests
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.urls import reverse

from accounts.models import OfficerIdentity
from accounts.oidc import REFUSAL_SESSION_KEY
from organisation.models import Officer, Province, Role
from tests.factories import OfficerFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID, CLIENT_SECRET = "dla-coordination-test", "test-client-secret"
OTHER_ID, OTHER_SECRET = "another-service", "another-service-secret"
CALLBACK = "http://testserver/oidc/callback/"
ID_TOKEN_SECONDS = 120
CITIZEN_ID = "1101700203450"
PASSWORD = "provider-pass-2568"
PEOPLE = [
    {
        "username": "somchai.j",
        "password": PASSWORD,
        "claims": {
            "preferred_username": "somchai.j",
            "email": "somchai.j@dla.go.th",
            "email_verified": True,
            "citizen_id": CITIZEN_ID,
            "province_code": "50",
        },
    },
    {
        "username": "new.person",
        "password": PASSWORD,
        "claims": {"preferred_username": "new.person", "province_code": "50"},
    },
]


@dataclass
class Provider:
    base: str

    @property
    def issuer(self) -> str:
        return f"{self.base}/o"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """The provider in a process of its own, for this module; always stopped at the end."""
    folder = tmp_path_factory.mktemp("oidc-provider")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (folder / "key.pem").write_bytes(pem)
    port = free_port()
    found = Provider(f"http://127.0.0.1:{port}")
    seed = {
        "issuer": found.issuer,
        "id_token_seconds": ID_TOKEN_SECONDS,
        "people": PEOPLE,
        "applications": [
            {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [CALLBACK]},
            {"client_id": OTHER_ID, "client_secret": OTHER_SECRET, "redirect_uris": [CALLBACK]},
        ],
    }
    (folder / "seed.json").write_text(json.dumps(seed))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.accounts.oidc_provider.settings",
        "OIDC_PROVIDER_DIR": str(folder),
        "PYTHONPATH": str(ROOT),
        "NO_PROXY": "127.0.0.1",
        "no_proxy": "127.0.0.1",
    }
    log = (folder / "provider.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.accounts.oidc_provider.serve", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"the OIDC provider stopped: {(folder / 'provider.log').read_text()[-3000:]}")
            try:
                if requests.get(f"{found.issuer}/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the OIDC provider did not answer: {(folder / 'provider.log').read_text()[-3000:]}"
                )
            time.sleep(0.1)
        yield found
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class TokenRelay(ThreadingHTTPServer):
    """Stands between our client and the provider's token endpoint, and passes the request and the answer on
    unchanged ("pass"), with the other application's credentials ("other-client"), or with one bit of the ID
    token's signature flipped ("tamper")."""

    daemon_threads = True
    target = ""
    mode = "pass"


class RelayHandler(BaseHTTPRequestHandler):
    server: TokenRelay

    def do_POST(self) -> None:
        form = dict(parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
        if self.server.mode == "other-client":
            form.update(client_id=OTHER_ID, client_secret=OTHER_SECRET)
        answer = requests.post(self.server.target, data=form, timeout=10)
        body = answer.content
        if self.server.mode == "tamper" and answer.ok:
            tokens = answer.json()
            tokens["id_token"] = flip_signature_bit(tokens["id_token"])
            body = json.dumps(tokens).encode()
        self.send_response(answer.status_code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def flip_signature_bit(token: str) -> str:
    head, body, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return ".".join([head, body, base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")])


@pytest.fixture(scope="module")
def relay(provider: Provider) -> Iterator[TokenRelay]:
    server = TokenRelay(("127.0.0.1", 0), RelayHandler)
    server.target = f"{provider.issuer}/token/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def against_the_provider(provider: Provider, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Our client configured as in production: endpoints, issuer and the provider's JWKS (no key given)."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # everything is on this machine, whatever proxy is set
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = provider.issuer
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider.issuer}/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider.issuer}/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider.issuer}/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider.issuer}/.well-known/jwks.json"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_MATCH_CLAIM = "username"
    assert getattr(settings, "OIDC_RP_IDP_SIGN_KEY", None) is None


class FormFields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name") and found.get("type") != "submit":
            self.fields[found["name"] or ""] = found.get("value") or ""


def form_fields(html: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


def sign_in(client: Client, *, username: str = "somchai.j", client_id: str | None = None) -> Any:
    """The whole authorization-code flow, as a browser goes through it; returns our callback's answer."""
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302
    authorize = start["Location"]
    if client_id is not None:  # the sign-in is sent to the provider under another application's name
        parts = urlsplit(authorize)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        authorize = parts._replace(query=urlencode({**query, "client_id": client_id})).geturl()
    browser = requests.Session()
    login = browser.get(authorize, timeout=10)
    assert login.ok and urlsplit(login.url).path == "/login/", login.text[:500]
    consent = browser.post(
        login.url, data={**form_fields(login.text), "username": username, "password": PASSWORD}, timeout=10
    )
    assert consent.ok and 'name="allow"' in consent.text, consent.text[:500]
    approved = browser.post(
        consent.url,
        data={**form_fields(consent.text), "allow": "Authorize"},
        allow_redirects=False,
        timeout=10,
    )
    assert approved.status_code == 302, approved.text[:500]
    back = urlsplit(approved.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK and "code=" in back.query
    return client.get(back.path, dict(parse_qsl(back.query)))


def signed_in_as(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def assert_refused_for_the_token(client: Client, answer: Any) -> None:
    assert answer.status_code == 302 and answer["Location"] == reverse("accounts:sso-refused")
    assert signed_in_as(client) is None
    assert client.session[REFUSAL_SESSION_KEY]["reason"] == "token"


@pytest.fixture
def somchai(chiang_mai: Province) -> Officer:
    return OfficerFactory(
        user=UserFactory(username="somchai.j"), email="somchai.j@dla.go.th", province=chiang_mai
    )


def test_the_provider_is_real_and_signs_with_rs256(provider: Provider) -> None:
    discovery = requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=5).json()
    assert discovery["issuer"] == provider.issuer
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]
    keys = requests.get(discovery["jwks_uri"], timeout=5).json()["keys"]
    assert [key["kty"] for key in keys] == ["RSA"]


@pytest.mark.parametrize("match", ["username", "email", "citizen_id"])
def test_an_officer_signs_in_through_the_provider(settings: Any, somchai: Officer, match: str) -> None:
    settings.OIDC_MATCH_CLAIM = match
    if match == "citizen_id":  # only the citizen ID can find them: another user name, no e-mail
        somchai.user.username, somchai.email = "cm-officer-7", ""
        somchai.user.save()
        somchai.save()
        OfficerIdentity.objects.create(officer=somchai, citizen_id=CITIZEN_ID)
    client = Client()
    answer = sign_in(client)
    assert answer.status_code == 302 and answer["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert signed_in_as(client) == somchai.user.pk
    assert client.get(reverse(settings.LOGIN_REDIRECT_URL)).status_code == 200


def test_the_relay_by_itself_changes_nothing(settings: Any, somchai: Officer, relay: TokenRelay) -> None:
    settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{relay.server_address[1]}/"
    relay.mode = "pass"
    client = Client()
    sign_in(client)
    assert signed_in_as(client) == somchai.user.pk


def test_a_token_issued_to_another_application_is_refused(
    settings: Any, somchai: Officer, relay: TokenRelay
) -> None:
    """A real code and ID token for "another-service", with our nonce: only the audience is wrong."""
    settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{relay.server_address[1]}/"
    relay.mode = "other-client"
    client = Client()
    assert_refused_for_the_token(client, sign_in(client, client_id=OTHER_ID))


def test_an_expired_token_is_refused(somchai: Officer) -> None:
    """The provider's ID tokens live ID_TOKEN_SECONDS; our clock is past that (and the leeway) at the callback."""
    client = Client()
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=ID_TOKEN_SECONDS + 300)
    with time_machine.travel(later, tick=True):
        answer = sign_in(client)
    assert_refused_for_the_token(client, answer)


def test_a_tampered_signature_is_refused(settings: Any, somchai: Officer, relay: TokenRelay) -> None:
    settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{relay.server_address[1]}/"
    relay.mode = "tamper"
    client = Client()
    assert_refused_for_the_token(client, sign_in(client))


def test_a_person_without_an_account_is_refused_and_sent_to_their_sso_admins(chiang_mai: Province) -> None:
    give_role(
        OfficerFactory(user=UserFactory(username="cm-sso"), province=chiang_mai, phone="053 111 222"),
        Role.SSO_ADMIN,
    )
    client = Client()
    answer = sign_in(client, username="new.person")
    assert answer["Location"] == reverse("accounts:sso-refused") and signed_in_as(client) is None
    assert client.session[REFUSAL_SESSION_KEY] == {"reason": "unknown", "province": "50"}
    assert "053 111 222" in client.get(answer["Location"]).content.decode()
