"""The reporting pages as each role sees them (issue 5): the officer's reporting status and report form, the
group director's review queue and review, central staff's cycle management; scope (404 outside it), form
round trips that lose nothing typed, and no server error on any input. The clock is Monday 8 June 2026;
the cycle is due Friday 26 June 16:30."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext

from organisation.models import District, DistrictAssignment, Role
from reporting.models import DistrictReport, ReportingCycle, ReportStatus
from reporting.services import cycles
from reporting.services.reports import (
    report_approve,
    report_fields,
    report_save_draft,
    report_submit,
    report_values,
)
from reporting.views.tasks import task_redirect
from tests.factories import OfficerFactory, UserFactory, give_role
from tests.reporting.conftest import DUE, full_input, open_for, report_of

# --- helpers -------------------------------------------------------------------------------------------


def th(msgid: str, context: str = "", **params: object) -> str:
    """The Thai the page shows for an English msgid."""
    with translation.override("th"):
        text = pgettext(context, msgid) if context else gettext(msgid)
    return text % params if params else text


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def as_user(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def names(report: DistrictReport) -> list[str]:
    return [name for name, _indicator in report_fields(report.cycle)]


def form_data(report: DistrictReport, action: str = "draft", value: str = "3", **raw: str) -> dict[str, str]:
    data = {name: value for name in names(report)}
    data.update(raw)
    data.update({"revision": str(report.revision), "action": action})
    return data


def fresh(report: DistrictReport) -> DistrictReport:
    return DistrictReport.objects.select_related("cycle", "province", "district").get(pk=report.pk)


def field_block(body: str, name: str) -> str:
    """The markup of one field of the report form or view (its div, up to the next field)."""
    start = body.index(f'id="f-{name}"')
    following = body.find('id="f-', start + 10)
    return body[start : following if following != -1 else len(body)]


def input_value(body: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', body)
    return html.unescape(match.group(1)) if match else None


def hidden_revision(body: str) -> int:
    match = re.search(r'name="revision" value="(\d+)"', body)
    assert match, "the form carries its revision"
    return int(match.group(1))


@pytest.fixture
def sso(org: Any) -> User:
    user = UserFactory(username="t.sso")
    give_role(OfficerFactory(user=user, province=org.chiang_mai), Role.SSO_ADMIN)
    return user


@pytest.fixture
def nobody(org: Any) -> User:
    user = UserFactory(username="t.nobody")
    OfficerFactory(user=user, province=org.chiang_mai)
    return user


@pytest.fixture
def report(org: Any, small_cycle: ReportingCycle) -> DistrictReport:
    return report_of(small_cycle, org.district)


def submitted(org: Any, report: DistrictReport) -> DistrictReport:
    return fresh(report_submit(report=report, data=full_input(report), by=org.officer))


# --- who sees what -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "director", "head", "central", "sso"])
def test_the_report_page_is_open_to_its_officer_the_province_and_the_centre(client, org, report, sso, who):
    user = sso if who == "sso" else getattr(org, who)
    response = as_user(client, user).get(report.get_absolute_url())
    assert response.status_code == 200
    assert report.district.display_name in page(response)


@pytest.mark.parametrize("who", ["neighbour", "lp_director", "lp_head", "lp_officer", "desk", "nobody"])
def test_the_report_page_answers_404_outside_its_scope(client, org, report, nobody, who):
    user = nobody if who == "nobody" else getattr(org, who)
    assert as_user(client, user).get(report.get_absolute_url()).status_code == 404
    data = form_data(report, "submit")
    assert as_user(client, user).post(report.get_absolute_url(), data).status_code == 404
    assert (
        client.post(reverse("reporting:review", args=[report.pk]), {"decision": "approve"}).status_code == 404
    )
    assert client.post(reverse("reporting:reopen", args=[report.pk]), {"reason": "x"}).status_code == 404
    assert fresh(report).status == ReportStatus.NOT_STARTED


def test_an_unknown_report_answers_404(client, org, small_cycle):
    assert as_user(client, org.central).get(reverse("reporting:report", args=[999999])).status_code == 404


def test_the_status_page_lists_only_the_officers_own_reports(client, org, small_cycle):
    body = page(as_user(client, org.officer).get(reverse("reporting:mine")))
    assert org.district.display_name in body
    assert org.other_district.display_name not in body
    assert small_cycle.label in body
    neighbour = page(as_user(client, org.neighbour).get(reverse("reporting:mine")))
    assert org.other_district.display_name in neighbour and org.district.display_name not in neighbour
    lamphun = page(as_user(client, org.lp_officer).get(reverse("reporting:mine")))
    assert org.lamphun_district.display_name in lamphun and org.district.display_name not in lamphun


def test_the_status_page_shows_colour_word_and_due_date(client, org, report):
    report_save_draft(report=report, data=full_input(report, "1"), by=org.officer)
    body = page(as_user(client, org.officer).get(reverse("reporting:mine")))
    row = body[body.index("rrow-yellow") :]
    assert th("Draft", "report status") in row[:2000]
    assert "26 มิ.ย. 2569 16:30" in row[:2000]


def test_a_report_past_its_deadline_is_marked_overdue_until_the_cycle_closes(
    client, org, report, small_cycle, clock
):
    clock.move_to(DUE + datetime.timedelta(hours=2))
    body = page(as_user(client, org.officer).get(reverse("reporting:mine")))
    assert 'class="rflag rflag-overdue"' in body
    assert "เกินกำหนด 1 ฉบับ" in body  # the summary of the open cycle
    report_page = page(client.get(report.get_absolute_url()))
    assert 'class="rflag rflag-overdue"' in report_page
    cycles.cycle_close(cycle=small_cycle, by=org.central)
    closed = page(client.get(reverse("reporting:mine")))
    assert "rflag-overdue" not in closed
    assert th("Cycle closed: read-only") in closed


def test_an_officer_with_two_districts_moves_between_them(client, org, new_cycle):
    third = District.objects.filter(province=org.chiang_mai).order_by("code")[2]
    DistrictAssignment.objects.create(
        district=third, officer=org.officer.officer, start_date=datetime.date(2025, 10, 1)
    )
    cycle = open_for(new_cycle(), [org.chiang_mai])
    first, second = sorted(
        [report_of(cycle, org.district), report_of(cycle, third)], key=lambda r: r.district.name_th
    )
    client = as_user(client, org.officer)
    mine = page(client.get(reverse("reporting:mine")))
    assert first.district.display_name in mine and second.district.display_name in mine
    body = page(client.get(first.get_absolute_url()))
    switch = body[body.index('class="rswitch"') :]
    assert reverse("reporting:report", args=[second.pk]) in switch
    assert 'rel="next"' in switch and 'rel="prev"' not in switch
    back = page(client.get(second.get_absolute_url()))
    assert 'rel="prev"' in back and reverse("reporting:report", args=[first.pk]) in back


def test_the_director_sees_the_reports_nobody_is_responsible_for(client, org, small_cycle):
    unassigned = DistrictReport.objects.filter(cycle=small_cycle, province=org.chiang_mai, unassigned=True)
    assert unassigned.count() == 23
    body = page(as_user(client, org.director).get(reverse("reporting:mine")))
    assert body.count('class="rrow ') == 23
    assert th("Nobody responsible") in body
    # The director fills in such a report: the form is there.
    one = unassigned.select_related("cycle").first()
    assert 'name="revision"' in page(client.get(one.get_absolute_url()))
    other = page(as_user(client, org.lp_director).get(reverse("reporting:mine")))
    assert one.district.display_name not in other


def test_the_status_page_query_count_does_not_grow_with_reports(
    client, org, small_cycle, django_assert_max_num_queries
):
    client = as_user(client, org.director)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reporting:mine"))
    assert response.status_code == 200


# --- the officer's form --------------------------------------------------------------------------------


def test_a_draft_round_trip_keeps_every_value(client, org, report):
    first = names(report)[0]
    data = form_data(report, "draft", "", **{first: "7", "letters_sent_local": "1,200"})
    response = as_user(client, org.officer).post(report.get_absolute_url(), data)
    assert response.status_code == 302
    saved = fresh(report)
    assert saved.status == ReportStatus.DRAFT
    assert report_values(saved)[first] == 7 and saved.letters_sent_local == 1200
    body = page(client.get(report.get_absolute_url()))
    assert input_value(body, first) == "7"
    assert input_value(body, "letters_sent_local") == "1200"
    assert 'inputmode="numeric"' in body
    assert hidden_revision(body) == saved.revision


def test_submitting_with_missing_values_shows_messages_beside_them_and_keeps_the_rest(client, org, report):
    first, second = names(report)[:2]
    data = form_data(report, "submit", "", **{first: "5"})
    response = as_user(client, org.officer).post(report.get_absolute_url(), data)
    assert response.status_code == 400
    body = page(response)
    assert th("Required before submitting: write 0 if there was none.") in field_block(body, second)
    assert th("Required before submitting: write 0 if there was none.") not in field_block(body, first)
    assert input_value(body, first) == "5"
    saved = fresh(report)
    assert saved.status == ReportStatus.DRAFT  # what was typed is kept as a draft
    assert report_values(saved)[first] == 5
    assert hidden_revision(body) == saved.revision  # the next save does not conflict
    again = form_data(saved, "submit")
    assert client.post(report.get_absolute_url(), again).status_code == 302
    assert fresh(report).status == ReportStatus.SUBMITTED


@pytest.mark.parametrize(
    "typed, message",
    [
        ("-3", "A count cannot be negative."),
        ("1.5", "Write a whole number, without decimals."),
        ("abc", "Write a number, for example 12."),
        ("12 เรื่อง", "Write a number, for example 12."),
    ],
)
def test_a_badly_typed_count_is_refused_beside_its_field_and_nothing_is_saved(
    client, org, report, typed, message
):
    first, second = names(report)[:2]
    data = form_data(report, "draft", "2", **{second: typed, first: "๑,๒๐๐"})
    response = as_user(client, org.officer).post(report.get_absolute_url(), data)
    assert response.status_code == 400
    body = page(response)
    assert th(message) in field_block(body, second)
    assert input_value(body, second) == typed
    assert input_value(body, first) == "๑,๒๐๐"  # Thai digits are fine, and kept as typed
    assert 'aria-invalid="true"' in field_block(body, second)
    assert fresh(report).revision == report.revision  # nothing saved
    assert fresh(report).status == ReportStatus.NOT_STARTED


def test_thai_digits_and_thousands_separators_are_read_as_numbers(client, org, report):
    first = names(report)[0]
    data = form_data(report, "draft", "0", **{first: "๑,๒๐๐"})
    assert as_user(client, org.officer).post(report.get_absolute_url(), data).status_code == 302
    assert report_values(fresh(report))[first] == 1200


def test_a_value_above_its_bound_asks_for_a_confirmation(client, org, report):
    indicator = report.cycle.indicators.exclude(upper_bound=None).first()
    name = indicator.field_name
    big = str(indicator.upper_bound + 1)
    client = as_user(client, org.officer)
    response = client.post(report.get_absolute_url(), form_data(report, "submit", **{name: big}))
    assert response.status_code == 400
    block = field_block(page(response), name)
    assert f'name="confirm_{name}"' in block
    assert "checked" not in block.split(f'name="confirm_{name}"')[1][:40]
    assert fresh(report).status == ReportStatus.DRAFT
    confirmed = form_data(fresh(report), "submit", **{name: big, f"confirm_{name}": big})  # as the box sends
    assert client.post(report.get_absolute_url(), confirmed).status_code == 302
    assert fresh(report).status == ReportStatus.SUBMITTED
    assert report_values(fresh(report))[name] == indicator.upper_bound + 1


def test_a_draft_above_the_bound_is_saved_and_the_page_warns_before_submitting(client, org, report):
    indicator = report.cycle.indicators.exclude(upper_bound=None).first()
    name = indicator.field_name
    data = form_data(report, "draft", "", **{name: str(indicator.upper_bound + 5)})
    client = as_user(client, org.officer)
    assert client.post(report.get_absolute_url(), data).status_code == 302
    block = field_block(page(client.get(report.get_absolute_url())), name)
    assert 'class="field-warning"' in block and f'name="confirm_{name}"' in block


def test_two_tabs_the_second_save_is_refused_and_keeps_what_it_typed(client, org, report):
    first = names(report)[0]
    client = as_user(client, org.officer)
    old_page = page(client.get(report.get_absolute_url()))
    old_revision = hidden_revision(old_page)
    # Tab A saves.
    report_save_draft(report=report, data=full_input(report, "4"), by=org.officer)
    # Tab B, opened before, saves what it typed.
    data = form_data(report, "draft", "9")
    data["revision"] = str(old_revision)
    response = client.post(report.get_absolute_url(), data)
    assert response.status_code == 409
    body = page(response)
    assert th("Saved in the other window: %(value)s", value="4") in field_block(body, first)
    assert input_value(body, first) == "9"
    assert report_values(fresh(report))[first] == 4  # nothing overwritten
    # Saving again from the refreshed form goes through.
    data["revision"] = str(hidden_revision(body))
    assert client.post(report.get_absolute_url(), data).status_code == 302
    assert report_values(fresh(report))[first] == 9


def test_a_double_click_on_submit_sends_once_and_says_where_the_report_is(client, org, report):
    client = as_user(client, org.officer)
    data = form_data(report, "submit")
    assert client.post(report.get_absolute_url(), data).status_code == 302
    second = client.post(report.get_absolute_url(), data, follow=True)
    assert second.status_code == 200
    assert th("This report was submitted and waits for the group director's review.") in page(second)
    assert fresh(report).status == ReportStatus.SUBMITTED


def test_submitting_after_the_deadline_keeps_the_values_as_a_draft(client, org, report, clock):
    clock.move_to(DUE + datetime.timedelta(hours=1))
    first = names(report)[0]
    response = as_user(client, org.officer).post(report.get_absolute_url(), form_data(report, "submit", "6"))
    assert response.status_code == 400
    body = page(response)
    assert "26 มิ.ย. 2569" in body and th("Overdue") in body
    assert input_value(body, first) == "6"
    saved = fresh(report)
    assert saved.status == ReportStatus.DRAFT and report_values(saved)[first] == 6
    assert hidden_revision(body) == saved.revision


def test_an_approved_report_cannot_be_edited(client, org, report):
    done = submitted(org, report)
    report_approve(report=done, by=org.director)
    client = as_user(client, org.officer)
    body = page(client.get(report.get_absolute_url()))
    assert 'name="revision"' not in body  # no form, the values read-only
    assert th("Approved", "report status") in body
    response = client.post(report.get_absolute_url(), form_data(fresh(report), "draft", "1"), follow=True)
    assert th(
        "This report is complete and can no longer be edited. The coordination centre can reopen it."
    ) in page(response)
    assert report_values(fresh(report))[names(report)[0]] == 3


def test_an_approved_report_neither_waits_for_a_review_nor_lacks_a_holder(client, org, report):
    report_approve(report=submitted(org, report), by=org.director)
    for user in (org.officer, org.director, org.central):
        body = page(as_user(client, user).get(report.get_absolute_url()))
        assert th("Nobody holds it yet") not in body
        assert "waits for the review" not in body and "รอการพิจารณา" not in body
        assert th("Complete") in body


def test_a_closed_cycle_is_read_only_for_everyone(client, org, report, small_cycle):
    report_save_draft(report=report, data=full_input(report, "2"), by=org.officer)
    cycles.cycle_close(cycle=small_cycle, by=org.central)
    for user in (org.officer, org.director, org.central):
        body = page(as_user(client, user).get(report.get_absolute_url()))
        assert 'name="revision"' not in body and 'name="decision"' not in body and 'name="reason"' not in body
        assert "rstatus-yellow" in body
    response = as_user(client, org.officer).post(
        report.get_absolute_url(), form_data(fresh(report), "submit")
    )
    assert response.status_code == 302
    assert fresh(report).status == ReportStatus.DRAFT


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"action": "submit"},
        {"action": "nonsense", "revision": "abc"},
        {"revision": "99999999999999999999", "action": "submit"},
        {"revision": "-1", "i_1": "x" * 10000},
        {"revision": "0", "letters_sent_local": "9" * 40},
        {"revision": "0", "action": "draft", "letters_sent_local": "\x00"},
        {"revision": ["0", "1"], "action": ["submit", "draft"]},
    ],
)
def test_no_input_gives_a_server_error(client, org, report, data):
    response = as_user(client, org.officer).post(report.get_absolute_url(), data)
    assert response.status_code in (302, 400, 409)


def test_garbage_on_every_reporting_url_gives_no_server_error(client, org, report, small_cycle):
    urls = [
        reverse("reporting:review", args=[report.pk]),
        reverse("reporting:reopen", args=[report.pk]),
        reverse("reporting:cycle_new"),
        reverse("reporting:cycle_open", args=[small_cycle.pk]),
        reverse("reporting:cycle_close", args=[small_cycle.pk]),
        reverse("reporting:extend", args=[small_cycle.pk]),
    ]
    garbage = {
        "decision": "return",
        "task": "x" * 50,
        "general": "x" * 9000,
        "reason": "\x00",
        "until": "99/99/9999",
        "district": "abc",
        "province": "-1",
        "target": "everything",
        "fiscal_year": "๒๕๖๙",
        "period_start": "2569-13-45",
        "closes_on": "",
    }
    for user in (org.director, org.central, org.officer):
        client = as_user(client, user)
        for url in urls:
            assert client.post(url, garbage).status_code < 500, url
            assert client.post(url, {}).status_code < 500, url
        assert client.get(reverse("reporting:extend", args=[small_cycle.pk]) + "?district=x&province=9" * 3)
        assert client.get(reverse("reporting:cycle_progress", args=[small_cycle.pk]) + "?format=xml")


# --- the group director's review ------------------------------------------------------------------------


def test_the_queue_lists_submitted_reports_for_the_director_only(client, org, report):
    submitted(org, report)
    body = page(as_user(client, org.director).get(reverse("reporting:queue")))
    assert report.district.display_name in body
    assert reverse("reporting:report", args=[report.pk]) in body
    assert th("Review") in body
    assert reverse("reporting:province", args=[report.cycle_id, org.chiang_mai.pk]) in body
    assert 'class="progress-summary"' in body  # the province's progress
    lamphun = page(as_user(client, org.lp_director).get(reverse("reporting:queue")))
    assert report.district.display_name not in lamphun
    head = page(as_user(client, org.head).get(reverse("reporting:queue")))
    assert report.district.display_name in head
    for user in (org.officer, org.central, org.desk):
        assert as_user(client, user).get(reverse("reporting:queue")).status_code == 404


def test_the_queue_query_count_is_constant(client, org, small_cycle, django_assert_max_num_queries):
    for r in DistrictReport.objects.filter(cycle=small_cycle, province=org.chiang_mai, unassigned=False):
        report_submit(report=r, data=full_input(r), by=r.assignee)
    client = as_user(client, org.director)
    with django_assert_max_num_queries(15):  # 14, and the coordination centre in the footer
        assert client.get(reverse("reporting:queue")).status_code == 200


def test_the_director_returns_with_comments_shown_beside_the_fields(client, org, report):
    done = submitted(org, report)
    target = names(report)[3]
    client = as_user(client, org.director)
    body = page(client.get(report.get_absolute_url()))
    assert 'name="decision" value="approve"' in body and f'name="comment_{target}"' in body
    response = client.post(
        reverse("reporting:review", args=[report.pk]),
        {
            "decision": "return",
            "general": "ตัวเลขร้องเรียนไม่ตรงกับทะเบียน",
            f"comment_{target}": "ทะเบียนมี 15 เรื่อง",
            "comment_letters_sent_local": "นับหนังสือเวียนด้วย",
        },
    )
    assert response.status_code == 302
    assert fresh(done).status == ReportStatus.RETURNED
    officer_view = page(as_user(client, org.officer).get(report.get_absolute_url()))
    assert "ตัวเลขร้องเรียนไม่ตรงกับทะเบียน" in officer_view
    assert "ทะเบียนมี 15 เรื่อง" in field_block(officer_view, target)
    assert "นับหนังสือเวียนด้วย" in field_block(officer_view, "letters_sent_local")
    assert "ทะเบียนมี 15 เรื่อง" not in field_block(officer_view, names(report)[0])
    assert input_value(officer_view, target) == "3"  # the values are there to correct
    resubmit = client.post(report.get_absolute_url(), form_data(fresh(report), "submit", "4"))
    assert resubmit.status_code == 302
    assert fresh(report).status == ReportStatus.SUBMITTED


def test_a_return_without_a_word_is_refused_and_keeps_the_comments_typed(client, org, report):
    submitted(org, report)
    target = names(report)[1]
    client = as_user(client, org.director)
    response = client.post(
        reverse("reporting:review", args=[report.pk]), {"decision": "return", "general": "  "}
    )
    assert response.status_code == 400
    assert th("Say what the officer should fix.") in page(response)
    long = client.post(
        reverse("reporting:review", args=[report.pk]),
        {"decision": "return", "general": "x" * 2500, f"comment_{target}": "เก็บไว้"},
    )
    assert long.status_code == 400
    assert "เก็บไว้" in field_block(page(long), target)
    assert fresh(report).status == ReportStatus.SUBMITTED


def test_the_director_approves_and_a_second_click_does_no_harm(client, org, report):
    submitted(org, report)
    client = as_user(client, org.director)
    url = reverse("reporting:review", args=[report.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 302
    assert fresh(report).status == ReportStatus.APPROVED and fresh(report).complete
    again = client.post(url, {"decision": "approve"}, follow=True)
    assert again.status_code == 200
    body = page(as_user(client, org.officer).get(reverse("reporting:mine")))
    assert "rrow-green" in body


def test_only_the_director_holding_the_review_sees_the_review_form(client, org, report):
    submitted(org, report)
    for user in (org.head, org.officer, org.central):
        body = page(as_user(client, user).get(report.get_absolute_url()))
        assert 'name="decision"' not in body
    response = as_user(client, org.head).post(
        reverse("reporting:review", args=[report.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    assert fresh(report).status == ReportStatus.SUBMITTED


# --- central staff on a report ---------------------------------------------------------------------------


def test_central_staff_reopen_a_complete_report_with_a_reason(client, org, report):
    report_approve(report=submitted(org, report), by=org.director)
    client = as_user(client, org.central)
    url = reverse("reporting:reopen", args=[report.pk])
    assert 'name="reason"' in page(client.get(report.get_absolute_url()))
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert th("Give the reason for reopening: the officer will read it.") in page(refused)
    assert client.post(url, {"reason": "ตัวเลขหนังสือส่งผิดหลัก"}).status_code == 302
    assert fresh(report).status == ReportStatus.RETURNED
    officer_view = page(as_user(client, org.officer).get(report.get_absolute_url()))
    assert "ตัวเลขหนังสือส่งผิดหลัก" in officer_view
    assert th("Reopened by the coordination centre") in officer_view
    assert 'name="revision"' in officer_view
    for user in (org.director, org.head):
        assert as_user(client, user).post(url, {"reason": "x"}).status_code == 404


def test_central_staff_extend_one_district_from_the_report_page(client, org, report, clock):
    client = as_user(client, org.central)
    assert 'name="until"' in page(client.get(report.get_absolute_url()))
    url = reverse("reporting:extend", args=[report.cycle_id])
    response = client.post(
        url,
        {"target": "district", "district": org.district.pk, "until": "03/07/2569", "reason": "น้ำท่วมอำเภอ"},
    )
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    moved = fresh(report)
    assert moved.due_at.date() == datetime.date(2026, 7, 3)
    assert report_of(report.cycle, org.other_district).due_at == DUE  # the neighbour is not moved
    body = page(as_user(client, org.officer).get(reverse("reporting:mine")))
    assert "3 ก.ค. 2569" in body and th("extended (originally %(date)s)", date="26 มิ.ย. 2569") in body
    # After the original deadline the officer still submits, by the extended one: not late.
    clock.move_to(DUE + datetime.timedelta(days=1))
    client = as_user(client, org.officer)  # a new day, a new session
    response = client.post(report.get_absolute_url(), form_data(moved, "submit"), follow=True)
    assert fresh(report).status == ReportStatus.SUBMITTED and fresh(report).within_extension, re.findall(
        r"message-\w+\"[^>]*>([^<]*)", page(response)
    )


def test_central_staff_extend_a_whole_province(client, org, small_cycle):
    client = as_user(client, org.central)
    url = reverse("reporting:extend", args=[small_cycle.pk])
    assert client.get(url + f"?province={org.lamphun.pk}").status_code == 200
    response = client.post(
        url, {"target": "province", "province": org.lamphun.pk, "until": "10/07/2569", "reason": "ระบบล่ม"}
    )
    assert response.status_code == 302
    lamphun = small_cycle.reports.filter(province=org.lamphun)
    assert {r.due_at.date() for r in lamphun} == {datetime.date(2026, 7, 10)}
    assert {r.due_at for r in small_cycle.reports.filter(province=org.chiang_mai)} == {DUE}


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"until": "32/13/2569", "reason": "x"}, "until", None),
        ({"until": "01/06/2569", "reason": "x"}, "until", "The new deadline must be in the future."),
        ({"until": "03/07/2569", "reason": ""}, "reason", None),
        ({"until": "03/07/2569", "reason": "x", "district": ""}, "district", "Choose the district."),
    ],
)
def test_a_bad_extension_is_refused_with_a_message(client, org, small_cycle, data, field, message):
    body = {"target": "district", "district": org.district.pk, **data}
    response = as_user(client, org.central).post(reverse("reporting:extend", args=[small_cycle.pk]), body)
    assert response.status_code == 400
    text = page(response)
    assert 'class="field-error"' in text
    if message:
        assert th(message) in text
    assert report_of(small_cycle, org.district).due_at == DUE


# --- central staff: cycles -------------------------------------------------------------------------------


CYCLE_PAGES = ["cycles", "cycle_new", "cycle_progress", "cycle_close", "extend"]


@pytest.mark.parametrize("who", ["officer", "director", "head", "lp_director", "desk", "sso"])
def test_cycle_management_is_for_central_staff_only(client, org, small_cycle, sso, who):
    client = as_user(client, sso if who == "sso" else getattr(org, who))
    for name in CYCLE_PAGES:
        args = [] if name in ("cycles", "cycle_new") else [small_cycle.pk]
        assert client.get(reverse(f"reporting:{name}", args=args)).status_code == 404, name
    for name in ("cycle_open", "cycle_close", "extend"):
        assert client.post(reverse(f"reporting:{name}", args=[small_cycle.pk])).status_code == 404
    assert client.post(reverse("reporting:cycle_new"), {"label": "x"}).status_code == 404
    assert ReportingCycle.objects.get(pk=small_cycle.pk).status == ReportingCycle.Status.OPEN


def test_the_cycle_list_shows_status_dates_and_progress(
    client, org, small_cycle, django_assert_max_num_queries
):
    client = as_user(client, org.central)
    with django_assert_max_num_queries(11):  # 10, and the centre in the footer
        body = page(client.get(reverse("reporting:cycles")))
    assert small_cycle.label in body
    assert "8 มิ.ย. 2569" in body and "26 มิ.ย. 2569" in body
    assert (
        f"{small_cycle.districts_spawned} / {small_cycle.districts_total}" in body or "<progress" not in body
    )
    assert reverse("reporting:national", args=[small_cycle.pk]) in body


def test_the_new_cycle_form_defaults_the_fiscal_year_and_shows_the_indicators(client, org, new_cycle):
    cycles.defaults_ensure()
    body = page(as_user(client, org.central).get(reverse("reporting:cycle_new")))
    assert input_value(body, "fiscal_year") == "2569"  # June 2026 is in fiscal year 2569
    assert input_value(body, "opens_on") == "08/06/2569"
    assert "การประชุมหรือให้คำแนะนำการจัดทำแผนพัฒนาท้องถิ่น" in body
    assert re.search(r'<input[^>]*name="review_required"[^>]*checked', body)


def cycle_post(**changes: str) -> dict[str, str]:
    data = {
        "fiscal_year": "2569",
        "label": "ไตรมาส 4/2569",
        "period_start": "01/07/2569",
        "period_end": "30/09/2569",
        "opens_on": "01/07/2569",
        "closes_on": "20/07/2569",
        "review_required": "on",
        "early_close_confirmed": "on",  # due before the quarter ends: staff confirmed it (tests/reporting/test_words.py)
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"period_end": "01/06/2569"}, "period_end", "The period cannot end before it starts."),
        ({"closes_on": "30/06/2569"}, "closes_on", "The closing date cannot be before the opening date."),
        (
            {"opens_on": "01/05/2569", "closes_on": "01/06/2569"},
            "closes_on",
            "The closing date is already past.",
        ),
        (
            {"fiscal_year": "69"},
            "fiscal_year",
            "Write the fiscal year in the Buddhist Era, for example 2569.",
        ),
        ({"label": ""}, "label", None),
        ({"opens_on": "31/02/2569"}, "opens_on", None),
        ({"closes_on": "tomorrow"}, "closes_on", None),
    ],
)
def test_a_cycle_with_bad_dates_is_refused_with_messages(client, org, new_cycle, changes, field, message):
    cycles.defaults_ensure()
    response = as_user(client, org.central).post(reverse("reporting:cycle_new"), cycle_post(**changes))
    assert response.status_code == 400
    body = page(response)
    assert 'class="field-error"' in body
    if message:
        assert th(message) in body
    assert (input_value(body, "label") or "") == cycle_post(**changes)["label"]  # what was typed stays
    assert not ReportingCycle.objects.exists()


def test_a_repeated_label_is_refused(client, org, new_cycle):
    existing = new_cycle()
    response = as_user(client, org.central).post(
        reverse("reporting:cycle_new"), cycle_post(label=existing.label)
    )
    assert response.status_code == 400
    assert th("This fiscal year already has a cycle with this label.") in page(response)


def test_create_open_now_follow_the_progress_and_close(
    client, org, monkeypatch, django_capture_on_commit_callbacks
):
    from reporting import tasks

    cycles.defaults_ensure()
    client = as_user(client, org.central)
    response = client.post(reverse("reporting:cycle_new"), cycle_post(review_required=""))
    assert response.status_code == 302
    cycle = ReportingCycle.objects.get()
    assert response["Location"] == reverse("reporting:cycle_progress", args=[cycle.pk])
    assert cycle.status == ReportingCycle.Status.SCHEDULED and not cycle.review_required
    progress_page = page(client.get(response["Location"]))
    assert reverse("reporting:cycle_open", args=[cycle.pk]) in progress_page

    # Open now: the spawn runs in a worker (here: at once, as the worker would).
    monkeypatch.setattr(tasks.spawn_cycle, "delay", lambda cycle_id: tasks.spawn_cycle(cycle_id))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        opened = client.post(reverse("reporting:cycle_open", args=[cycle.pk]))
    assert opened.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == ReportingCycle.Status.OPENING and cycle.districts_total == 878
    opening = client.get(reverse("reporting:cycle_progress", args=[cycle.pk]) + "?format=json").json()
    assert opening == {
        "status": "OPENING",
        "status_label": opening["status_label"],
        "spawned": 0,
        "total": 878,
        "percent": 0,
        "done": False,
        "national_url": reverse("reporting:national", args=[cycle.pk]),
    }
    opening_page = page(client.get(reverse("reporting:cycle_progress", args=[cycle.pk])))
    assert 'http-equiv="refresh"' in opening_page and "data-poll-url" in opening_page
    for callback in callbacks:
        callback()
    done = client.get(reverse("reporting:cycle_progress", args=[cycle.pk]) + "?format=json").json()
    assert done["status"] == "OPEN" and done["spawned"] == 878 and done["percent"] == 100 and done["done"]
    open_page = page(client.get(reverse("reporting:cycle_progress", args=[cycle.pk])))
    assert reverse("reporting:national", args=[cycle.pk]) in open_page
    assert 'http-equiv="refresh"' not in open_page
    # A second "open now" (double click) changes nothing.
    client.post(reverse("reporting:cycle_open", args=[cycle.pk]))
    assert cycle.reports.count() == 878

    # Close: the confirmation counts the reports not complete.
    confirm = page(client.get(reverse("reporting:cycle_close", args=[cycle.pk])))
    assert "878" in confirm and 'class="progress-summary"' in confirm
    assert client.post(reverse("reporting:cycle_close", args=[cycle.pk])).status_code == 302
    cycle.refresh_from_db()
    assert cycle.is_closed
    assert client.post(reverse("reporting:cycle_close", args=[cycle.pk])).status_code == 302  # again: fine


def test_a_scheduled_cycle_cannot_be_closed(client, org, new_cycle):
    cycle = new_cycle()
    client = as_user(client, org.central)
    assert client.get(reverse("reporting:cycle_close", args=[cycle.pk])).status_code == 200
    response = client.post(reverse("reporting:cycle_close", args=[cycle.pk]), follow=True)
    assert th("Only an open cycle can be closed.") in page(response)
    cycle.refresh_from_db()
    assert cycle.status == ReportingCycle.Status.SCHEDULED


# --- navigation and home -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, target",
    [
        ("officer", "reporting:mine"),
        ("director", "reporting:queue"),
        ("head", "reporting:queue"),
        ("central", "reporting:cycles"),
    ],
)
def test_the_menu_leads_each_role_to_its_reporting_page(client, org, small_cycle, who, target):
    body = page(as_user(client, getattr(org, who)).get(reverse("home")))
    nav = body[body.index('class="site-nav"') :]
    nav = nav[: nav.index("</nav>")]
    assert f'href="{reverse(target)}"' in nav
    assert th("Workload reports") in nav


def test_the_menu_has_no_reporting_entry_for_people_without_a_reporting_role(client, org, sso):
    body = page(as_user(client, sso).get(reverse("home")))
    assert th("Workload reports") not in body


def test_home_sections_per_role(client, org, report):
    report_save_draft(report=report, data=full_input(report, "1"), by=org.officer)
    officer = page(as_user(client, org.officer).get(reverse("home")))
    assert 'id="my-reports-title"' in officer
    assert report.get_absolute_url() in officer and "rstatus-yellow" in officer
    submitted_report = report_submit(report=fresh(report), data=full_input(fresh(report)), by=org.officer)
    director = page(as_user(client, org.director).get(reverse("home")))
    assert "มีรายงานรอตรวจ 1 ฉบับ" in director
    assert 'class="progress-summary"' in director
    central = page(as_user(client, org.central).get(reverse("home")))
    assert 'id="reporting-national-title"' in central
    assert reverse("reporting:national", args=[submitted_report.cycle_id]) in central


def test_home_without_any_cycle_still_answers(client, org):
    for user in (org.officer, org.director, org.central):
        assert as_user(client, user).get(reverse("home")).status_code == 200


def test_the_viewflow_task_link_leads_to_the_report_page(org, report):
    factory_request = RequestFactory().get("/")
    factory_request.user = org.officer
    answer = task_redirect(factory_request, process_pk=report.process_id, task_pk=1)
    assert answer["Location"] == report.get_absolute_url()
    nothing = task_redirect(factory_request, process_pk="x")
    assert nothing["Location"] == reverse("reporting:mine")


def test_a_second_tab_submitting_after_the_first_submitted_gets_409_with_its_values(client, org, report):
    """Issue 10: the second tab's values were lost and it was told "submitted" as if its own went through."""
    client = as_user(client, org.officer)
    first = form_data(report, "submit", value="3")
    second = form_data(report, "submit", value="7")  # opened at the same revision, other values
    assert client.post(report.get_absolute_url(), first).status_code == 302
    response = client.post(report.get_absolute_url(), second)
    assert response.status_code == 409
    page = response.content.decode()
    message = [str(m) for m in response.context["messages"]][-1]
    assert str(org.officer.officer) in message and "ส่งรายงาน" in message  # who did what, and when
    typed = {row.name: row.raw for row in response.context["typed"]}
    assert set(typed.values()) == {"7"} and len(typed) == len(names(report))
    assert 'class="rtyped"' in page
    saved = fresh(report)
    assert saved.status == ReportStatus.SUBMITTED
    assert {v for v in report_values(saved).values()} == {3}  # the first tab's submission stands
