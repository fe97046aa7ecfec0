"""What a list does once per row stays cheap (issue 12, goal 4): a choice's label without rebuilding the choices,
a row's URL without walking the resolver each time, and the same text as Django's own calls."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
from django.db import models
from django.test import Client
from django.urls import URLResolver, reverse, set_script_prefix
from django.utils import translation

from cases.models import CoordinationRequest, RequestStatus
from deadlines.models.policy import Urgency
from notifications.models import Kind, Notification
from notifications.services import notify
from organisation.models import District, DistrictAssignment, Officer, Province, Role, RoleAssignment
from organisation.models.people import CivilServiceLevel
from tests.factories import OfficerFactory, give_role
from workdays.calendar import BANGKOK
from workdays.fast import choice_label, row_url

NOW = datetime.datetime(2026, 4, 21, 10, tzinfo=BANGKOK)


# Choice labels --------------------------------------------------------------------------------------------

DISPLAYS: list[tuple[type[models.Model], str, type[models.Choices]]] = [
    (CoordinationRequest, "status", RequestStatus),
    (CoordinationRequest, "urgency", Urgency),
    (Notification, "kind", Kind),
    (Officer, "level", CivilServiceLevel),
    (RoleAssignment, "role", Role),
]


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize(("model", "field", "choices"), DISPLAYS)
def test_a_rows_choice_label_is_what_djangos_display_gives(
    model: type[models.Model], field: str, choices: type[models.Choices], language: str
) -> None:
    django_display = models.Model._get_FIELD_display  # type: ignore[attr-defined]
    with translation.override(language):
        for value in [*choices.values, "NOT_A_CHOICE", ""]:
            row = model(**{field: value})
            ours = getattr(row, f"get_{field}_display")()
            assert ours == django_display(row, model._meta.get_field(field))
            assert isinstance(ours, str)


def test_a_model_with_these_choices_has_the_quick_display() -> None:
    # Django adds its own get_FOO_display unless the class defines one: the quick ones must be the class's own.
    for model, field, _choices in DISPLAYS:
        assert f"get_{field}_display" in model.__dict__, (model, field)


def test_choice_label_gives_the_value_when_it_is_not_a_choice() -> None:
    assert choice_label(Kind, "gone") == "gone"
    assert choice_label(Kind, None) is None


# Row URLs -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewname", "args"),
    [
        ("district-detail", ["5001"]),
        ("province-detail", ["50"]),
        ("notifications:open", [7]),
        ("requests:detail", [123456]),
        ("reporting:province", [3, 41]),
        ("reporting:report", ["12"]),
        ("requests:act", [5, "claim"]),  # not an id: reversed as usual
        ("district-detail", ["เชียงใหม่"]),  # not digits: reversed as usual
    ],
)
def test_a_rows_url_is_what_reverse_gives(viewname: str, args: list[Any]) -> None:
    assert row_url(viewname, *args) == reverse(viewname, args=args)
    assert row_url(viewname, *args) == reverse(viewname, args=args)  # and again, from the split pattern


def test_a_rows_url_keeps_the_script_prefix_of_the_request() -> None:
    try:
        set_script_prefix("/dla/")
        assert row_url("district-detail", "5001") == "/dla/directory/districts/5001/"
    finally:
        set_script_prefix("/")
    assert row_url("district-detail", "5001") == "/directory/districts/5001/"


def test_the_row_url_tag_renders_what_the_url_tag_renders() -> None:
    from django.template import engines

    engine = engines["django"]
    rows = {"rows": [{"pk": n, "code": f"50{n:02d}"} for n in range(1, 4)]}
    ours = engine.from_string(
        "{% for r in rows %}{% row_url 'notifications:open' r.pk %} {% row_url 'district-detail' r.code %} {% endfor %}"
    ).render(rows)
    theirs = engine.from_string(
        "{% for r in rows %}{% url 'notifications:open' r.pk %} {% url 'district-detail' r.code %} {% endfor %}"
    ).render(rows)
    assert ours == theirs


# Pages: the URLs reversed do not grow with the rows -------------------------------------------------------


@pytest.fixture
def reversals(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[], Any]], int]:
    """How many times the URL resolver reverses a pattern while `action` runs."""
    original = URLResolver._reverse_with_prefix
    calls = [0]

    def counting(self: URLResolver, *args: Any, **kwargs: Any) -> str:
        calls[0] += 1
        return cast(str, original(self, *args, **kwargs))

    monkeypatch.setattr(URLResolver, "_reverse_with_prefix", counting)

    def count(action: Callable[[], Any]) -> int:
        action()  # warm: the patterns of the page split once
        calls[0] = 0
        action()
        return calls[0]

    return count


@pytest.fixture
def signed_in(client: Client) -> Iterator[tuple[Client, Any]]:
    user = OfficerFactory().user
    client.force_login(user)
    yield client, user


@pytest.mark.django_db
def test_the_notification_list_reverses_as_many_urls_for_3_or_30_rows(signed_in, reversals) -> None:  # type: ignore[no-untyped-def]
    client, user = signed_in

    def page() -> str:
        response = client.get(reverse("notifications:inbox"))
        assert response.status_code == 200
        return cast(str, response.content.decode())

    for n in range(3):
        notify(recipients=[user], kind=Kind.TASK_ASSIGNED, context={"subject": f"ปส.ชม. {n}/2569"}, now=NOW)
    three = reversals(page)
    for n in range(3, 30):
        notify(recipients=[user], kind=Kind.TASK_ASSIGNED, context={"subject": f"ปส.ชม. {n}/2569"}, now=NOW)
    thirty = reversals(page)

    assert page().count('class="notification ') == 30
    assert three == thirty


@pytest.mark.django_db
def test_a_province_page_reverses_as_many_urls_for_8_or_25_districts(signed_in, reversals) -> None:  # type: ignore[no-untyped-def]
    client, _user = signed_in
    lamphun = reversals(lambda: client.get(reverse("province-detail", args=["51"])))  # 8 districts
    chiang_mai = reversals(lambda: client.get(reverse("province-detail", args=["50"])))  # 25 districts

    assert (
        District.objects.filter(province__code="51").count()
        < District.objects.filter(province__code="50").count()
    )
    assert lamphun == chiang_mai


@pytest.mark.django_db
def test_a_directory_search_reverses_as_many_urls_for_2_or_20_officers(signed_in, reversals) -> None:  # type: ignore[no-untyped-def]
    client, _user = signed_in
    korat = Province.objects.get(code="30")
    districts = list(District.objects.filter(province=korat).order_by("code"))

    def add(numbers: range) -> None:
        for n in numbers:
            officer = cast(
                Officer, OfficerFactory(province=korat, first_name_th="นับแถว", last_name_th=f"ที่{n}")
            )
            give_role(officer, Role.DISTRICT_OFFICER)
            DistrictAssignment.objects.create(
                district=districts[n], officer=officer, start_date=datetime.date(2024, 10, 1)
            )

    def page() -> str:
        return cast(str, client.get(reverse("directory"), {"q": "นับแถว"}).content.decode())

    add(range(2))
    two = reversals(page)
    add(range(2, 20))
    twenty = reversals(page)

    assert page().count('class="officer-row"') == 20
    assert two == twenty
