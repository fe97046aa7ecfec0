"""Personal access tokens and service accounts: who may call, with which rights."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from api import services
from api.models import AccessToken, ServiceAccount
from tests.api.conftest import Api
from tests.coordination import Org, sent_request


def test_a_token_is_stored_as_its_sha256_digest_only(org: Org) -> None:
    new = services.token_create(user=org.officer, name="INFO portal", days=30)
    row = AccessToken.objects.get(pk=new.token.pk)
    assert row.digest == hashlib.sha256(new.secret.encode()).hexdigest()
    assert new.secret not in {row.name, row.prefix, row.digest}
    assert new.secret.startswith(f"dla_{row.prefix}_")


def test_a_call_with_a_token_acts_as_its_person(org: Org, api_as: Callable[..., Api]) -> None:
    request = sent_request(org)
    response = api_as(org.officer).get("requests/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [request.pk]


def test_no_token_is_refused_with_the_error_shape_in_thai(org: Org) -> None:
    response = Client().get("/api/v1/requests/")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert body["message"] == "ไม่พบข้อมูลการเข้าสู่ระบบ"  # DRF's own Thai


def test_errors_are_english_when_the_caller_asks(org: Org) -> None:
    response = Client().get("/api/v1/requests/", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response.json()["message"] == "Authentication credentials were not provided."


def test_a_wrong_token_is_refused(org: Org, token_of: Callable) -> None:
    secret = token_of(org.officer)
    response = Api(secret[:-2] + "xx").get("requests/")
    assert response.status_code == 401
    assert response.json() == {
        "code": "authentication_failed",
        "message": "โทเคนนี้ไม่ถูกต้อง หมดอายุ หรือถูกเพิกถอนแล้ว",
    }


def test_a_revoked_token_is_refused(org: Org, token_of: Callable) -> None:
    secret = token_of(org.officer)
    assert Api(secret).get("requests/").status_code == 200
    token = AccessToken.objects.get(user=org.officer)
    services.token_revoke(token=token, by=org.officer)
    assert Api(secret).get("requests/").status_code == 401


def test_an_expired_token_is_refused(org: Org, clock: object) -> None:
    new = services.token_create(user=org.officer, name="old", days=1)
    assert Api(new.secret).get("requests/").status_code == 200
    clock.shift(datetime.timedelta(days=1, seconds=1))  # type: ignore[attr-defined]
    assert Api(new.secret).get("requests/").status_code == 401


def test_a_deactivated_persons_token_is_refused(org: Org, token_of: Callable) -> None:
    secret = token_of(org.officer)
    org.officer.is_active = False
    org.officer.save()
    assert Api(secret).get("requests/").status_code == 401


def test_the_last_use_is_recorded(org: Org, token_of: Callable) -> None:
    secret = token_of(org.officer)
    Api(secret).get("provinces/")
    assert AccessToken.objects.get(user=org.officer).last_used_at == timezone.now()


def test_nobody_revokes_another_persons_token(org: Org) -> None:
    new = services.token_create(user=org.officer, name="mine", days=30)
    client = Client()
    client.force_login(org.neighbour, backend="accounts.backends.LocalBackend")
    assert client.post(f"/tokens/{new.token.pk}/revoke/").status_code == 404
    assert AccessToken.objects.get(pk=new.token.pk).revoked_at is None


def test_the_page_shows_a_new_token_once_and_revokes_it(org: Org) -> None:
    client = Client()
    client.force_login(org.officer, backend="accounts.backends.LocalBackend")
    response = client.post("/tokens/", {"name": "สารบรรณ", "days": "30"})
    assert response.status_code == 200
    secret = response.context["new"].secret
    assert secret in response.content.decode()
    expires = AccessToken.objects.get(user=org.officer).expires_at
    be_year = str(timezone.localtime(expires).year + 543)  # Buddhist Era, as on every page
    assert be_year in response.content.decode() and f" {expires.year}<" not in response.content.decode()
    again = client.get("/tokens/")
    assert secret not in again.content.decode()
    assert "สารบรรณ" in again.content.decode()
    assert be_year in again.content.decode()
    token = AccessToken.objects.get(user=org.officer)
    client.post(f"/tokens/{token.pk}/revoke/")
    assert Api(secret).get("requests/").status_code == 401


def test_the_token_page_refuses_a_bad_lifetime(org: Org) -> None:
    client = Client()
    client.force_login(org.officer, backend="accounts.backends.LocalBackend")
    response = client.post("/tokens/", {"name": "x", "days": "9999"})
    assert response.status_code == 400
    assert not AccessToken.objects.exists()


# --- service accounts -------------------------------------------------------------------------------------


def test_only_central_staff_create_service_accounts(org: Org) -> None:
    client = Client()
    client.force_login(org.head, backend="accounts.backends.LocalBackend")
    assert client.get("/tokens/service-accounts/").status_code == 404
    client.force_login(org.central, backend="accounts.backends.LocalBackend")
    response = client.post(
        "/tokens/service-accounts/", {"name": "INFO", "days": "30", "province": str(org.lamphun.pk)}
    )
    assert response.status_code == 200
    account = ServiceAccount.objects.get()
    assert account.province == org.lamphun and not account.may_write


def test_a_service_account_reads_only_its_province(org: Org) -> None:
    cm_request = sent_request(org)
    new = services.service_account_create(
        name="INFO", province=org.lamphun, may_write=False, days=30, by=org.central
    )
    api = Api(new.secret)
    assert api.get(f"requests/{cm_request.pk}/").status_code == 404
    assert api.get("requests/", list="province").json()["results"] == []
    new_cm = services.service_account_create(
        name="INFO CM", province=org.chiang_mai, may_write=False, days=30, by=org.central
    )
    assert Api(new_cm.secret).get(f"requests/{cm_request.pk}/").status_code == 200


def test_a_national_service_account_reads_the_whole_country(org: Org) -> None:
    request = sent_request(org)
    new = services.service_account_create(
        name="DLA Connect", province=None, may_write=False, days=30, by=org.central
    )
    rows = Api(new.secret).get("requests/", list="all").json()["results"]
    assert [row["id"] for row in rows] == [request.pk]


def test_a_read_only_service_account_is_refused_a_write(org: Org) -> None:
    new = services.service_account_create(
        name="INFO", province=None, may_write=False, days=30, by=org.central
    )
    response = Api(new.secret).post("notifications/read/", {})
    assert response.status_code == 403
    assert response.json()["code"] == "read_only"


def test_a_service_account_granted_writes_may_write(org: Org) -> None:
    new = services.service_account_create(name="INFO", province=None, may_write=True, days=30, by=org.central)
    response = Api(new.secret).post("notifications/read/", {})
    assert response.status_code == 200


def test_someone_else_cannot_create_a_service_account(org: Org) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.service_account_create(name="x", province=None, may_write=True, days=30, by=org.head)


def test_calls_beyond_the_rate_limit_are_refused(org: Org, token_of: Callable, settings: object) -> None:
    settings.API_RATE_LIMIT = "3/minute"  # type: ignore[attr-defined]
    api = Api(token_of(org.officer))
    assert [api.get("provinces/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert api.get("provinces/").json()["code"] == "throttled"
    other = Api(token_of(org.neighbour))
    assert other.get("provinces/").status_code == 200  # per token


def test_central_staff_revoke_a_service_accounts_token_and_nobody_else_does(org: Org) -> None:
    new = services.service_account_create(
        name="INFO", province=None, may_write=False, days=30, by=org.central
    )
    client = Client()
    client.force_login(org.head, backend="accounts.backends.LocalBackend")
    assert client.post(f"/tokens/{new.token.pk}/revoke/").status_code == 404
    assert Api(new.secret).get("provinces/").status_code == 200
    client.force_login(org.central, backend="accounts.backends.LocalBackend")
    assert client.post(f"/tokens/{new.token.pk}/revoke/").status_code == 302
    assert Api(new.secret).get("provinces/").status_code == 401
