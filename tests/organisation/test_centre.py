"""The coordination centre within reach (issue 11 item 10): its name, its number (source document, Part 2,
question 2) and the group that runs it on every page and on the directory's first page; every central unit and
provincial office with its own contact details, edited by central staff (and a provincial head for their own
province)."""

from __future__ import annotations

import importlib
from typing import Any, cast

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse

from organisation.models import Province, Role, Unit
from tests.factories import OfficerFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db

PHONE = "02 241 9013"


def signed_in(
    client: Client, role: str | None = None, province: Province | None = None, **kwargs: Any
) -> Client:
    user = UserFactory()
    if role is not None:
        give_role(OfficerFactory(user=user, province=province), role, **kwargs)
    client.force_login(cast(Any, user))
    return client


def test_every_page_names_the_centre_its_number_and_the_group_that_runs_it(client: Client) -> None:
    for url in (reverse("login"), reverse("about")):
        html = client.get(url).content.decode()
        assert 'class="footer-centre"' in html, url
        assert "ศูนย์ประสานงานท้องถิ่นอำเภอ" in html and 'href="tel:022419013"' in html, url
        assert "กลุ่มพัฒนาระบบบริหาร (กพร.)" in html, url
    signed_in(client)
    for url in (reverse("home"), reverse("directory"), reverse("notifications:inbox")):
        html = client.get(url).content.decode()
        assert 'class="footer-centre"' in html and PHONE in html and "(กพร.)" in html, url


def test_the_footer_shows_the_centre_as_it_was_last_saved(client: Client) -> None:
    """The centre is held in each process with the reference data: a unit saved shows on the next page."""
    signed_in(client)
    assert PHONE in client.get(reverse("about")).content.decode()
    centre = Unit.objects.get(kind=Unit.Kind.COORDINATION_CENTRE)
    centre.phone = "02 241 9999"
    centre.save()
    html = client.get(reverse("about")).content.decode()
    assert "02 241 9999" in html and PHONE not in html
    centre.parent.abbreviation = "กพร.ใหม่"  # type: ignore[union-attr]
    centre.parent.save()  # type: ignore[union-attr]
    assert "(กพร.ใหม่)" in client.get(reverse("about")).content.decode()


def test_the_directory_opens_with_the_centre_and_the_central_units_with_their_contacts(
    client: Client,
) -> None:
    Unit.objects.filter(code="local-law").update(phone="02 241 9000 ต่อ 2201", email="law@dla.go.th")

    html = signed_in(client).get(reverse("directory")).content.decode()

    assert 'class="card card-centre"' in html
    centre = html[html.index('class="card card-centre"') :]
    assert PHONE in centre[: centre.index("</section>")]
    assert "กลุ่มพัฒนาระบบบริหาร" in centre[: centre.index("</section>")]
    assert 'id="central-title"' in html
    assert "02 241 9000 ต่อ 2201" in html and 'href="mailto:law@dla.go.th"' in html


def test_a_search_for_the_centre_shows_its_card_with_its_number(client: Client) -> None:
    html = signed_in(client).get(reverse("directory"), {"q": "กพร"}).content.decode()

    units = html[html.index('class="units-found"') :]
    assert units.index("ศูนย์ประสานงานท้องถิ่นอำเภอ") < units.index("โกรกพระ")
    assert PHONE in units[: units.index("</div>")]


def test_central_staff_edit_a_bureau_s_contacts_and_the_directory_shows_them(client: Client) -> None:
    signed_in(client, Role.CENTRAL_STAFF, unit=Unit.objects.get(code="coordination-centre"))
    assert client.get(reverse("manage:units")).status_code == 200

    response = client.post(
        reverse("manage:unit-contacts", args=["local-finance"]),
        {"phone": " 02 241 9000 ต่อ 4101 ", "email": "finance@dla.go.th", "address": "ถนนนครราชสีมา เขตดุสิต"},
    )

    assert response.status_code == 302 and response["Location"] == reverse("manage:units")
    unit = Unit.objects.get(code="local-finance")
    assert (unit.phone, unit.email, unit.address) == (
        "02 241 9000 ต่อ 4101",
        "finance@dla.go.th",
        "ถนนนครราชสีมา เขตดุสิต",
    )
    html = client.get(reverse("directory")).content.decode()
    assert "finance@dla.go.th" in html and "ถนนนครราชสีมา เขตดุสิต" in html


def test_a_bad_e_mail_is_refused_on_the_form_and_nothing_is_saved(client: Client) -> None:
    signed_in(client, Role.CENTRAL_STAFF, unit=Unit.objects.get(code="coordination-centre"))

    response = client.post(
        reverse("manage:unit-contacts", args=["coordination-centre"]),
        {"phone": "", "email": "not-an-address"},
    )

    assert response.status_code == 200 and 'class="field-error"' in response.content.decode()
    assert Unit.objects.get(code="coordination-centre").phone == PHONE


def test_a_provincial_head_edits_their_office_and_the_province_page_shows_it(
    client: Client, chiang_mai: Province, lamphun: Province
) -> None:
    signed_in(client, Role.PROVINCIAL_HEAD, province=chiang_mai)
    assert (
        'href="/manage/units/pao-office-50/contacts/"'
        in client.get(reverse("manage:province", args=["50"])).content.decode()
    )

    client.post(
        reverse("manage:unit-contacts", args=["pao-office-50"]), {"phone": "053 112 345", "email": ""}
    )

    html = client.get(reverse("province-detail", args=["50"])).content.decode()
    office = html[html.index('id="office-title"') :]
    assert 'href="tel:053112345"' in office[: office.index("</section>")]
    # Another province's office, and the central units, are not theirs.
    assert client.get(reverse("manage:unit-contacts", args=["pao-office-51"])).status_code == 404
    assert client.get(reverse("manage:unit-contacts", args=["local-finance"])).status_code == 404
    assert client.get(reverse("manage:units")).status_code == 403


def test_a_district_officer_edits_no_unit(client: Client, chiang_mai: Province) -> None:
    signed_in(client, Role.DISTRICT_OFFICER, province=chiang_mai)

    assert client.get(reverse("manage:unit-contacts", args=["pao-office-50"])).status_code == 403
    response = client.post(reverse("manage:unit-contacts", args=["pao-office-50"]), {"phone": "1"})
    assert response.status_code == 403
    assert Unit.objects.get(code="pao-office-50").phone == ""


def test_the_data_migration_gives_the_centre_its_number_and_the_group_that_runs_it() -> None:
    migration = importlib.import_module("organisation.migrations.0003_unit_address_centre_contact")
    Unit.objects.filter(kind=Unit.Kind.COORDINATION_CENTRE).update(phone="", parent=None)
    Unit.objects.filter(code="admin-development").update(phone="")

    migration.centre_contact(django_apps, None)

    centre = Unit.objects.select_related("parent").get(kind=Unit.Kind.COORDINATION_CENTRE)
    assert centre.phone == PHONE and centre.parent is not None and centre.parent.abbreviation == "กพร."
    assert centre.parent.phone == PHONE


def test_the_data_migration_keeps_a_number_central_staff_recorded() -> None:
    migration = importlib.import_module("organisation.migrations.0003_unit_address_centre_contact")
    Unit.objects.filter(kind=Unit.Kind.COORDINATION_CENTRE).update(phone="02 000 0000")

    migration.centre_contact(django_apps, None)

    assert Unit.objects.get(kind=Unit.Kind.COORDINATION_CENTRE).phone == "02 000 0000"
