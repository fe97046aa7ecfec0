"""Coordination requests through the API: the pages' lists, filters, scope, services and conflicts."""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import CoordinationRequest, RequestStatus
from tests.api.conftest import Api
from tests.coordination import Org, fresh, pdf_bytes, sent_request


def _new(org: Org, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "subject": "ขอหารือการเบิกจ่ายงบประมาณ",
        "details": "รายละเอียดการหารือ",
        "category": org.category.pk,
        "urgency": "NORMAL",
        "district": org.district.pk,
        "target": f"unit:{org.bureau.pk}",
    }
    data.update(changes)
    return data


def test_an_officer_opens_and_sends_a_request_with_an_attachment(
    org: Org, api_as: Callable[..., Api]
) -> None:
    upload = SimpleUploadedFile("หนังสือ.pdf", pdf_bytes(), content_type="application/pdf")
    response = api_as(org.officer).post(
        "requests/", {**_new(org), "send": "true", "attachments": [upload]}, multipart=True
    )
    assert response.status_code == 201, response.content
    body = response.json()
    request = CoordinationRequest.objects.get(pk=body["id"])
    assert request.status == RequestStatus.REVIEW
    assert request.holder == org.director
    assert [a["name"] for a in body["attachments"]] == ["หนังสือ.pdf"]
    assert body["timeline"]


def test_opening_twice_with_the_same_token_makes_one_request(org: Org, api_as: Callable[..., Api]) -> None:
    api = api_as(org.officer)
    data = {**_new(org), "token": "0b6a4b8e-4f0b-4a9a-9d38-2f4a0c1e5b11"}
    first = api.post("requests/", data)
    second = api.post("requests/", data)
    assert first.status_code == second.status_code == 201
    assert CoordinationRequest.objects.count() == 1


def test_a_file_that_is_not_what_it_says_is_refused_with_nothing_saved(
    org: Org, api_as: Callable[..., Api]
) -> None:
    upload = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = api_as(org.officer).post("requests/", {**_new(org), "attachments": [upload]}, multipart=True)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "attachments" in body["fields"]
    assert not CoordinationRequest.objects.exists()


def test_a_missing_field_is_a_field_error_in_thai_and_in_english(
    org: Org, api_as: Callable[..., Api]
) -> None:
    thai = api_as(org.officer).post("requests/", _new(org, subject=""))
    assert thai.status_code == 400
    assert thai.json()["fields"]["subject"] == ["กรุณากรอกข้อมูลช่องนี้"]
    english = api_as(org.officer, "en").post("requests/", _new(org, subject=""))
    assert english.json()["fields"]["subject"] == ["This field is required."]
    assert english.json()["message"].startswith("Some values need your attention")


def test_only_a_district_officer_opens_requests(org: Org, api_as: Callable[..., Api]) -> None:
    assert api_as(org.desk).post("requests/", _new(org)).status_code == 404


def test_the_director_routes_through_the_service(org: Org, api_as: Callable[..., Api]) -> None:
    request = sent_request(org)
    api = api_as(org.director)
    detail = api.get(f"requests/{request.pk}/").json()
    assert set(detail["actions"]) >= {"route", "return", "reject", "answer"}
    response = api.post(
        f"requests/{request.pk}/actions/route/", {"version": detail["version"], "task": detail["task"]}
    )
    assert response.status_code == 200, response.content
    assert fresh(request).status == RequestStatus.AT_TARGET
    assert response.json()["request"]["status"] == RequestStatus.AT_TARGET


def test_an_action_on_a_request_changed_since_answers_409_with_the_current_request(
    org: Org, api_as: Callable[..., Api]
) -> None:
    request = sent_request(org)
    api = api_as(org.director)
    detail = api.get(f"requests/{request.pk}/").json()
    api.post(
        f"requests/{request.pk}/actions/return/", {"version": detail["version"], "reason": "ขอเอกสารเพิ่ม"}
    )
    response = api.post(f"requests/{request.pk}/actions/route/", {"version": detail["version"]})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert body["current"]["status"] == RequestStatus.RETURNED
    assert fresh(request).status == RequestStatus.RETURNED


def test_a_refused_action_says_why_in_the_field(org: Org, api_as: Callable[..., Api]) -> None:
    request = sent_request(org)
    api = api_as(org.director)
    version = api.get(f"requests/{request.pk}/").json()["version"]
    response = api.post(f"requests/{request.pk}/actions/return/", {"version": version, "reason": ""})
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]


def test_an_action_not_offered_to_the_caller_is_refused(org: Org, api_as: Callable[..., Api]) -> None:
    request = sent_request(org)
    response = api_as(org.head).post(f"requests/{request.pk}/actions/route/", {})
    assert response.status_code == 409
    assert fresh(request).status == RequestStatus.REVIEW


def test_another_provinces_request_is_not_found(org: Org, api_as: Callable[..., Api]) -> None:
    request = sent_request(org)
    api = api_as(org.lp_director)
    assert api.get(f"requests/{request.pk}/").status_code == 404
    assert api.post(f"requests/{request.pk}/actions/route/", {}).status_code == 404
    assert api.get("requests/", list="province").json()["results"] == []


def test_a_filter_for_a_province_outside_the_scope_is_refused(org: Org, api_as: Callable[..., Api]) -> None:
    sent_request(org)
    api = api_as(org.director)
    response = api.get("requests/", list="province", district=org.lamphun_district.pk)
    assert response.status_code == 400
    assert "district" in response.json()["fields"]
    own = api.get("requests/", list="province", district=org.district.pk).json()["results"]
    assert len(own) == 1


def test_the_pages_filters_apply(org: Org, api_as: Callable[..., Api]) -> None:
    sent_request(org, urgency="URGENT")
    sent_request(org)
    rows = api_as(org.central).get("requests/", list="all", urgency="URGENT").json()["results"]
    assert [r["urgency"] for r in rows] == ["URGENT"]


def test_the_list_costs_the_same_queries_at_any_page_size(org: Org, api_as: Callable[..., Api]) -> None:
    for _ in range(12):
        sent_request(org)
    api = api_as(org.central)
    api.get("requests/", list="all", page_size=1)  # the token's last use is written once
    counts = []
    for size in (2, 10):
        with CaptureQueriesContext(connection) as queries:
            response = api.get("requests/", list="all", page_size=size)
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_cursor_walks_every_row_once(org: Org, api_as: Callable[..., Api]) -> None:
    made = {sent_request(org).pk for _ in range(5)}
    api = api_as(org.central)
    seen: list[int] = []
    response = api.get("requests/", list="all", page_size=2).json()
    while True:
        seen += [row["id"] for row in response["results"]]
        if not response["next"]:
            break
        response = api.client.get(response["next"], headers=api.headers).json()
    assert sorted(seen) == sorted(made)
