"""Workflow 1, the coordination request, as a process (DESIGN.md "Workflow 1"; issue 4).

    sent ─▶ review (group director of the requester's province, or the acting deputy)
              ├─ route ─────▶ handle (target province's director, or a central unit's pool: claim)
              │                 ├─ clarify ─▶ requester replies ─▶ back to the handler
              │                 ├─ hand on ─▶ a district officer of the target province answers ─┐
              │                 └─ answer ──────────────────────────────────────────────────────┤
              ├─ answer directly ───────────────────────────────────────────────────────────────┤
              ├─ return ─▶ requester edits and resends ─▶ review                                 │
              └─ reject ─▶ end                                                                   ▼
                                  acceptance (requester): accept ─▶ end; reopen once ─▶ handle
                                  nobody acts for the policy's working days ─▶ closes itself

Every human task gets its deadline when it opens (task_opened), and closes it when done. A withdrawal
cancels the process (services.request_withdraw). What the nodes call is in cases/services/process.py; the
actions that drive the flow are in cases/services/requests/.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Process

from cases.services import process as services
from cases.services.process import Decision
from cases.views.tasks import task_redirect


def decided(value: str) -> Any:
    """A gateway's condition: the last human step decided `value`."""

    def condition(activation: Any) -> bool:
        return services.decision(activation.process) == value

    condition.__name__ = f"decided_{value}"
    return condition


class CoordinationFlow(flow.Flow):
    process_title = _("Coordination request")
    process_description = _("A district officer's request, routed by the group director and answered.")
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.begin).Next(this.review)

    review = (
        flow.View(task_redirect)
        .Assign(this.group_director)
        .onCreate(this.task_opened)
        .Annotation(title=_("Group director's review"))
        .Next(this.after_review)
    )
    after_review = (
        flow.Switch()
        .Case(this.handle, decided(Decision.ROUTE))
        .Case(this.revise, decided(Decision.RETURN))
        .Case(this.acceptance, decided(Decision.ANSWER))
        .Default(this.end)  # rejected
    )
    revise = (
        flow.View(task_redirect)
        .Assign(this.requester)
        .onCreate(this.task_opened)
        .Annotation(title=_("Requester edits and resends"))
        .Next(this.review)
    )

    handle = (
        flow.View(task_redirect)
        .Assign(this.handler)
        .onCreate(this.task_opened)
        .Annotation(title=_("Answer at the target"))
        .Next(this.after_handle)
    )
    after_handle = (
        flow.Switch()
        .Case(this.clarify, decided(Decision.CLARIFY))
        .Case(this.district_answer, decided(Decision.HAND_ON))
        .Default(this.acceptance)  # answered
    )
    clarify = (
        flow.View(task_redirect)
        .Assign(this.requester)
        .onCreate(this.task_opened)
        .Annotation(title=_("Requester clarifies"))
        .Next(this.handle)
    )
    district_answer = (
        flow.View(task_redirect)
        .Assign(this.district_officer)
        .onCreate(this.task_opened)
        .Annotation(title=_("District officer answers"))
        .Next(this.acceptance)
    )

    acceptance = (
        flow.View(task_redirect)
        .Assign(this.requester)
        .onCreate(this.task_opened)
        .OnTimeout(this.closes_at, this.auto_close)
        .Annotation(title=_("Requester accepts or reopens"))
        .Next(this.after_acceptance)
    )
    after_acceptance = flow.Switch().Case(this.handle, decided(Decision.REOPEN)).Default(this.end)
    auto_close = flow.Function(this.close_automatically).Next(this.end)

    end = flow.End()

    # Wiring to the services

    def begin(self, activation: Any, request: Any) -> Process:
        return services.process_begin(process=activation.process, request=request)

    def group_director(self, activation: Any) -> User | None:
        return services.assignee_review(activation.process)

    def requester(self, activation: Any) -> User | None:
        return services.assignee_requester(activation.process)

    def handler(self, activation: Any) -> User | None:
        return services.assignee_handler(activation.process)

    def district_officer(self, activation: Any) -> User | None:
        return services.assignee_district_officer(activation.process)

    def task_opened(self, activation: Any) -> None:
        services.task_opened(task=activation.task)

    def closes_at(self, activation: Any) -> Any:
        return services.acceptance_closes_at(activation.process)

    def close_automatically(self, activation: Any) -> None:
        services.request_auto_close(process=activation.process)
