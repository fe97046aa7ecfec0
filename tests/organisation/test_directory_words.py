"""The directory search as people type it (issue 11 item 11): role words before a place name, the units'
abbreviations and names, exact matches first."""

from __future__ import annotations

import datetime
from typing import cast

import pytest

from organisation.models import District, DistrictAssignment, Officer, Province, Role, Unit
from organisation.selectors.directory import directory_search
from tests.factories import OfficerFactory, give_role

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 4, 10)


def officer(province: Province | None, first: str, **kwargs: object) -> Officer:
    return cast(Officer, OfficerFactory(province=province, first_name_th=first, last_name_th="ใจดี", **kwargs))


@pytest.fixture
def mae_rim_officer(chiang_mai: Province) -> Officer:
    who = officer(chiang_mai, "สมหญิง")
    give_role(who, Role.DISTRICT_OFFICER)
    DistrictAssignment.objects.create(
        district=District.objects.get(province=chiang_mai, name_th="แม่ริม"),
        officer=who,
        start_date=datetime.date(2024, 10, 1),
    )
    return who


@pytest.mark.parametrize(
    "query",
    ["ท้องถิ่นอำเภอแม่ริม", "ท้องถิ่นอำเภอ แม่ริม", "ทอ.แม่ริม", "ท้องถิ่นอำเภออำเภอแม่ริม", "สถอ.แม่ริม"],
)
def test_role_words_typed_before_a_district_are_left_out(mae_rim_officer: Officer, query: str) -> None:
    result = directory_search(query=query, on=ON)

    assert [row.officer for row in result.rows] == [mae_rim_officer]
    assert [d.name_th for d in result.districts] == ["แม่ริม"]


def test_the_holder_of_the_role_named_comes_first(chiang_mai: Province, mae_rim_officer: Officer) -> None:
    head = officer(chiang_mai, "ประยูร")
    give_role(head, Role.PROVINCIAL_HEAD)
    director = officer(chiang_mai, "วิชัย")
    give_role(director, Role.GROUP_DIRECTOR)

    for query, first in (
        ("ท้องถิ่นจังหวัดเชียงใหม่", head),
        ("ผอ.กง.ทอ. เชียงใหม่", director),
        ("ผอ.กง.ทอ.เชียงใหม่", director),
        ("ท้องถิ่นอำเภอ เชียงใหม่", mae_rim_officer),
    ):
        rows = directory_search(query=query, on=ON).rows
        assert rows[0].officer == first, query
        assert len(rows) == 3, query  # nobody is hidden: the others follow


@pytest.mark.parametrize("query", ["กพร", "กพร.", "ศูนย์ประสานงาน", "ศูนย์ประสานงานท้องถิ่นอำเภอ", "ศปท"])
def test_the_coordination_centre_is_found_by_its_name_or_the_group_that_runs_it(query: str) -> None:
    result = directory_search(query=query, on=ON)

    assert result.units, query
    assert result.units[0].kind == Unit.Kind.COORDINATION_CENTRE, query


def test_a_unit_abbreviation_comes_before_a_district_that_merely_contains_it() -> None:
    result = directory_search(query="กพร", on=ON)

    # อำเภอโกรกพระ contains the letters กพร: still listed, after the centre and the group that runs it.
    assert {u.code for u in result.units} >= {"coordination-centre", "admin-development"}
    assert [d.name_th for d in result.districts] == ["โกรกพระ"]


def test_an_exact_district_name_comes_before_districts_that_contain_it(chiang_mai: Province) -> None:
    result = directory_search(query="เมืองเชียงใหม่", on=ON)

    assert result.districts[0].name_th == "เมืองเชียงใหม่"


def test_an_exact_name_comes_first_among_officers(chiang_mai: Province) -> None:
    # Ordered by province today: ลำพูน's บุญมาก would come before เชียงใหม่'s บุญมา.
    lamphun = Province.objects.get(code="51")
    partial = officer(lamphun, "บุญมาก")
    exact = officer(chiang_mai, "บุญมา")

    rows = directory_search(query="บุญมา", on=ON).rows

    assert [row.officer for row in rows] == [exact, partial]


def test_units_are_found_by_abbreviation_without_the_dots() -> None:
    result = directory_search(query="สนคท", on=ON)

    assert [u.code for u in result.units] == ["local-finance"]


def test_role_words_alone_find_nothing_rather_than_every_unit() -> None:
    result = directory_search(query="ท้องถิ่นอำเภอ", on=ON)

    assert result.rows == [] and result.units == [] and result.districts == []


def test_a_renamed_or_closed_unit_is_found_as_it_is_now() -> None:
    """The units are matched from a cached list: saving a unit forgets it, and so does loading the reference
    data again in bulk."""
    assert [u.code for u in directory_search(query="สนคท", on=ON).units] == ["local-finance"]  # cached now
    unit = Unit.objects.get(code="local-finance")
    unit.name_th, unit.abbreviation = "สำนักทดลองเปลี่ยนชื่อ", "สทช."
    unit.save()

    assert directory_search(query="สนคท", on=ON).units == []
    assert [u.code for u in directory_search(query="ทดลองเปลี่ยนชื่อ", on=ON).units] == ["local-finance"]

    unit.is_active = False
    unit.save()
    assert directory_search(query="ทดลองเปลี่ยนชื่อ", on=ON).units == []


def test_units_loaded_in_bulk_are_found_at_once(django_capture_on_commit_callbacks: object) -> None:
    from organisation.services.geography import geography_load

    Unit.objects.filter(code="local-finance").delete()
    assert directory_search(query="สนคท", on=ON).units == []  # the list without it is cached now
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        geography_load()  # creates it again in bulk (no signal): the cached list is forgotten

    assert [u.code for u in directory_search(query="สนคท", on=ON).units] == ["local-finance"]


def test_the_units_are_read_once_per_process_until_the_reference_data_changes() -> None:
    """Held in the process, checked against one stamp in the shared cache: a search reads no unit row and
    unpickles no list; a change stamped by any process (here: a bulk update, then the stamp) is seen at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from organisation.cached import reference_forget

    directory_search(query="สนคท", on=ON)  # builds the held list
    with CaptureQueriesContext(connection) as queries:
        assert [u.code for u in directory_search(query="สนคท", on=ON).units] == ["local-finance"]
    assert not [q for q in queries if '"organisation_unit"' in q["sql"].split("WHERE")[0]]

    Unit.objects.filter(code="local-finance").update(name_th="สำนักทดลองรับรู้การเปลี่ยน")  # no signal
    assert directory_search(query="ทดลองรับรู้", on=ON).units == []  # the held list, until the stamp changes
    reference_forget()  # what a save or a bulk load does, in whichever process
    assert [u.code for u in directory_search(query="ทดลองรับรู้", on=ON).units] == ["local-finance"]
