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
- close or cancel: only tasks still open are touched, under the flow's lock; their pending reminders and
  escalations are cancelled with their deadline."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from deadlines.models import Deadline, ScheduledAction, Urgency
from deadlines.services.deadlines import deadline_close, deadline_reassign, deadline_start, step_moment_record
from notifications.models import Kind
from notifications.services import action_by, notify
from organisation.models import Province, Unit

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
    actor: User | None,
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
    the block (the state moved on) is TaskUnavailable(gone) too, and nothing is written.

    Everything the block notifies (the tasks it opens included) is one action by `actor`
    (notifications.services.action_by): `actor` is not told of it, each other person once per case."""
    if task is None:
        raise TaskUnavailable(gone)
    refuse_outer_transaction()
    wanted = set(statuses)
    at_nodes = set(nodes)
    try:
        with task.activation() as activation, action_by(actor):
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
            kind=Kind.HANDED_OVER,
            context={**context, "handed_to": _display_name(to), "reason": reason},
            now=now,
        )
    return previous


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
