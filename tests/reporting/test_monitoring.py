"""Monitoring pages and the progress figures behind them, against hand-made expectations."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string

from reporting.models import DistrictReport, ReportStatus
from reporting.selectors.progress import current_cycle, progress, province_progress
from reporting.services.reports import report_approve, report_save_draft, report_submit
from tests.reporting.conftest import DUE, full_input, report_of

pytestmark = pytest.mark.django_db


def _known_statuses(org, cycle):
    """Chiang Mai (25 districts): one submitted, one draft; Lamphun (8): one approved, one returned."""
    r = report_of(cycle, org.district)
    report_submit(report=r, data=full_input(r, "5"), by=org.officer)
    r = report_of(cycle, org.other_district)
    report_save_draft(report=r, data=full_input(r, "2"), by=org.neighbour)
    r = report_of(cycle, org.lamphun_district)
    report_submit(report=r, data=full_input(r, "7"), by=org.lp_officer)
    report_approve(report=report_of(cycle, org.lamphun_district), by=org.lp_director)
    other_lp = DistrictReport.objects.filter(cycle=cycle, province=org.lamphun).exclude(
        district=org.lamphun_district
    )[0]
    DistrictReport.objects.filter(pk=other_lp.pk).update(status=ReportStatus.RETURNED)


def test_progress_counts_each_status_once(org, small_cycle, clock):
    _known_statuses(org, small_cycle)
    p = progress(small_cycle)
    assert (p.total, p.complete, p.submitted, p.draft, p.returned, p.not_started) == (33, 1, 1, 1, 1, 29)
    assert p.percent_complete == 3.0
    assert (p.overdue, p.late) == (0, 0)
    assert sum(s.count for s in p.segments) == p.total
    cm = progress(small_cycle, province=org.chiang_mai)
    assert (cm.total, cm.complete, cm.submitted, cm.draft, cm.not_started) == (25, 0, 1, 1, 23)
    clock.move_to(DUE + datetime.timedelta(minutes=1))
    p = progress(small_cycle)
    # Overdue: not started, draft and returned past the deadline; the submitted and approved are not.
    assert p.overdue == 31


def test_province_progress_in_one_query(org, small_cycle, django_assert_num_queries):
    _known_statuses(org, small_cycle)
    with django_assert_num_queries(2):
        rows = {row.province.code: row.progress for row in province_progress(small_cycle)}
    assert len(rows) == 76
    assert rows["51"].total == 8 and rows["51"].complete == 1 and rows["51"].returned == 1
    assert rows["50"].submitted == 1 and rows["10" if "10" in rows else "11"].total == 0


def test_current_cycle_prefers_the_open_one(org, small_cycle, new_cycle):
    later = new_cycle(
        label="ไตรมาส 4/2569", opens_on=datetime.date(2026, 9, 1), closes_on=datetime.date(2026, 9, 30)
    )
    assert later.status == "SCHEDULED"
    assert current_cycle() == small_cycle


def test_progress_include_renders_words_and_counts(org, small_cycle):
    _known_statuses(org, small_cycle)
    html = render_to_string("reporting/monitoring/_progress.html", {"progress": progress(small_cycle)})
    # Words and counts beside the colours: the colour is never the only signal.
    for word in ("ยังไม่เริ่ม", "บันทึกร่าง", "ส่งแล้ว รอตรวจ", "ส่งกลับแก้ไข", "เสร็จสมบูรณ์"):
        assert word in html
    assert '<strong class="legend-count">29</strong>' in html
    assert 'role="img"' in html and "3.0%" in html
