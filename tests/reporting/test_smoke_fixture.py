from reporting.models import ReportStatus
from reporting.services.reports import report_submit
from tests.reporting.conftest import full_input, report_of


def test_the_small_cycle_opens_chiang_mai_and_lamphun(org, small_cycle):
    assert small_cycle.reports.filter(province=org.chiang_mai).count() == 25
    report = report_of(small_cycle, org.district)
    assert report.assignee == org.officer
    report = report_submit(report=report, data=full_input(report), by=org.officer)
    assert report.status == ReportStatus.SUBMITTED
