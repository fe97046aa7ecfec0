"""Reporting through the API: cycles, progress by province and district, a report's values, a draft, a
submission, a conflict (409 with the report as it is now); each within the caller's scope."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from reporting.models import DistrictReport, ReportingCycle, ReportStatus
from tests.api.conftest import Api
from tests.coordination import Org
from tests.reporting.conftest import full_input, report_of


@pytest.fixture
def report(org: Org, small_cycle: ReportingCycle) -> DistrictReport:
    return report_of(small_cycle, org.district)


def _values(report: DistrictReport, value: str = "3") -> dict[str, str]:
    return dict(full_input(report, value).raw)


def test_the_officer_reads_their_report_with_its_fields(
    org: Org, report: DistrictReport, api_as: Callable[..., Api]
) -> None:
    body = api_as(org.officer).get(f"reports/{report.pk}/").json()
    assert body["may_edit"] is True
    assert {f["name"] for f in body["fields"]} == set(_values(report))
    mine = api_as(org.officer).get("reports/").json()["results"]
    assert [r["id"] for r in mine] == [report.pk]


def test_a_draft_then_a_submission_go_through_the_services(
    org: Org, report: DistrictReport, api_as: Callable[..., Api]
) -> None:
    api = api_as(org.officer)
    draft = api.post(
        f"reports/{report.pk}/draft/",
        {"revision": report.revision, "values": {"letters_in_district_office": "12"}},
    )
    assert draft.status_code == 200, draft.content
    revision = draft.json()["report"]["revision"]
    assert DistrictReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    done = api.post(f"reports/{report.pk}/submit/", {"revision": revision, "values": _values(report)})
    assert done.status_code == 200, done.content
    assert DistrictReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_a_submission_with_missing_values_is_refused_beside_each_field(
    org: Org, report: DistrictReport, api_as: Callable[..., Api]
) -> None:
    response = api_as(org.officer).post(
        f"reports/{report.pk}/submit/", {"revision": report.revision, "values": {}}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == set(_values(report))


def test_a_badly_typed_value_is_refused_in_english_when_asked(
    org: Org, report: DistrictReport, api_as: Callable[..., Api]
) -> None:
    name = next(iter(_values(report)))
    response = api_as(org.officer, "en").post(
        f"reports/{report.pk}/draft/", {"revision": report.revision, "values": {name: "สิบ"}}
    )
    assert response.status_code == 400
    assert response.json()["fields"][name] == ["Write a number, for example 12."]
    assert DistrictReport.objects.get(pk=report.pk).revision == report.revision


def test_a_save_from_an_older_revision_answers_409_with_the_current_report(
    org: Org, report: DistrictReport, api_as: Callable[..., Api]
) -> None:
    api = api_as(org.officer)
    name = next(iter(_values(report)))
    api.post(f"reports/{report.pk}/draft/", {"revision": report.revision, "values": {name: "5"}})
    stale = api.post(f"reports/{report.pk}/draft/", {"revision": report.revision, "values": {name: "7"}})
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "conflict"
    assert body["current"]["revision"] == report.revision + 1
    assert next(f for f in body["current"]["fields"] if f["name"] == name)["value"] == 5


def test_someone_else_cannot_fill_the_report(
    org: Org, report: DistrictReport, api_as: Callable[..., Api]
) -> None:
    response = api_as(org.director).post(
        f"reports/{report.pk}/draft/", {"revision": report.revision, "values": {}}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "not_possible"


def test_another_provinces_report_is_not_found(
    org: Org, small_cycle: ReportingCycle, api_as: Callable[..., Api]
) -> None:
    lamphun = report_of(small_cycle, org.lamphun_district)
    api = api_as(org.director)
    assert api.get(f"reports/{lamphun.pk}/").status_code == 404
    assert api.post(f"reports/{lamphun.pk}/draft/", {"revision": 0}).status_code == 404
    assert api.get(f"cycles/{small_cycle.pk}/provinces/{org.lamphun.pk}/").status_code == 404


def test_progress_shows_the_provinces_the_caller_watches(
    org: Org, small_cycle: ReportingCycle, api_as: Callable[..., Api]
) -> None:
    head = api_as(org.head).get(f"cycles/{small_cycle.pk}/progress/").json()
    assert [row["province"]["code"] for row in head] == [org.chiang_mai.code]
    national = api_as(org.central).get(f"cycles/{small_cycle.pk}/progress/").json()
    assert len(national) == 76
    assert api_as(org.officer).get(f"cycles/{small_cycle.pk}/progress/").status_code == 404


def test_a_provinces_districts_with_their_reports(
    org: Org, small_cycle: ReportingCycle, api_as: Callable[..., Api]
) -> None:
    body = api_as(org.director).get(f"cycles/{small_cycle.pk}/provinces/{org.chiang_mai.pk}/").json()
    assert body["progress"]["total"] == len(body["districts"]) > 1
    assert org.district.code in {row["district"] for row in body["districts"]}


def test_the_cycles_list(org: Org, small_cycle: ReportingCycle, api_as: Callable[..., Api]) -> None:
    rows = api_as(org.officer).get("cycles/").json()["results"]
    assert [row["id"] for row in rows] == [small_cycle.pk]
