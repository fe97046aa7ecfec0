"""The life of a human task, for every workflow (the coordination request, the district report, and the
next one): it opens with a deadline, reminders and an escalation ladder; it is acted on under a lock; it
changes hands when responsibility changes; it closes or is cancelled.

This module sits below the workflow apps: it knows viewflow's tasks, the deadline engine, the timeline and
the notifications, never a particular case. What differs per workflow (which row to lock, what a
notification says, who holds the case) is passed in.

The rules, the same for every flow:
- act: the flow's lock first (viewflow's activation: a row lock on the process), then the case's row,
  then the state is checked, never before. Never inside an outer transaction: the lock's NOWAIT retries
  need their own, and an outer one would hold the case's row while waiting. A lost race (the task was
  completed, taken, cancelled, or someone holds the lock) is TaskUnavailable, worded for the person;
  viewflow's NoTransition and FlowLockFailed never reach a page.
- hand over: by a person with the right (the workflow's own action), or automatically when responsibility
  changes (tasks_follow_responsibility, with each workflow's Responsibility): under the flow's lock, with a
  timeline entry and a notification to both the former and the new holder. A task a person handed to
  someone on purpose stays with them; a task acted on meanwhile is skipped.
- close or cancel: only tasks still open are touched, under the flow's lock; their pending reminders and
  escalations are cancelled with their deadline."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone, translation
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from deadlines.models import Deadline, ScheduledAction, TimelineEntry, Urgency
from deadlines.services.deadlines import deadline_close, deadline_reassign, deadline_start, step_moment_record
from notifications.models import Kind
from notifications.services import notify
from organisation.models import Province, Unit

logger = logging.getLogger(__name__)

OPEN_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)

C = TypeVar("C", bound=models.Model)


class TaskUnavailable(Exception):
    """The task has just been completed, taken or cancelled by someone else, or someone is acting on it
    right now: the message says so in the person's words (shown on the page, never a server error)."""


# Open


def task_open(
    *,
    task: Task,
    case: models.Model,
    step: str,
    urgency: Urgency,
    province: Province | None,
    now: datetime.datetime,
    kind: Kind,
    context: dict[str, Any],
    assignee_is_director: bool = False,
    unit: Unit | None = None,
    due_at: datetime.datetime | None = None,
    recipients: Iterable[User] | None = None,
) -> Deadline:
    """A human task was created (the flow's onCreate): its deadline with reminders and escalations (the
    engine writes it on the case's timeline), and its holder is told (or `recipients`: a pool's members).
    The notification's context gets the deadline's moment."""
    deadline = deadline_start(
        task=task,
        case=case,
        step=step,
        urgency=urgency,
        assignee=task.owner,
        province=province,
        now=now,
        assignee_is_director=assignee_is_director,
        unit=unit,
        due_at=due_at,
    )
    notify(
        recipients=list(recipients) if recipients is not None else [task.owner] if task.owner else [],
        kind=kind,
        context={**context, "due_at": deadline.due_at.isoformat()},
        now=now,
    )
    return deadline


# Act

_outer_allowed: ContextVar[bool] = ContextVar("task_life_outer_allowed", default=False)


@contextmanager
def outer_transaction_allowed() -> Iterator[None]:
    """For a single-user batch that must be all or nothing (the demo seeding): acting inside its
    transaction is allowed. Never for a page or a worker serving people."""
    token = _outer_allowed.set(True)
    try:
        yield
    finally:
        _outer_allowed.reset(token)


def refuse_outer_transaction() -> None:
    """Raise RuntimeError when called inside a transaction (a test's own transaction aside)."""
    if _outer_allowed.get():
        return
    try:
        with transaction.atomic(durable=True):
            pass
    except RuntimeError:
        raise RuntimeError(
            "A task is acted on under the flow's lock, in a transaction of its own: do not call this inside "
            "an outer transaction."
        ) from None


@contextmanager
def task_act(
    *,
    task: Task | None,
    lock_case: Callable[[Process], C],
    busy: str,
    gone: str,
    statuses: Iterable[str] = (STATUS.ASSIGNED,),
    nodes: Iterable[str] = (),
    holder: User | None = None,
) -> Iterator[tuple[Any, C]]:
    """The task's activation and its case, both locked: the flow's lock first, then `lock_case(process)`
    (which selects the case's row for update). Then the task must still be in one of `statuses`, at one of
    `nodes` (when given) and held by `holder` (when given), else TaskUnavailable(gone). Someone holding
    the lock longer than viewflow's retries: TaskUnavailable(busy). A transition viewflow refuses inside
    the block (the state moved on) is TaskUnavailable(gone) too, and nothing is written."""
    if task is None:
        raise TaskUnavailable(gone)
    refuse_outer_transaction()
    wanted = set(statuses)
    at_nodes = set(nodes)
    try:
        with task.activation() as activation:
            activation.process.refresh_from_db()
            case = lock_case(activation.process)
            current = activation.task
            if (
                current.status not in wanted
                or (at_nodes and current.flow_task.name not in at_nodes)
                or (holder is not None and current.owner_id != holder.pk)
            ):
                raise TaskUnavailable(gone)
            yield activation, case
    except FlowLockFailed:
        raise TaskUnavailable(busy) from None
    except TransitionNotAllowed:  # NoTransition among them
        raise TaskUnavailable(gone) from None


def task_complete(activation: Any, *, now: datetime.datetime, data: dict[str, Any]) -> None:
    """Inside `task_act`: the task's deadline is done (its pending reminders and escalations cancelled),
    `data` is written on the process (the decision the gateways read) with the step's moment (the tasks
    it opens start then), and the flow moves on."""
    deadline_close(task=activation.task, now=now)
    step_moment_record(activation.process.data, now).update(data)
    activation.process.save()
    if activation.task.flow_task_type == "HUMAN":
        if activation.task.status == STATUS.ASSIGNED:
            activation.start(None)
    else:  # a Handle the flow waits on (a report's complete step, left by a reopening)
        activation.run(None)
    activation.execute()


# Hand over


def task_hand_over(
    activation: Any,
    *,
    to: User,
    by: User | None,
    now: datetime.datetime,
    context: dict[str, Any],
    reason: str = "",
    on_behalf_of: User | None = None,
) -> User | None:
    """Inside `task_act`: the task goes to `to`. Its deadline and ladder carry over (the reminders still to
    come go to the new holder), the timeline says who handed it from whom to whom, and both are told.
    Returns the former holder."""
    task = activation.task
    previous: User | None = task.owner
    if previous is not None and previous.pk == to.pk:
        return previous
    if task.status == STATUS.NEW:
        activation.assign(to)
    elif task.status == STATUS.ASSIGNED:
        activation.reassign(to)
    else:  # started: viewflow has no transition for it; the holder changes, the state does not
        Task.objects.filter(pk=task.pk).update(owner=to)
        task.owner = to
    deadline_reassign(task=task, assignee=to, by=by, now=now, on_behalf_of=on_behalf_of, reason=reason)
    if previous is not None:
        notify(
            recipients=[previous],
            kind=Kind.TASK_ASSIGNED,
            context={**context, "handed_to": _display_name(to), "reason": reason},
            now=now,
        )
    return previous


# Hand over when responsibility changes


@dataclass(frozen=True)
class Responsibility:
    """How one workflow's open tasks follow who is responsible today (flows/tasks.py lists them):

    - `tasks(provinces, districts)`: its open tasks that follow a role, within the scope (None: everywhere);
    - `holders(tasks, on)`: who holds each by the rules on the day (task id → user), from the same
      definitions the flow's Assign uses; a task left out stays where it is (e.g. nobody is responsible);
    - `lock_case`: as for `task_act`;
    - `handed(case, to, now)`: the workflow's own record of the new holder (inside the lock); returns the
      notification's context;
    - `reason()`: why, written on the timeline and told to both people."""

    tasks: Callable[[Iterable[int] | None, Iterable[int] | None], Iterable[Task]]
    holders: Callable[[list[Task], datetime.date], dict[int, User]]
    lock_case: Callable[[Process], Any]
    handed: Callable[[Any, User, datetime.datetime], dict[str, Any]]
    reason: Callable[[], str]


def tasks_follow_responsibility(
    *,
    rules: Iterable[Responsibility],
    now: datetime.datetime,
    provinces: Iterable[int] | None = None,
    districts: Iterable[int] | None = None,
) -> int:
    """Every open task the rules cover (within the scope) whose holder is not who is responsible today goes to
    them, each under its flow's lock in a transaction of its own (`task_hand_to_responsible`). Left alone: a
    task a person handed to someone on purpose (a reassignment) and a task acted on meanwhile (skipped; the
    next run sees it again). Idempotent: a second run hands nothing. Returns how many were handed over."""
    on = timezone.localdate(now)
    provinces = None if provinces is None else list(provinces)
    districts = None if districts is None else list(districts)
    handed = 0
    for rule in rules:
        tasks = list(rule.tasks(provinces, districts))
        due = rule.holders(tasks, on) if tasks else {}
        moves = [(t, due[t.pk]) for t in tasks if t.pk in due and due[t.pk].pk != t.owner_id]
        chosen = _handed_by_a_person([t for t, _to in moves])
        for task, to in moves:
            if task.pk in chosen:
                continue
            try:
                handed += task_hand_to_responsible(rule=rule, task=task, to=to, now=now)
            except Exception:  # one task's failure must not stop the others: logged, tried again next run
                logger.exception("hand-over of task %s to user %s failed", task.pk, to.pk)
    return handed


def task_hand_to_responsible(*, rule: Responsibility, task: Task, to: User, now: datetime.datetime) -> bool:
    """Hand one open task to `to` under its flow's lock, as the rule says, with a timeline entry and a
    notification to both people. False (nothing written) when the task has moved on since it was read:
    completed, cancelled, or taken by someone else, or when someone holds its lock now."""
    try:
        with task_act(task=task, lock_case=rule.lock_case, busy="", gone="", statuses=OPEN_STATUSES) as (
            activation,
            case,
        ):
            if activation.task.owner_id != task.owner_id:
                return False
            context = rule.handed(case, to, now)
            with translation.override(settings.LANGUAGE_CODE):  # stored: in the service's language
                reason = rule.reason()
            task_hand_over(activation, to=to, by=None, now=now, context=context, reason=reason)
    except TaskUnavailable:
        return False
    return True


def _handed_by_a_person(tasks: list[Task]) -> set[int]:
    """The tasks a person handed to someone on purpose since they opened (a REASSIGNED entry on the case's
    timeline with an actor, for the task's step): they stay with whom that person chose."""
    if not tasks:
        return set()
    deadlines = list(
        Deadline.objects.filter(
            task_type=ContentType.objects.get_for_model(Task),
            task_id__in=[t.pk for t in tasks],
            status=Deadline.Status.OPEN,
        ).values_list("task_id", "case_type_id", "case_id", "step", "started_at")
    )
    if not deadlines:
        return set()
    by_hand: dict[tuple[int, int], list[tuple[str, datetime.datetime]]] = {}
    for case_type_id, case_id, data, at in TimelineEntry.objects.filter(
        kind=TimelineEntry.Kind.REASSIGNED,
        actor__isnull=False,
        case_type_id__in={d[1] for d in deadlines},
        case_id__in={d[2] for d in deadlines},
    ).values_list("case_type_id", "case_id", "data", "at"):
        by_hand.setdefault((case_type_id, case_id), []).append((str(data.get("step", "")), at))
    return {
        task_id
        for task_id, case_type_id, case_id, step, started_at in deadlines
        if any(s == step and at >= started_at for s, at in by_hand.get((case_type_id, case_id), []))
    }


def _display_name(user: User | None) -> str:
    if user is None:
        return ""
    officer = getattr(user, "officer", None)
    return str(officer) if officer else user.get_username()


# Close or cancel


def tasks_cancel(*, process_ids: Iterable[int], now: datetime.datetime) -> list[int]:
    """End the given processes where they stand: under each one's flow lock, only tasks still open are
    cancelled, with their deadlines and pending reminders and escalations; the process is marked done.
    A task completed just before the lock was taken stays done, and whatever it opened is cancelled in
    turn. Runs in the caller's transaction (closing a cycle holds the cycle's row); returns the ids of
    the tasks cancelled.

    On PostgreSQL the flow's lock is the process row's lock (viewflow's select_for_update_lock): the rows
    are locked in one statement, in order, waiting for whoever acts on one of them."""
    ids = sorted(set(process_ids))
    if not ids:
        return []
    with transaction.atomic():
        list(
            Process.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True)
        )
        open_tasks = list(
            Task.objects.filter(process_id__in=ids, status__in=OPEN_STATUSES).values_list("pk", flat=True)
        )
        deadlines = Deadline.objects.filter(
            task_type=ContentType.objects.get_for_model(Task),
            task_id__in=open_tasks,
            status=Deadline.Status.OPEN,
        )
        ScheduledAction.objects.filter(deadline__in=deadlines, status=ScheduledAction.Status.PENDING).update(
            status=ScheduledAction.Status.CANCELLED
        )
        deadlines.update(status=Deadline.Status.CANCELLED, closed_at=now)
        Task.objects.filter(pk__in=open_tasks, status__in=OPEN_STATUSES).update(
            status=STATUS.CANCELED, finished=now
        )
        Process.objects.filter(pk__in=ids).exclude(status__in=[PROCESS.DONE, PROCESS.CANCELED]).update(
            status=PROCESS.DONE, finished=now
        )
    return open_tasks


def task_cancel_open(*, task: Task, now: datetime.datetime) -> None:
    """One open task cancelled with its deadline (inside the flow's lock, e.g. a withdrawal)."""
    deadline_close(task=task, now=now, cancelled=True)
