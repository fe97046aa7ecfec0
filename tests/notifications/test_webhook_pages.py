"""The webhook pages: central staff subscribe for the country or a province, a provincial head for their
province only; the secret is shown once; a private address is refused with a message in Thai; rotating,
deleting, and the delivery log."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from notifications import webhooks
from notifications.models import Delivery, Subscription, WebhookEventKind
from organisation.models import Province, Role
from tests.factories import OfficerFactory, UserFactory, give_role


def person(role: Role, province: Province | None = None) -> User:
    user = UserFactory()
    officer = OfficerFactory(user=user, province=province or Province.objects.get(code="50"))
    give_role(officer, role, province=province if role in Role.provincial() else None)
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_new(client: Client, **fields: Any) -> Any:
    data = {"name": "INFO", "url": "http://127.0.0.1:9/hook", "events": ["request.sent", "report.approved"]}
    data.update(fields)
    return client.post(reverse("webhooks:new"), data)


def test_central_staff_subscribe_for_the_country_and_see_the_secret_once(db: None) -> None:
    central = person(Role.CENTRAL_STAFF)
    client = client_for(central)

    created = post_new(client)
    subscription = Subscription.objects.get()
    later = client.get(reverse("webhooks:edit", args=[subscription.pk]))

    assert created.status_code == 200 and subscription.secret in created.content.decode()
    assert created["Cache-Control"] == "no-store"
    assert subscription.province is None and subscription.owner == central
    assert subscription.events == ["report.approved", "request.sent"]
    assert later.status_code == 200 and subscription.secret not in later.content.decode()


def test_a_provincial_head_subscribes_for_their_province_only(
    chiang_mai: Province, lamphun: Province
) -> None:
    head = person(Role.PROVINCIAL_HEAD, chiang_mai)
    client = client_for(head)

    refused = post_new(client, province=str(lamphun.pk))
    accepted = post_new(client, province=str(chiang_mai.pk))

    assert refused.status_code == 200 and "province" in refused.context["form"].errors
    assert accepted.status_code == 200
    assert list(Subscription.objects.values_list("province", flat=True)) == [chiang_mai.pk]


def test_a_private_address_is_refused_with_a_message_in_thai(db: None, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    client = client_for(person(Role.CENTRAL_STAFF))

    response = post_new(client, url="https://192.168.1.10/hook")

    assert response.status_code == 200
    assert "เครือข่ายภายใน" in response.content.decode()
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICER, Role.GROUP_DIRECTOR, Role.SSO_ADMIN])
def test_other_roles_have_no_webhook_pages(chiang_mai: Province, role: Role) -> None:
    client = client_for(person(role, chiang_mai))

    assert client.get(reverse("webhooks:list")).status_code == 403
    assert post_new(client).status_code == 403
    assert not Subscription.objects.exists()


def test_rotating_shows_the_new_secret_and_keeps_the_old_one_signing(db: None) -> None:
    central = person(Role.CENTRAL_STAFF)
    subscription = webhooks.subscription_create(
        owner=central,
        province=None,
        name="INFO",
        url="http://127.0.0.1:9/",
        events=["request.sent"],
        now=_now(),
    )
    old = subscription.secret

    response = client_for(central).post(reverse("webhooks:rotate", args=[subscription.pk]))

    subscription.refresh_from_db()
    assert response.status_code == 200 and subscription.secret in response.content.decode()
    assert subscription.previous_secret == old and subscription.previous_secret_until is not None


def test_editing_switches_a_subscription_back_on_and_deleting_removes_it(db: None) -> None:
    central = person(Role.CENTRAL_STAFF)
    subscription = webhooks.subscription_create(
        owner=central,
        province=None,
        name="INFO",
        url="http://127.0.0.1:9/",
        events=["request.sent"],
        now=_now(),
    )
    Subscription.objects.filter(pk=subscription.pk).update(
        is_active=False, consecutive_failures=10, disabled_reason="HTTP 500"
    )
    client = client_for(central)

    saved = client.post(
        reverse("webhooks:edit", args=[subscription.pk]),
        {"name": "INFO 2", "url": "http://127.0.0.1:9/", "events": ["request.closed"], "is_active": "on"},
    )
    subscription.refresh_from_db()
    assert saved.status_code == 302
    assert (subscription.is_active, subscription.consecutive_failures, subscription.name) == (
        True,
        0,
        "INFO 2",
    )

    deleted = client.post(reverse("webhooks:delete", args=[subscription.pk]))
    assert deleted.status_code == 302 and not Subscription.objects.exists()


def test_the_delivery_log_lists_each_delivery_in_a_constant_number_of_queries(
    db: None, django_assert_max_num_queries: Any
) -> None:
    central = person(Role.CENTRAL_STAFF)
    subscription = webhooks.subscription_create(
        owner=central,
        province=None,
        name="INFO",
        url="http://127.0.0.1:9/",
        events=["request.sent"],
        now=_now(),
    )
    for _ in range(30):
        webhooks.emit(kind=WebhookEventKind.REQUEST_SENT, province=None, data={"id": 1}, now=_now())
    client = client_for(central)
    client.get(reverse("webhooks:log", args=[subscription.pk]))  # warm the caches of the page

    with django_assert_max_num_queries(12):
        response = client.get(reverse("webhooks:log", args=[subscription.pk]))

    assert response.status_code == 200
    assert response.context["page"].paginator.count == Delivery.objects.count() == 30


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()
