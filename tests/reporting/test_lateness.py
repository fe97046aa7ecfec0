"""Late means after the deadline that applied to the report (issue 11 item 1): a first submission after the
report's effective deadline, the extended one when central staff granted an extension. A report submitted
on time under an extension is not late anywhere (its page, the director's queue, the province and national
figures, the exports); the figures count it, beside late, as submitted within an extension.

The clock: the cycle is due Friday 26 June 2026 16:30; Chiang Mai's first district is extended to 3 July
and submitted on Monday 29 June (after the original deadline, before its own); the neighbour's district
is submitted on time (10 June)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from reporting.exports import provinces_table, reports_table
from reporting.models import DistrictReport, ReportingCycle
from reporting.selectors.progress import progress, province_progress
from reporting.services.reports import report_submit, reports_extend
from tests.reporting.conftest import DUE, full_input, report_of
from tests.reporting.test_monitoring import client_for
from workdays.calendar import BANGKOK

pytestmark = pytest.mark.django_db

ON_TIME = datetime.datetime(2026, 6, 10, 10, 0, tzinfo=BANGKOK)
AFTER_DUE = datetime.datetime(2026, 6, 29, 10, 0, tzinfo=BANGKOK)


def th(msgid: str) -> str:
    with translation.override("th"):
        return gettext(msgid)


@pytest.fixture
def extended(org, small_cycle: ReportingCycle, clock) -> DistrictReport:
    """Chiang Mai's first district, extended to 3 July and submitted on 29 June; the neighbour's on time."""
    clock.move_to(ON_TIME)
    other = report_of(small_cycle, org.other_district)
    report_submit(report=other, data=full_input(other), by=org.neighbour)
    reports_extend(
        reports=DistrictReport.objects.filter(cycle=small_cycle, district=org.district),
        until=datetime.date(2026, 7, 3),
        by=org.central,
        reason="น้ำท่วมสำนักงาน",
    )
    clock.move_to(AFTER_DUE)
    report = report_of(small_cycle, org.district)
    return report_submit(report=report, data=full_input(report), by=org.officer)


def test_a_report_submitted_within_its_extension_is_not_late_but_counted_as_within_an_extension(
    org, small_cycle, extended
):
    report = report_of(small_cycle, org.district)
    assert report.submitted_at == AFTER_DUE > DUE
    assert (report.late, report.within_extension) == (False, True)
    on_time = report_of(small_cycle, org.other_district)
    assert (on_time.late, on_time.within_extension) == (False, False)

    country = progress(small_cycle)
    assert (country.late, country.within_extension) == (0, 1)
    cm = next(p.progress for p in province_progress(small_cycle) if p.province == org.chiang_mai)
    assert (cm.late, cm.within_extension) == (0, 1)


def test_no_page_marks_a_report_submitted_within_its_extension_late(org, small_cycle, extended):
    report = report_of(small_cycle, org.district)
    pages = {
        "report": client_for(org.officer).get(report.get_absolute_url()),
        "queue": client_for(org.director).get(reverse("reporting:queue")),
        "province": client_for(org.director).get(
            reverse("reporting:province", args=[small_cycle.pk, org.chiang_mai.pk])
        ),
        "national": client_for(org.central).get(reverse("reporting:national", args=[small_cycle.pk])),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        body = response.content.decode()
        assert "rflag-late" not in body and "flag-late" not in body, name
        if name != "national":  # its table has a column of late reports (0 here)
            assert th("Submitted late") not in body, name
    assert th("Submitted within the extension") in pages["report"].content.decode()
    assert th("within the extension") in pages["queue"].content.decode()
    assert th("Submitted within the extension") in pages["province"].content.decode()
    # The figures beside late: one report of Chiang Mai and of the country came within an extension.
    with translation.override("th"):
        one = translation.ngettext(
            "%(n_text)s submitted within an extension", "%(n_text)s submitted within an extension", 1
        ) % {"n_text": "1"}
    assert one in pages["province"].content.decode()
    assert one in pages["national"].content.decode()


def test_the_exports_mark_late_only_after_the_reports_own_deadline(org, small_cycle, extended):
    with translation.override("th"):
        table = reports_table(small_cycle, org.chiang_mai)
        header, rows = table.header, list(table.rows)
        by_district = {row[2]: row for row in rows}
        late, within = header.index(gettext("Late")), header.index(gettext("Within an extension"))
        assert by_district[org.district.code][late] == ""
        assert by_district[org.district.code][within] == gettext("Yes")
        assert by_district[org.other_district.code][within] == ""

        table = provinces_table(small_cycle, None)
        header, body = table.header, list(table.rows)
        country = body[-1]
        assert country[0] == gettext("Whole country")
        assert country[header.index(gettext("Submitted late"))] == 0
        assert country[header.index(gettext("Submitted within an extension"))] == 1


def test_a_first_submission_after_the_reports_own_deadline_is_late(org, small_cycle):
    """The one definition, as the demo's closed cycles use it too: late against the report's deadline,
    within an extension when after the cycle's deadline but by the report's own."""
    report = report_of(small_cycle, org.district)
    report.record_first_submission(DUE + datetime.timedelta(minutes=1))
    assert (report.late, report.within_extension) == (True, False)

    extended = report_of(small_cycle, org.other_district)
    extended.due_at = DUE + datetime.timedelta(days=7)
    extended.record_first_submission(DUE + datetime.timedelta(days=1))
    assert (extended.late, extended.within_extension) == (False, True)
    extended.record_first_submission(DUE + datetime.timedelta(days=9))  # only the first submission counts
    assert extended.submitted_at == DUE + datetime.timedelta(days=1)
    assert (extended.late, extended.within_extension) == (False, True)

    on_time = report_of(small_cycle, org.lamphun_district)
    on_time.record_first_submission(DUE)
    assert (on_time.late, on_time.within_extension) == (False, False)


def test_the_migration_recomputes_reports_marked_late_by_the_old_rule(org, small_cycle, extended):
    """Reports stored under the issue-5 rule (late against the cycle's deadline) and their timelines."""
    import importlib

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from deadlines.models import TimelineEntry

    migration = importlib.import_module("reporting.migrations.0003_fair_reporting")
    report = report_of(small_cycle, org.district)
    DistrictReport.objects.filter(pk=report.pk).update(late=True, within_extension=False)
    entry = TimelineEntry.objects.get(
        case_type=ContentType.objects.get_for_model(DistrictReport),
        case_id=report.pk,
        data__event="report_submitted",
    )
    entry.data = {"event": "report_submitted", "late": True}
    entry.save()

    migration.recompute_lateness(apps, None)

    report = report_of(small_cycle, org.district)
    assert (report.late, report.within_extension) == (False, True)
    entry.refresh_from_db()
    assert (entry.data["late"], entry.data["within_extension"]) == (False, True)
    on_time = report_of(small_cycle, org.other_district)
    assert (on_time.late, on_time.within_extension) == (False, False)
