"""A change made through the API is in the audit log as the API's, with the token's person and the
values before and after; a token's creation and revocation are in the log too."""

from __future__ import annotations

from collections.abc import Callable

from api import services
from api.models import AccessToken
from audit.models import AuditEntry, WayIn
from reporting.models import DistrictReport, ReportingCycle
from tests.api.conftest import Api
from tests.coordination import Org
from tests.reporting.conftest import full_input, report_of


def test_a_submission_through_the_api_is_the_tokens_person_through_the_api(
    org: Org, small_cycle: ReportingCycle, api_as: Callable[..., Api]
) -> None:
    report = report_of(small_cycle, org.district)
    values = dict(full_input(report).raw)

    done = api_as(org.officer).post(
        f"reports/{report.pk}/submit/", {"revision": report.revision, "values": values}
    )

    assert done.status_code == 200, done.content
    entry = AuditEntry.objects.get_for_object(DistrictReport.objects.get(pk=report.pk)).order_by("pk").last()
    assert (entry.way_in, entry.actor) == (WayIn.API, org.officer)
    assert entry.changes_dict["status"] == ["NOT_STARTED", "SUBMITTED"]
    assert entry.remote_addr == "127.0.0.1"


def test_a_tokens_creation_and_revocation_are_in_the_log_without_its_secret(org: Org) -> None:
    new = services.token_create(user=org.officer, name="สารบรรณ", days=30)

    services.token_revoke(token=new.token, by=org.officer)

    entries = list(AuditEntry.objects.get_for_object(AccessToken.objects.get(pk=new.token.pk)).order_by("pk"))
    assert "revoked_at" in entries[-1].changes_dict
    assert entries[-1].actor == org.officer
    assert all("digest" not in e.changes_dict and new.secret not in str(e.changes) for e in entries)
