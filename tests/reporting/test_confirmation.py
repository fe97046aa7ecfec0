"""“The value is correct” is kept with the draft (issue 11 item 3): a value above its indicator's usual
bound, confirmed once, stays confirmed through every later save and the submission; a changed value asks
again. A number above what a field can hold is refused with a message that says the limit."""

from __future__ import annotations

import pytest
from django.test import Client

from reporting.models import CycleIndicator, DistrictReport, ReportingCycle, ReportStatus, ReportValue
from reporting.services.reports import (
    ReportInvalid,
    report_save_draft,
    report_submit,
    report_values,
)
from tests.reporting.conftest import full_input, report_of
from tests.reporting.test_pages import as_user, field_block, form_data, fresh, page, th

pytestmark = pytest.mark.django_db


def bounded(cycle: ReportingCycle) -> CycleIndicator:
    indicator = cycle.indicators.exclude(upper_bound=None).first()
    assert indicator is not None and indicator.upper_bound is not None
    return indicator


def above(indicator: CycleIndicator, by: int = 1) -> int:
    """A value `by` above the indicator's usual bound."""
    assert indicator.upper_bound is not None
    return indicator.upper_bound + by


@pytest.fixture
def report(org, small_cycle) -> DistrictReport:
    return report_of(small_cycle, org.district)


def test_a_confirmation_saved_with_the_draft_holds_for_the_submission(org, report):
    indicator = bounded(report.cycle)
    big = str(above(indicator, 1))
    data = full_input(report, **{indicator.field_name: big})
    data.confirmed = {indicator.field_name}
    saved = report_save_draft(report=report, data=data, by=org.officer)
    assert ReportValue.objects.get(report=report, indicator=indicator).confirmed

    # Saved again, then submitted, without ticking again: the value did not change, it stays confirmed.
    again = report_save_draft(
        report=saved, data=full_input(saved, **{indicator.field_name: big}), by=org.officer
    )
    assert ReportValue.objects.get(report=report, indicator=indicator).confirmed
    submitted = report_submit(
        report=again, data=full_input(again, **{indicator.field_name: big}), by=org.officer
    )
    assert submitted.status == ReportStatus.SUBMITTED
    assert report_values(fresh(report))[indicator.field_name] == above(indicator, 1)


def test_a_changed_value_asks_again(org, report):
    indicator = bounded(report.cycle)
    data = full_input(report, **{indicator.field_name: str(above(indicator, 1))})
    data.confirmed = {indicator.field_name}
    saved = report_save_draft(report=report, data=data, by=org.officer)
    changed = full_input(saved, **{indicator.field_name: str(above(indicator, 2))})
    with pytest.raises(ReportInvalid) as refused:
        report_submit(report=saved, data=changed, by=org.officer)
    assert list(refused.value.errors) == [indicator.field_name]
    assert not ReportValue.objects.get(report=report, indicator=indicator).confirmed  # kept as a draft


def test_the_page_keeps_the_confirmation_after_a_save(client: Client, org, report):
    indicator = bounded(report.cycle)
    name = indicator.field_name
    big = str(above(indicator, 1))
    client = as_user(client, org.officer)
    # The page asks; the officer ticks the box (it carries the value it confirms) and saves a draft.
    response = client.post(report.get_absolute_url(), form_data(report, "draft", **{name: big}))
    assert response.status_code == 302
    block = field_block(page(client.get(report.get_absolute_url())), name)
    assert f'name="confirm_{name}" value="{big}"' in block
    confirmed = form_data(fresh(report), "draft", **{name: big, f"confirm_{name}": big})
    assert client.post(report.get_absolute_url(), confirmed).status_code == 302

    # The page now says it was confirmed and asks nothing; submitting needs no second tick.
    block = field_block(page(client.get(report.get_absolute_url())), name)
    assert 'class="field-warning"' not in block and f'name="confirm_{name}"' not in block
    assert th("You confirmed that this value is correct.") in block
    response = client.post(report.get_absolute_url(), form_data(fresh(report), "submit", **{name: big}))
    assert response.status_code == 302
    assert fresh(report).status == ReportStatus.SUBMITTED


def test_a_box_ticked_for_another_value_confirms_nothing(client: Client, org, report):
    indicator = bounded(report.cycle)
    name = indicator.field_name
    client = as_user(client, org.officer)
    # The box was shown for upper_bound + 1; the officer typed another number before sending.
    data = form_data(
        report,
        "submit",
        **{name: str(above(indicator, 7)), f"confirm_{name}": str(above(indicator, 1))},
    )
    response = client.post(report.get_absolute_url(), data)
    assert response.status_code == 400
    block = field_block(page(response), name)
    assert f"{above(indicator, 7):,}" in block and f'name="confirm_{name}"' in block  # asked again
    assert "checked" not in block.split(f'name="confirm_{name}"')[1][:40]
    assert fresh(report).status == ReportStatus.DRAFT


@pytest.mark.parametrize("field", ["indicator", "letters_received_office"])
def test_a_number_above_the_hard_limit_says_the_limit(org, report, field):
    name = bounded(report.cycle).field_name if field == "indicator" else field
    data = full_input(report, **{name: "3,000,000,000"})
    with pytest.raises(ReportInvalid) as refused:
        report_save_draft(report=report, data=data, by=org.officer)
    assert "1,000,000,000" in refused.value.errors[name]
    assert fresh(report).revision == report.revision  # nothing saved
