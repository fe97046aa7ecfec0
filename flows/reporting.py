"""Workflow 2, the workload reporting cycle, as processes (DESIGN.md "Workflow 2"; issue 5).

The cycle is one process; each district's report is a child process of its own (notes/viewflow.md: one
Join over 878 branches re-reads every branch on each completion; a process per district costs the same
per completion whatever the number of districts):

    cycle:     start ─▶ opening (the spawn job runs it when every district has its report)
                     ─▶ collecting (runs when central staff close the cycle) ─▶ end

    district:  start ─▶ fill (the responsible officer; nobody responsible: the group director)
                     ─▶ review required? ── yes ─▶ review (group director) ─┬─ approve ─▶ complete
                              └─ no ─▶ complete                             └─ return ──▶ fill
               complete: waits for central staff to reopen it (back to fill) or for the cycle to close.

The spawn creates the district processes in bulk (reporting/services/spawn.py): the rows are the ones
`DistrictReportFlow.start.run()` would write, a test compares them. The work is in reporting/services.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Process

from reporting.services import reports as services
from reporting.services.reports import Decision
from reporting.views.tasks import task_redirect


def decided(value: str) -> Any:
    def condition(activation: Any) -> bool:
        return services.decision(activation.process) == value

    condition.__name__ = f"decided_{value}"
    return condition


class DistrictReportFlow(flow.Flow):
    process_title = _("District report")
    process_description = _("One district's workload report in a reporting cycle.")
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.begin).Next(this.fill)
    fill = (
        flow.View(task_redirect)
        .Assign(this.responsible)
        .onCreate(this.fill_opened)
        .Annotation(title=_("Fill in and submit the report"))
        .Next(this.after_fill)
    )
    after_fill = flow.If(this.needs_review).Then(this.review).Else(this.complete)
    review = (
        flow.View(task_redirect)
        .Assign(this.director)
        .onCreate(this.review_opened)
        .Annotation(title=_("Group director's review of the report"))
        .Next(this.after_review)
    )
    after_review = flow.Switch().Case(this.fill, decided(Decision.RETURN)).Default(this.complete)
    complete = flow.Handle(this.completed).Next(this.after_complete)
    after_complete = flow.Switch().Case(this.fill, decided(Decision.REOPEN)).Default(this.end)
    end = flow.End()

    def begin(self, activation: Any, report: Any) -> Process:
        return services.process_begin(process=activation.process, report=report)

    def responsible(self, activation: Any) -> User | None:
        return services.assignee_fill(activation.process)

    def director(self, activation: Any) -> User | None:
        return services.assignee_review(activation.process)

    def needs_review(self, activation: Any) -> bool:
        return services.review_required(activation.process)

    def fill_opened(self, activation: Any) -> None:
        services.fill_opened(task=activation.task)

    def review_opened(self, activation: Any) -> None:
        services.review_opened(task=activation.task)

    def completed(self, activation: Any) -> None:
        """The complete step is left by code: a reopening, or the cycle's close."""


class ReportingCycleFlow(flow.Flow):
    process_title = _("Reporting cycle")
    process_description = _("A workload reporting cycle over the 878 districts outside Bangkok.")
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.begin).Next(this.opening)
    opening = flow.Handle(this.noop).Next(this.collecting)
    collecting = flow.Handle(this.noop).Next(this.end)
    end = flow.End()

    def begin(self, activation: Any, cycle: Any) -> Process:
        activation.process.data = {"cycle": cycle.pk}
        activation.process.artifact = cycle
        return activation.process

    def noop(self, activation: Any) -> None:
        """Run by the spawn job (opening) and by the close (collecting)."""
