"""Monitoring pages and the progress figures behind them, against hand-made expectations.

The known world (`known`): the small organisation (Chiang Mai, 25 districts; Lamphun, 8), where the
neighbour also holds a third Chiang Mai district, and one cycle opened for both provinces:

    Chiang Mai  district        officer: every value 5, approved (complete, on time)
                other_district  neighbour: every value 2, draft
                third           neighbour (his second district): not started
                fourth          nobody responsible: the director submits every value 1 (waiting for review)
                21 others       nobody responsible, not started
    Lamphun     lamphun_district  lp_officer: extended to 3 July, submitted on 29 June with every value 7
                                  (after the original deadline, within its extension: not late), approved
                another           returned (set directly)
                6 others          nobody responsible, not started

The clock then stands on Monday 29 June 2026 10:00, after the deadline (Friday 26 June 16:30).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from organisation.models import District, DistrictAssignment, Province, Role
from reporting.models import DistrictReport, Indicator, ReportingCycle, ReportStatus, ReportValue
from reporting.selectors.analysis import analyse
from reporting.selectors.progress import current_cycle, progress, province_progress
from reporting.services.reports import (
    report_approve,
    report_save_draft,
    report_submit,
    reports_extend,
)
from reporting.views import monitoring as monitoring_views
from tests.factories import OfficerFactory, UserFactory, give_role
from tests.reporting.conftest import DUE, full_input, open_for, report_of
from workdays.calendar import BANGKOK
from workdays.thai import thai_key

pytestmark = pytest.mark.django_db

AFTER_DUE = datetime.datetime(2026, 6, 29, 10, 0, tzinfo=BANGKOK)


@dataclass
class Known:
    cycle: ReportingCycle
    third: District
    fourth: District
    returned: District
    indicators: int  # how many the cycle asks


@pytest.fixture
def known(org, new_cycle, clock) -> Known:
    return build_known(org, new_cycle, clock)


def build_known(org, new_cycle, clock) -> Known:
    cm_districts = list(District.objects.filter(province=org.chiang_mai).order_by("code"))
    third, fourth = [d for d in cm_districts if d not in (org.district, org.other_district)][:2]
    DistrictAssignment.objects.create(
        district=third, officer=org.neighbour.officer, start_date=datetime.date(2025, 10, 1)
    )
    cycle = open_for(new_cycle(), [org.chiang_mai, org.lamphun])

    r = report_of(cycle, org.district)
    report_submit(report=r, data=full_input(r, "5"), by=org.officer)
    report_approve(report=report_of(cycle, org.district), by=org.director)
    r = report_of(cycle, org.other_district)
    report_save_draft(report=r, data=full_input(r, "2"), by=org.neighbour)
    r = report_of(cycle, fourth)
    assert r.unassigned and r.assignee == org.director
    report_submit(report=r, data=full_input(r, "1"), by=org.director)

    lp = report_of(cycle, org.lamphun_district)
    reports_extend(
        reports=DistrictReport.objects.filter(pk=lp.pk),
        until=datetime.date(2026, 7, 3),
        by=org.central,
        reason="น้ำท่วม",
    )
    returned = (
        DistrictReport.objects.filter(cycle=cycle, province=org.lamphun)
        .exclude(district=org.lamphun_district)
        .order_by("district__code")
        .first()
    )
    assert returned is not None
    DistrictReport.objects.filter(pk=returned.pk).update(status=ReportStatus.RETURNED)

    clock.move_to(AFTER_DUE)
    lp = report_of(cycle, org.lamphun_district)
    report_submit(report=lp, data=full_input(lp, "7"), by=org.lp_officer)
    report_approve(report=report_of(cycle, org.lamphun_district), by=org.lp_director)
    return Known(cycle, third, fourth, returned.district, cycle.indicators.count())


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="accounts.backends.LocalBackend")
    return client


def figures(p) -> tuple[int, ...]:
    return (
        p.total,
        p.complete,
        p.submitted,
        p.draft,
        p.returned,
        p.not_started,
        p.overdue,
        p.late,
        p.within_extension,
        p.unassigned,
    )


# Progress --------------------------------------------------------------------------------------------


def test_progress_of_the_country_and_of_each_province(org, known):
    # total complete submitted draft returned not_started overdue late within_extension unassigned
    assert figures(progress(known.cycle)) == (33, 2, 1, 1, 1, 28, 30, 0, 1, 29)
    assert figures(progress(known.cycle, province=org.chiang_mai)) == (25, 1, 1, 1, 0, 22, 23, 0, 0, 22)
    assert figures(progress(known.cycle, province=org.lamphun)) == (8, 1, 0, 0, 1, 6, 7, 0, 1, 7)
    assert progress(known.cycle).percent_complete == 6.1  # 2 of 33
    assert progress(known.cycle, province=org.lamphun).percent_complete == 12.5


def test_nothing_is_overdue_before_the_deadline_and_an_extension_is_not_overdue(org, known):
    before = DUE - datetime.timedelta(minutes=1)
    assert progress(known.cycle, now=before).overdue == 0
    # Lamphun's extended report, had it not been submitted, is not overdue until 3 July.
    DistrictReport.objects.filter(cycle=known.cycle, district=org.lamphun_district).update(
        status=ReportStatus.DRAFT, complete=False
    )
    assert progress(known.cycle, province=org.lamphun).overdue == 7
    assert (
        progress(known.cycle, province=org.lamphun, now=AFTER_DUE + datetime.timedelta(days=5)).overdue == 8
    )


def test_nothing_is_overdue_once_the_cycle_is_closed(org, known):
    from reporting.services.cycles import cycle_close

    cycle = cycle_close(cycle=known.cycle, by=org.central)
    assert figures(progress(cycle)) == (33, 2, 1, 1, 1, 28, 0, 0, 1, 29)  # not complete, but not overdue
    assert all(row.progress.overdue == 0 for row in province_progress(cycle))
    response = client_for(org.director).get(reverse("reporting:province", args=[cycle.pk, org.chiang_mai.pk]))
    assert response.context["progress"].overdue == 0
    assert not any(row.overdue for row in response.context["rows"])
    html = client_for(org.central).get(reverse("reporting:national", args=[cycle.pk])).content.decode()
    assert "rank-overdue" not in html and "ปิด" in html


def test_province_progress_in_one_query(org, known, django_assert_num_queries):
    with django_assert_num_queries(2):  # the provinces, the grouped counts
        rows = {row.province.code: row.progress for row in province_progress(known.cycle)}
    assert len(rows) == 76 and "10" not in rows  # Bangkok has no district office
    assert figures(rows["50"]) == figures(progress(known.cycle, province=org.chiang_mai))
    assert figures(rows["51"]) == figures(progress(known.cycle, province=org.lamphun))
    assert figures(rows["52"]) == (0,) * 10


def test_current_cycle_prefers_the_open_one(org, known, new_cycle):
    later = new_cycle(
        label="ไตรมาส 4/2569", opens_on=datetime.date(2026, 9, 1), closes_on=datetime.date(2026, 9, 30)
    )
    assert later.status == ReportingCycle.Status.SCHEDULED
    assert current_cycle() == known.cycle
    ReportingCycle.objects.filter(pk=known.cycle.pk).update(status=ReportingCycle.Status.CLOSED)
    assert current_cycle() == known.cycle  # closed, but the latest with reports
    ReportingCycle.objects.all().delete()
    assert current_cycle() is None


def test_progress_include_says_each_colour_in_words(org, known):
    html = render_to_string("reporting/monitoring/_progress.html", {"progress": progress(known.cycle)})
    for word, count in [
        ("ยังไม่เริ่ม", 28),
        ("บันทึกร่าง", 1),
        ("ส่งแล้ว รอตรวจ", 1),
        ("ส่งกลับแก้ไข", 1),
        ("เสร็จสมบูรณ์", 2),
    ]:
        assert (
            f'<span class="legend-word">{word}</span>\n      <strong class="legend-count">{count}</strong>'
            in html
        )
    assert 'role="img"' in html and "6.1%" in html
    assert "เลยกำหนด 30 รายงาน" in html and "ส่งภายในกำหนดที่ขยาย 1 รายงาน" in html
    assert "ส่งหลังกำหนด" not in html  # submitted within its extension: not late
    assert "ไม่มีผู้รับผิดชอบ 29 อำเภอ" in html


# The national page -----------------------------------------------------------------------------------


def test_national_page_figures(org, known):
    response = client_for(org.central).get(reverse("reporting:national", args=[known.cycle.pk]))
    assert response.status_code == 200
    assert figures(response.context["progress"]) == (33, 2, 1, 1, 1, 28, 30, 0, 1, 29)
    lines = {line.row.province.code: line for line in response.context["rows"]}
    assert len(lines) == 76
    assert [str(figure) for _cls, figure in lines["51"].cells] == [
        "8",
        '<strong>1</strong> <span class="muted">(12.5%)</span>',
        "0",
        "0",
        "1",
        "6",
        "7",
        "0",
        "1",
        "7",
    ]
    html = response.content.decode()
    assert "เปิดรายงานแล้ว <strong>33</strong> จาก 33 อำเภอ" in html
    assert reverse("reporting:province", args=[known.cycle.pk, org.lamphun.pk]) in html
    assert reverse("reporting:analysis", args=[known.cycle.pk]) in html
    assert reverse("reporting:export", args=[known.cycle.pk, "reports", "xlsx"]) in html
    assert "26 มิ.ย. 2569 16:30 น." in html  # the deadline in the Buddhist Era


def test_national_page_sorts_by_progress_name_and_overdue(org, known):
    client = client_for(org.central)
    url = reverse("reporting:national", args=[known.cycle.pk])

    def order(query: str) -> list[str]:
        return [line.row.province.code for line in client.get(url + query).context["rows"]]

    by_progress = order("")
    assert by_progress[:2] == ["51", "50"]  # 12.5 %, then 4.0 %
    assert order("?sort=progress") == by_progress
    assert order("?sort=nonsense") == by_progress
    by_overdue = order("?sort=overdue")
    assert by_overdue[:2] == ["50", "51"]  # 23 overdue, then 7
    names = [line.row.province.name_th for line in client.get(url + "?sort=name").context["rows"]]
    assert names == sorted(names, key=thai_key)
    # Thai order: a leading vowel sorts under its consonant (เชียงใหม่ under ช, before ตาก)
    assert names.index("เชียงใหม่") < names.index("ตาก") < names.index("แพร่")
    html = client.get(url + "?sort=overdue").content.decode()
    assert 'aria-sort="descending"><a href="?sort=overdue">' in html


def _lamphun_line(html: str, cycle: ReportingCycle, lamphun: Province) -> list[str]:
    line = html.split(f'href="{reverse("reporting:province", args=[cycle.pk, lamphun.pk])}">', 2)[2]
    return re.findall(r'<td class="num[^"]*">(.*?)</td>', line.split("</tr>", 1)[0])


def test_national_page_renders_its_tables_once_until_a_figure_changes(org, known, monkeypatch):
    """The page's figures are held rendered under the work's stamp (organisation/cached.py): a second look
    renders nothing again, and a report that changes, even behind every signal, shows at once."""
    client = client_for(org.central)
    url = reverse("reporting:national", args=[known.cycle.pk])
    first = _lamphun_line(client.get(url).content.decode(), known.cycle, org.lamphun)
    assert first[:5] == ["8", '<strong>1</strong> <span class="muted">(12.5%)</span>', "0", "0", "1"]

    made = []
    real_table_rows = monitoring_views.table_rows

    def counted_table_rows(*args):
        made.append(1)
        return real_table_rows(*args)

    monkeypatch.setattr(monitoring_views, "table_rows", counted_table_rows)
    assert _lamphun_line(client.get(url).content.decode(), known.cycle, org.lamphun) == first
    assert made == []  # held: not made again

    report = DistrictReport.objects.filter(
        cycle=known.cycle, province=org.lamphun, status=ReportStatus.NOT_STARTED
    ).first()
    DistrictReport.objects.filter(pk=report.pk).update(status=ReportStatus.RETURNED)  # behind every signal
    after = _lamphun_line(client.get(url).content.decode(), known.cycle, org.lamphun)
    assert after[4:6] == ["2", "5"]  # returned 1 -> 2, not started 6 -> 5
    assert made == [1]


def test_national_page_only_for_central_staff(org, known):
    url = reverse("reporting:national", args=[known.cycle.pk])
    for user in (org.officer, org.director, org.head, org.lp_director, org.desk):
        assert client_for(user).get(url).status_code == 404, user
    assert client_for(org.central).get(reverse("reporting:national", args=[999999])).status_code == 404
    assert Client().get(url).status_code == 302  # to the sign-in page


# The province page -----------------------------------------------------------------------------------


def test_province_page_lists_each_district_with_its_status_and_officer(org, known):
    response = client_for(org.director).get(
        reverse("reporting:province", args=[known.cycle.pk, org.chiang_mai.pk])
    )
    assert response.status_code == 200
    assert figures(response.context["progress"]) == (25, 1, 1, 1, 0, 22, 23, 0, 0, 22)
    rows = {row.report.district_id: row for row in response.context["rows"]}
    assert len(rows) == 25
    done, draft, fourth = rows[org.district.pk], rows[org.other_district.pk], rows[known.fourth.pk]
    assert (done.word, done.colour, done.overdue) == ("อนุมัติแล้ว", "green", False)
    assert (draft.word, draft.colour, draft.overdue) == ("บันทึกร่าง", "yellow", True)
    assert (fourth.word, fourth.colour, fourth.overdue) == ("ส่งแล้ว รอตรวจ", "blue", False)
    assert fourth.report.unassigned and fourth.holder == org.director.officer
    html = response.content.decode()
    assert org.officer.officer.full_name in html
    assert f"{org.director.officer.full_name} ถือรายงานแทน" in html
    assert "8 มิ.ย. 2569" in html  # submitted on, Buddhist Era
    assert reverse("reporting:report", args=[done.report.pk]) in html
    assert reverse("reporting:district", args=[org.district.pk]) in html


def test_province_page_marks_reports_extended_and_submitted_within_the_extension(org, known):
    response = client_for(org.lp_head).get(
        reverse("reporting:province", args=[known.cycle.pk, org.lamphun.pk])
    )
    rows = {row.report.district_id: row for row in response.context["rows"]}
    within = rows[org.lamphun_district.pk]
    assert within.report.within_extension and within.extended and not within.overdue
    assert not within.report.late
    assert rows[known.returned.pk].word == "ส่งกลับแก้ไข" and rows[known.returned.pk].overdue
    html = response.content.decode()
    assert '<span class="rflag rflag-extended">ส่งภายในกำหนดที่ขยาย</span>' in html
    assert "rflag-late" not in html


def test_province_page_scope(org, known):
    cm = reverse("reporting:province", args=[known.cycle.pk, org.chiang_mai.pk])
    lp = reverse("reporting:province", args=[known.cycle.pk, org.lamphun.pk])
    sso = UserFactory(username="t.cm_sso")
    give_role(OfficerFactory(user=sso, province=org.chiang_mai), Role.SSO_ADMIN)
    for user in (org.director, org.head, org.central, sso):
        assert client_for(user).get(cm).status_code == 200, user
    for user in (org.lp_director, org.lp_head, org.officer, org.neighbour, org.desk):
        assert client_for(user).get(cm).status_code == 404, user
    assert client_for(org.director).get(lp).status_code == 404
    missing = reverse("reporting:province", args=[known.cycle.pk, 999999])
    assert client_for(org.central).get(missing).status_code == 404


def test_an_acting_deputy_sees_the_province_page(org, known):
    from organisation.models import ActingDeputy

    ActingDeputy.objects.create(
        province=org.chiang_mai,
        deputy=org.neighbour.officer,
        start_date=datetime.date(2026, 6, 29),
        end_date=datetime.date(2026, 7, 3),
    )
    url = reverse("reporting:province", args=[known.cycle.pk, org.chiang_mai.pk])
    assert client_for(org.neighbour).get(url).status_code == 200


# The district page -----------------------------------------------------------------------------------


def test_district_page_shows_the_reports_over_time(org, known):
    response = client_for(org.officer).get(reverse("reporting:district", args=[org.district.pk]))
    assert response.status_code == 200
    history = response.context["history"]
    assert [row.report.cycle for row in history.rows] == [known.cycle]
    row = history.rows[0]
    per_area = {col.code: value for col, value in zip(history.columns, row.areas, strict=True)}
    asked = {i.area_code: 0 for i in known.cycle.indicators.all()}
    for i in known.cycle.indicators.all():
        asked[i.area_code] += 5
    assert per_area == asked and row.letters == [5, 5, 5, 5]
    assert row.total == 5 * known.indicators and history.recent == [row]
    assert [area.values for area in history.areas] == [[v] for v in per_area.values()]
    assert response.context["responsible"] == org.officer.officer


def test_district_page_scope(org, known):
    url = reverse("reporting:district", args=[org.district.pk])
    for user in (org.officer, org.director, org.head, org.central):
        assert client_for(user).get(url).status_code == 200, user
    for user in (org.neighbour, org.lp_director, org.lp_officer, org.desk):
        assert client_for(user).get(url).status_code == 404, user
    # a draft's figures are no workload yet: a dash
    response = client_for(org.neighbour).get(reverse("reporting:district", args=[org.other_district.pk]))
    assert response.status_code == 200
    assert response.context["history"].rows[0].areas == [None] * len(response.context["history"].columns)


# Analysis --------------------------------------------------------------------------------------------


def test_analysis_sums_complete_reports_only_and_marks_late_ones(org, known):
    a = analyse(known.cycle)
    assert (a.reports, a.complete, a.late, a.within_extension) == (33, 2, 0, 1)
    # Lamphun's report as if recorded late (first submitted after its own deadline): its part is marked.
    DistrictReport.objects.filter(cycle=known.cycle, district=org.lamphun_district).update(
        late=True, within_extension=False
    )
    a = analyse(known.cycle)
    n = known.indicators
    assert (a.reports, a.complete, a.late, a.within_extension) == (33, 2, 1, 0)
    for area in a.areas:
        k = len(area.indicators)
        # Chiang Mai's approved 5 + Lamphun's late approved 7; the draft (2) and the waiting one (1) do not count
        assert (area.figure.total, area.figure.late, area.figure.average) == (12 * k, 7 * k, 6.0 * k)
        for item in area.indicators:
            assert (item.figure.total, item.figure.late, item.figure.average) == (12, 7, 6.0)
    assert (a.workload.total, a.workload.late, a.workload.average) == (12 * n, 7 * n, 6.0 * n)
    assert a.letters.totals == [12, 12, 12, 12] and a.letters.late == [7, 7, 7, 7]
    assert (a.letters.office, a.letters.local) == (24, 24)
    groups = {g.pk: g for g in a.groups}
    assert len(groups) == 76
    cm, lp = groups[org.chiang_mai.pk], groups[org.lamphun.pk]
    assert (cm.reports, cm.complete, cm.late, cm.total, cm.average) == (25, 1, 0, 5 * n, 5.0 * n)
    assert (lp.reports, lp.complete, lp.late, lp.total, lp.letters) == (8, 1, 1, 7 * n, [7, 7, 7, 7])


def test_analysis_per_officer_shows_those_holding_several_districts(org, known):
    a = analyse(known.cycle, province=org.chiang_mai)
    by_officer = {o.officer: o for o in a.officers}
    neighbour = by_officer[org.neighbour.officer]
    assert neighbour.several and neighbour.held == 2 and (neighbour.complete, neighbour.total) == (0, 0)
    officer = by_officer[org.officer.officer]
    assert (officer.held, officer.complete, officer.total, officer.per_district) == (
        1,
        1,
        5 * known.indicators,
        5.0 * known.indicators,
    )
    nobody = by_officer[None]
    assert nobody.held == 22 and nobody.complete == 0  # the director's submitted one is not complete
    assert a.several == [neighbour]
    assert a.officers[0] == neighbour  # several districts first
    assert [g.name for g in a.groups] == sorted((g.name for g in a.groups), key=thai_key)
    assert a.by == "district" and len(a.groups) == 25


def test_analysis_page_for_the_country_and_for_one_province(org, known):
    url = reverse("reporting:analysis", args=[known.cycle.pk])
    response = client_for(org.central).get(url)
    assert response.status_code == 200 and response.context["province"] is None
    html = response.content.decode()
    assert "นับเฉพาะรายงานที่เสร็จสมบูรณ์: <strong>2</strong> จาก 33 รายงาน" in html
    assert "ในจำนวนนี้ส่งล่าช้า" in html
    response = client_for(org.central).get(f"{url}?per=district")
    assert response.context["per_district"] is True
    lp_group = next(g for g in response.context["a"].groups if g.pk == org.lamphun.pk)
    assert lp_group.area_averages == [float(v) for v in lp_group.areas]  # one complete report
    assert next(g for g in response.context["a"].groups if g.complete == 0).area_averages[0] is None
    response = client_for(org.central).get(f"{url}?province={org.lamphun.pk}")
    assert response.context["province"] == org.lamphun and response.context["a"].complete == 1
    # a provincial role sees its own province, whatever it asks for
    response = client_for(org.director).get(url)
    assert response.status_code == 200 and response.context["province"] == org.chiang_mai
    assert client_for(org.director).get(f"{url}?province={org.lamphun.pk}").status_code == 404
    for bad in ("abc", "-1", "99999999999999999999", ""):
        status = client_for(org.central).get(f"{url}?province={bad}").status_code
        assert status == (200 if bad == "" else 404), bad
    assert client_for(org.officer).get(url).status_code == 404


def test_the_frozen_indicator_list_is_shown_not_the_live_one(org, known):
    frozen = known.cycle.indicators.order_by("area_order", "order", "code").first()
    live = Indicator.objects.get(code=frozen.code)
    old_name = live.name_th
    live.name_th = "ชื่อใหม่หลังเปิดรอบ"
    live.unit = "หน่วยใหม่"
    live.save()
    html = client_for(org.central).get(reverse("reporting:analysis", args=[known.cycle.pk])).content.decode()
    assert old_name in html and "ชื่อใหม่หลังเปิดรอบ" not in html
    response = client_for(org.central).get(
        reverse("reporting:export", args=[known.cycle.pk, "analysis", "csv"])
    )
    text = response.content.decode("utf-8-sig")
    assert f"{old_name} ({frozen.unit})" in text and "ชื่อใหม่หลังเปิดรอบ" not in text


# Comparison between cycles ---------------------------------------------------------------------------


def _earlier_cycle(org, new_cycle, value: int) -> ReportingCycle:
    """An earlier closed cycle where Chiang Mai's district reported `value` for each indicator."""
    cycle = new_cycle(
        label="ไตรมาส 2/2569",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        opens_on=datetime.date(2026, 6, 29),
        closes_on=datetime.date(2026, 7, 10),
    )
    cycle = open_for(cycle, [org.chiang_mai])
    ReportingCycle.objects.filter(pk=cycle.pk).update(  # as if it had run in April
        status=ReportingCycle.Status.CLOSED,
        opens_on=datetime.date(2026, 4, 1),
        closes_on=datetime.date(2026, 4, 20),
    )
    report = DistrictReport.objects.get(cycle=cycle, district=org.district)
    DistrictReport.objects.filter(pk=report.pk).update(status=ReportStatus.APPROVED, complete=True)
    ReportValue.objects.bulk_create(
        ReportValue(report=report, indicator=i, value=value) for i in cycle.indicators.all()
    )
    cycle.refresh_from_db()
    return cycle


def test_compare_cycles_per_mission_area_and_completion(org, known, new_cycle):
    earlier = _earlier_cycle(org, new_cycle, 3)
    # Lamphun's report as if recorded late (first submitted after its own deadline).
    DistrictReport.objects.filter(cycle=known.cycle, district=org.lamphun_district).update(
        late=True, within_extension=False
    )
    url = reverse("reporting:compare")
    response = client_for(org.central).get(f"{url}?cycles={known.cycle.pk}&cycles={earlier.pk}")
    assert response.status_code == 200
    c = response.context["c"]
    assert [col.cycle for col in c.columns] == [earlier, known.cycle]  # oldest first
    assert [(col.reports, col.complete, col.late) for col in c.columns] == [(25, 1, 0), (33, 2, 1)]
    for area in c.areas:
        k = sum(1 for i in known.cycle.indicators.all() if i.area_code == area.code)
        assert [f.total for f in area.totals] == [3 * k, 12 * k]
        assert [f.late for f in area.totals] == [0, 7 * k]
    assert c.letters[1] == [12, 12, 12, 12]
    # the cycle switch of the national and province pages
    html = client_for(org.central).get(reverse("reporting:national", args=[known.cycle.pk])).content.decode()
    assert f'<a href="{reverse("reporting:national", args=[earlier.pk])}">ไตรมาส 2/2569</a>' in html
    assert '<span aria-current="page" class="mswitch-current">ไตรมาส 3/2569</span>' in html
    province = reverse("reporting:province", args=[known.cycle.pk, org.chiang_mai.pk])
    html = client_for(org.director).get(province).content.decode()
    assert reverse("reporting:province", args=[earlier.pk, org.chiang_mai.pk]) in html
    # the default: the last cycles with reports; one province for a provincial role
    response = client_for(org.director).get(url)
    assert response.status_code == 200 and response.context["province"] == org.chiang_mai
    assert [col.cycle for col in response.context["c"].columns] == [earlier, known.cycle]
    assert [(col.reports, col.complete) for col in response.context["c"].columns] == [(25, 1), (25, 1)]
    assert client_for(org.director).get(f"{url}?province={org.lamphun.pk}").status_code == 404
    assert client_for(org.officer).get(url).status_code == 404
    assert client_for(org.central).get(f"{url}?cycles=abc&cycles=0").status_code == 200


def test_pages_answer_on_a_cycle_not_yet_opened(org, new_cycle):
    cycle = new_cycle()
    client = client_for(org.central)
    for url in (
        reverse("reporting:national", args=[cycle.pk]),
        reverse("reporting:province", args=[cycle.pk, org.chiang_mai.pk]),
        reverse("reporting:analysis", args=[cycle.pk]),
        reverse("reporting:compare"),
        reverse("reporting:district", args=[org.district.pk]),
    ):
        assert client.get(url).status_code == 200, url
    bangkok = Province.objects.get(code="10")
    assert client.get(reverse("reporting:province", args=[cycle.pk, bangkok.pk])).status_code == 200


def test_in_english_the_pages_name_areas_and_indicators_in_english(org, known):
    frozen = known.cycle.indicators.order_by("area_order", "order", "code").first()
    client = client_for(org.central)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("reporting:analysis", args=[known.cycle.pk])).content.decode()
    assert frozen.name_en in html and frozen.area_name_en in html
    assert "Only complete reports count in the workload figures" in html
    # the exports name the indicators in Thai, as the offices file them
    text = client.get(reverse("reporting:export", args=[known.cycle.pk, "analysis", "csv"])).content.decode(
        "utf-8-sig"
    )
    assert f"{frozen.name_th} ({frozen.unit})" in text


def test_units_and_help_texts_are_english_on_english_pages_and_thai_on_thai_pages(org, known):
    """Issue 11 item 16: the cycle's copy of each indicator carries the English unit and help text."""
    frozen = known.cycle.indicators.get(code="plan-meetings")
    assert (frozen.unit, frozen.unit_en) == ("ครั้ง", "times")
    assert frozen.help_text_en.startswith("Count every meeting")
    client = client_for(org.central)
    url = reverse("reporting:analysis", args=[known.cycle.pk])

    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert f'{frozen.name_en} <span class="muted">(times)</span>' in english
    assert "(ครั้ง)" not in english and "(เรื่อง)" not in english

    client.cookies["django_language"] = "th"
    thai = client.get(url).content.decode()
    assert f'{frozen.name_th} <span class="muted">(ครั้ง)</span>' in thai


def test_the_report_form_in_english_gives_the_english_unit_and_help(org, known):
    from django.utils import translation

    from reporting.forms import report_form

    report = DistrictReport.objects.filter(cycle=known.cycle).first()
    with translation.override("en"):
        row = next(r for r in report_form(report).rows if r.label.startswith("Planning meetings"))
        assert (row.unit, row.help) == (
            "times",
            "Count every meeting attended and every piece of advice given to an LGO.",
        )
    with translation.override("th"):
        row = next(r for r in report_form(report).rows if r.label.startswith("การประชุมหรือให้คำแนะนำ"))
        assert row.unit == "ครั้ง" and row.help.startswith("นับทุกครั้ง")
