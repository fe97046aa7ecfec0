"""The deadline engine shared by both workflows: a deadline when a human task is created, reminders before
it, an escalation ladder after it, all from the policy version the task started with."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, models, transaction
from django.utils import timezone

from deadlines.models import (
    Deadline,
    DeadlinePolicy,
    DeadlineRule,
    EscalationStep,
    EscalationTarget,
    ScheduledAction,
    TimelineEntry,
    Urgency,
)
from deadlines.services.timeline import timeline_add, timeline_entry
from notifications import webhooks
from notifications.models import Kind, WebhookEventKind
from notifications.services import Event, case_context, notify, notify_many
from organisation.models import Province, Role, RoleAssignment, Unit
from organisation.models.people import person_name
from organisation.selectors.roles import acting_group_director, desk_members, role_holder
from workdays.calendar import WorkingCalendar, working_calendar

logger = logging.getLogger(__name__)

# The defaults of the escalation ladder: (level, working days after the deadline, who, may reassign).
DEFAULT_LADDER = [
    (1, 0, EscalationTarget.ASSIGNEE_AND_DIRECTOR, False),
    (2, 1, EscalationTarget.PROVINCIAL_HEAD, True),
    (3, 2, EscalationTarget.COORDINATION_CENTRE, True),
]
DEFAULT_REMINDERS = [1, 0]


# The moment of the step that moved a process on, kept in its data by the service that took the step: the
# tasks that step opens (viewflow's onCreate callbacks, which get no arguments of ours) start their
# deadline then. A service's `now` reaches them this way, with no clock of its own. Every service that
# moves a flow on records it (the act of the coordination request and of the report, the start of a
# request, the reopening of a report): a task opened without it would start at the previous step's moment.
STEP_MOMENT = "acted_at"


def step_moment_record(data: dict[str, Any], now: datetime.datetime) -> dict[str, Any]:
    """`data` (a process's) with the moment of the step being taken."""
    data[STEP_MOMENT] = now.isoformat()
    return data


def step_moment(data: dict[str, Any]) -> datetime.datetime:
    """When the step that opened the process's new task was taken (the clock when no service said)."""
    value = data.get(STEP_MOMENT)
    return datetime.datetime.fromisoformat(value) if value else timezone.now()


def active_policy() -> DeadlinePolicy:
    policy = DeadlinePolicy.objects.filter(is_active=True).first()
    if policy is None:
        raise ImproperlyConfigured("No active deadline policy: run the migrations.")
    return policy


def default_policy_ensure() -> DeadlinePolicy:
    """The active policy, or version 1 as the migration makes it (after a test's flush emptied the table)."""
    return DeadlinePolicy.objects.filter(is_active=True).first() or DeadlinePolicy.objects.create(
        version=1, name="นโยบายกำหนดเวลาเริ่มต้น", is_active=True
    )


def policy_define_step(
    *,
    policy: DeadlinePolicy,
    step: str,
    working_days: dict[str, int],
    reminders: list[int] | None = None,
    ladder: list[tuple[int, int, str, bool]] | None = None,
) -> list[DeadlineRule]:
    """Add (or update) a step's rules for every urgency; used by the flows' data migrations and tests."""
    rules = []
    for urgency in Urgency:
        rule, _ = DeadlineRule.objects.update_or_create(
            policy=policy,
            step=step,
            urgency=urgency,
            defaults={
                "working_days": working_days[urgency],
                "reminders": DEFAULT_REMINDERS if reminders is None else reminders,
            },
        )
        rule.escalations.all().delete()
        EscalationStep.objects.bulk_create(
            EscalationStep(
                rule=rule, level=level, after_working_days=after, target=target, may_reassign=reassign
            )
            for level, after, target, reassign in (DEFAULT_LADDER if ladder is None else ladder)
        )
        rules.append(rule)
    return rules


def _actions(deadline: Deadline, rule: DeadlineRule, calendar: WorkingCalendar) -> list[ScheduledAction]:
    due_day = timezone.localdate(deadline.due_at)
    actions = []
    for days_before in sorted(set(rule.reminders), reverse=True):
        fire_at = calendar.opening(
            calendar.add_working_days(due_day, -days_before) if days_before else due_day
        )
        if fire_at > deadline.started_at:  # a reminder already in the past is not sent
            actions.append(
                ScheduledAction(
                    deadline=deadline,
                    kind=ScheduledAction.Kind.REMINDER,
                    position=days_before,
                    fire_at=fire_at,
                )
            )
    for step in rule.escalations.all():
        if (
            deadline.assignee_is_director
            and step.level == 1
            and step.target == EscalationTarget.ASSIGNEE_AND_DIRECTOR
        ):
            continue  # the director would be told about their own task: start at level 2
        fire_at = (
            deadline.due_at
            if step.after_working_days == 0
            else calendar.closing(calendar.add_working_days(due_day, step.after_working_days))
        )
        actions.append(
            ScheduledAction(
                deadline=deadline, kind=ScheduledAction.Kind.ESCALATION, position=step.level, fire_at=fire_at
            )
        )
    return actions


@dataclass(frozen=True)
class DeadlineOpening:
    """A new human task to give its deadline (`deadlines_open_many`): the task and its case, the step and
    urgency that choose the policy's rule, who holds it (a person, or a pool's unit), and `due_at` when the
    task is due at a fixed moment (a reporting cycle's closing date) rather than the rule's working days."""

    task: models.Model
    case: models.Model
    step: str
    urgency: Urgency
    assignee: User | None
    province: Province | None
    assignee_is_director: bool = False
    unit: Unit | None = None
    due_at: datetime.datetime | None = None


@transaction.atomic
def deadline_start(
    *,
    task: models.Model,
    case: models.Model,
    step: str,
    urgency: Urgency,
    assignee: User | None,
    province: Province | None,
    now: datetime.datetime,
    assignee_is_director: bool = False,
    unit: Unit | None = None,
    policy: DeadlinePolicy | None = None,
    calendar: WorkingCalendar | None = None,
    due_at: datetime.datetime | None = None,
) -> Deadline:
    """Give a new human task its deadline, reminders and escalations, and write it on the case's timeline:
    `deadlines_open_many` for one task."""
    opening = DeadlineOpening(
        task=task,
        case=case,
        step=step,
        urgency=urgency,
        assignee=assignee,
        province=province,
        assignee_is_director=assignee_is_director,
        unit=unit,
        due_at=due_at,
    )
    [deadline] = deadlines_open_many(openings=[opening], now=now, policy=policy, calendar=calendar)
    return deadline


@transaction.atomic(savepoint=False)  # all or nothing with the caller's transaction, when there is one
def deadlines_open_many(
    *,
    openings: Sequence[DeadlineOpening],
    now: datetime.datetime,
    policy: DeadlinePolicy | None = None,
    calendar: WorkingCalendar | None = None,
) -> list[Deadline]:
    """Give many new human tasks their deadlines, reminders and escalations from the policy (the active one
    unless given), each written on its case's timeline, in a constant number of queries whatever their
    number (a cycle's opening starts hundreds). Each deadline is the rule's working days from now, or the
    opening's `due_at`. Returns the deadlines in the order of `openings`.

    The policy's rules and ladders are read once per policy object: a caller opening batch after batch
    passes the same policy and they are not read again."""
    if not openings:
        return []
    policy = policy or active_policy()
    calendar = calendar or working_calendar()
    rules = _rules(policy, {(o.step, o.urgency) for o in openings})
    deadlines = Deadline.objects.bulk_create(
        [
            Deadline(
                task_type=ContentType.objects.get_for_model(o.task),
                task_id=o.task.pk,
                case_type=ContentType.objects.get_for_model(o.case),
                case_id=o.case.pk,
                step=o.step,
                urgency=o.urgency,
                rule=rules[(o.step, o.urgency)],
                province=o.province,
                assignee=o.assignee,
                assignee_is_director=o.assignee_is_director,
                unit=o.unit,
                started_at=now,
                due_at=o.due_at or calendar.deadline(now, rules[(o.step, o.urgency)].working_days),
            )
            for o in openings
        ]
    )
    ScheduledAction.objects.bulk_create(
        action for deadline in deadlines for action in _actions(deadline, deadline.rule, calendar)
    )
    TimelineEntry.objects.bulk_create(
        timeline_entry(
            case=o.case,
            kind=TimelineEntry.Kind.DEADLINE_SET,
            at=now,
            data={
                "step": o.step,
                "due_at": deadline.due_at.isoformat(),
                # A fixed moment (a cycle's closing date) is not counted in working days.
                **({} if o.due_at else {"working_days": deadline.rule.working_days}),
                "policy_version": policy.version,
            },
        )
        for o, deadline in zip(openings, deadlines, strict=True)
    )
    return deadlines


def _rules(policy: DeadlinePolicy, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], DeadlineRule]:
    """The policy's rules for these (step, urgency) pairs, with their escalation ladders (read with the
    policy object the first time)."""
    models.prefetch_related_objects([policy], "rules__escalations")
    rules = {(rule.step, rule.urgency): rule for rule in policy.rules.all()}
    missing = sorted(wanted - rules.keys())
    if missing:
        step, urgency = missing[0]
        raise ImproperlyConfigured(f"Deadline policy v{policy.version} has no rule for {step} / {urgency}")
    return rules


@transaction.atomic
def deadlines_move(
    *,
    deadlines: list[Deadline],
    due_at: datetime.datetime,
    by: User | None,
    now: datetime.datetime,
    reason: str = "",
) -> int:
    """Give open deadlines a new due moment (an extension): reminders and escalations not yet fired are
    rescheduled from it, those already fired stay fired; each case's timeline says so, with the reason."""
    calendar = working_calendar()
    moved = 0
    for deadline in (
        Deadline.objects.select_for_update()
        .filter(pk__in=[d.pk for d in deadlines], status=Deadline.Status.OPEN)
        .select_related("rule")
        .prefetch_related("rule__escalations")
    ):
        old_due = deadline.due_at
        deadline.due_at = due_at
        deadline.save(update_fields=["due_at"])
        fired = set(
            deadline.actions.exclude(status=ScheduledAction.Status.PENDING).values_list("kind", "position")
        )
        deadline.actions.filter(status=ScheduledAction.Status.PENDING).delete()
        ScheduledAction.objects.bulk_create(
            a
            for a in _actions(deadline, deadline.rule, calendar)
            if (a.kind, a.position) not in fired and a.fire_at > now
        )
        timeline_add(
            case=deadline.case,
            kind=TimelineEntry.Kind.DEADLINE_MOVED,
            at=now,
            actor=by,
            data={
                "step": deadline.step,
                "old_due_at": old_due.isoformat(),
                "due_at": due_at.isoformat(),
                "reason": reason,
            },
        )
        moved += 1
    return moved


def _open_deadline(task: models.Model) -> Deadline | None:
    return (
        Deadline.objects.select_for_update()
        .filter(
            task_type=ContentType.objects.get_for_model(task), task_id=task.pk, status=Deadline.Status.OPEN
        )
        .first()
    )


@transaction.atomic
def deadline_close(*, task: models.Model, now: datetime.datetime, cancelled: bool = False) -> Deadline | None:
    """The task is done (or cancelled): its pending reminders and escalations are cancelled."""
    deadline = _open_deadline(task)
    if deadline is None:
        return None
    deadline.status = Deadline.Status.CANCELLED if cancelled else Deadline.Status.DONE
    deadline.closed_at = now
    deadline.save(update_fields=["status", "closed_at"])
    deadline.actions.filter(status=ScheduledAction.Status.PENDING).update(
        status=ScheduledAction.Status.CANCELLED
    )
    return deadline


@transaction.atomic
def deadline_reassign(
    *,
    task: models.Model,
    assignee: User,
    by: User | None,
    now: datetime.datetime,
    on_behalf_of: User | None = None,
    reason: str = "",
) -> Deadline | None:
    """The task changes hands. The deadline and the ladder carry over: reassigning does not buy time; the
    reminders still to come go to the new assignee."""
    deadline = _open_deadline(task)
    if deadline is None:
        return None
    previous = deadline.assignee
    deadline.assignee = assignee
    deadline.assignee_is_director = False
    deadline.save(update_fields=["assignee", "assignee_is_director"])
    timeline_add(
        case=deadline.case,
        kind=TimelineEntry.Kind.REASSIGNED,
        at=now,
        actor=by,
        on_behalf_of=on_behalf_of,
        data={
            "from": person_name(previous),
            "to": person_name(assignee),
            "reason": reason,
            "step": deadline.step,
        },
    )
    notify(
        recipients=[assignee],
        kind=Kind.TASK_ASSIGNED,
        context=_context(deadline, extra={"reason": reason}),
        now=now,
    )
    return deadline


def _context(deadline: Deadline, extra: dict[str, object] | None = None) -> dict[str, object]:
    return case_context(
        deadline.case,
        due_at=deadline.due_at.isoformat(),
        step=deadline.step,
        policy_version=deadline.rule.policy.version,
        holder=person_name(deadline.assignee),
        **(extra or {}),
    )


@dataclass
class FireReport:
    fired: int = 0
    failed: int = 0


class _Recipients:
    """Who is told at each level, looked up once per province in a run."""

    def __init__(self, on: datetime.date) -> None:
        self.on = on
        self._directors: dict[int, User | None] = {}
        self._heads: dict[int, User | None] = {}
        self._centre: list[User] | None = None
        self._desks: dict[int, list[User]] = {}

    def holders(self, deadline: Deadline) -> list[User]:
        """Whoever holds the task: its assignee, or while it waits unclaimed in a pool, the pool's members."""
        if deadline.assignee is not None:
            return [deadline.assignee]
        if deadline.unit is None:
            return []
        if deadline.unit_id not in self._desks:
            self._desks[deadline.unit.pk] = [o.user for o in desk_members(deadline.unit, self.on) if o.user]
        return self._desks[deadline.unit.pk]

    def director(self, province: Province | None) -> User | None:
        if province is None:
            return None
        if province.pk not in self._directors:
            officer = acting_group_director(province=province, on=self.on)
            self._directors[province.pk] = officer.user if officer else None
        return self._directors[province.pk]

    def head(self, province: Province | None) -> User | None:
        if province is None:
            return None
        if province.pk not in self._heads:
            officer = role_holder(province=province, role=Role.PROVINCIAL_HEAD, on=self.on)
            self._heads[province.pk] = officer.user if officer else None
        return self._heads[province.pk]

    def centre(self) -> list[User]:
        if self._centre is None:
            self._centre = [
                a.officer.user
                for a in RoleAssignment.objects.current(self.on)
                .filter(role=Role.CENTRAL_STAFF, officer__user__isnull=False)
                .select_related("officer__user")
            ]
        return self._centre

    def for_level(self, deadline: Deadline, target: str) -> list[User]:
        if target == EscalationTarget.ASSIGNEE_AND_DIRECTOR:
            people = [*self.holders(deadline), self.director(deadline.province)]
        elif target == EscalationTarget.PROVINCIAL_HEAD:
            people = [self.head(deadline.province)]
        else:
            people = list(self.centre())
        return [p for p in people if p is not None]


def due_actions_fire(*, now: datetime.datetime, batch_size: int = 500) -> FireReport:
    """The periodic job: fire every reminder and escalation that is due, each exactly once even when two
    processes run this at the same time (rows are claimed with SELECT ... FOR UPDATE SKIP LOCKED on
    PostgreSQL; SQLite serialises writers)."""
    report = FireReport()
    calendar = working_calendar()
    recipients = _Recipients(timezone.localdate(now))
    while True:
        with transaction.atomic():
            batch = list(
                ScheduledAction.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=ScheduledAction.Status.PENDING, fire_at__lte=now)
                .order_by("fire_at", "pk")[:batch_size]
            )
            if not batch:
                return report
            _fire_batch(batch, now=now, calendar=calendar, recipients=recipients, report=report)


def _fire_batch(
    batch: list[ScheduledAction],
    *,
    now: datetime.datetime,
    calendar: WorkingCalendar,
    recipients: _Recipients,
    report: FireReport,
) -> None:
    deadlines = {
        d.pk: d
        for d in Deadline.objects.filter(pk__in={a.deadline_id for a in batch})
        .select_related("rule__policy", "province", "assignee__officer", "unit")
        .prefetch_related("rule__escalations")
    }
    cases = _load_cases(deadlines.values())
    described: list[_Firing] = []
    for action in batch:
        deadline = deadlines[action.deadline_id]
        if deadline.status != Deadline.Status.OPEN:
            action.status = ScheduledAction.Status.CANCELLED
            continue
        try:
            case = cases.get((deadline.case_type_id, deadline.case_id))
            if case is None:
                raise LookupError(f"the case of deadline {deadline.pk} is gone")
            entry, who, kind, context = _describe(action, deadline, case, recipients)
        except Exception as exc:  # recorded where central staff see it, and retried from the admin
            logger.exception("scheduled action %s failed", action.pk)
            _action_failed(action, exc)
            report.failed += 1
            continue
        hook = None
        if action.kind == ScheduledAction.Kind.ESCALATION:
            hook = webhooks.object_data(
                case,
                step=deadline.step,
                level=action.position,
                due_at=deadline.due_at.isoformat(),
            )
        described.append(_Firing(action, entry, Event(who, Kind(kind), context), deadline.province_id, hook))
    ScheduledAction.objects.filter(
        pk__in=[a.pk for a in batch if a.status == ScheduledAction.Status.CANCELLED]
    ).update(status=ScheduledAction.Status.CANCELLED)
    # One outbox write for the whole batch (a constant number of queries, one enqueue of 50 ids per task),
    # not one per action: the notices of 500 actions took 1,500 queries and 500 publishes. The batch is
    # written in a savepoint: when the database refuses one of its rows, each is written again in a
    # savepoint of its own, and the row refused is recorded as failed (rather than the whole batch rolled
    # back, to come first again a minute later).
    try:
        with transaction.atomic():
            _firings_write(described, now=now, calendar=calendar)
        report.fired += len(described)
    except DatabaseError:
        logger.warning("a batch of %d scheduled actions is written one by one", len(described), exc_info=True)
        for firing in described:
            try:
                with transaction.atomic():
                    _firings_write([firing], now=now, calendar=calendar)
                report.fired += 1
            except DatabaseError as exc:
                logger.exception("scheduled action %s failed", firing.action.pk)
                _action_failed(firing.action, exc)
                report.failed += 1


@dataclass(frozen=True)
class _Firing:
    action: ScheduledAction
    entry: TimelineEntry
    event: Event
    province_id: int | None = None
    hook: dict[str, object] | None = None  # an escalation's webhook event


def _firings_write(firings: list[_Firing], *, now: datetime.datetime, calendar: WorkingCalendar) -> None:
    ScheduledAction.objects.filter(pk__in=[f.action.pk for f in firings]).update(
        status=ScheduledAction.Status.FIRED, fired_at=now
    )
    entries = [f.entry for f in firings]
    for entry in entries:
        entry.pk = None  # written again after a rolled-back attempt
    TimelineEntry.objects.bulk_create(entries)
    notify_many(events=[f.event for f in firings], now=now, calendar=calendar)
    webhooks.emit_many(
        events=[
            (WebhookEventKind.ESCALATION_FIRED, f.province_id, f.hook) for f in firings if f.hook is not None
        ],
        now=now,
    )


def _action_failed(action: ScheduledAction, exc: BaseException) -> None:
    ScheduledAction.objects.filter(pk=action.pk).update(status=ScheduledAction.Status.FAILED, error=repr(exc))


def _load_cases(deadlines: object) -> dict[tuple[int, int], models.Model]:
    by_type: dict[int, set[int]] = defaultdict(set)
    for d in deadlines:  # type: ignore[attr-defined]
        by_type[d.case_type_id].add(d.case_id)
    loaded: dict[tuple[int, int], models.Model] = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        assert model is not None
        for obj in model._default_manager.filter(pk__in=ids):
            loaded[(type_id, obj.pk)] = obj
    return loaded


def _describe(
    action: ScheduledAction, deadline: Deadline, case: models.Model, recipients: _Recipients
) -> tuple[TimelineEntry, list[User], str, dict[str, object]]:
    deadline.case = case
    data: dict[str, object] = {
        "step": deadline.step,
        "due_at": deadline.due_at.isoformat(),
        "policy_version": deadline.rule.policy.version,
    }
    if action.kind == ScheduledAction.Kind.REMINDER:
        who = recipients.holders(deadline)
        kind = Kind.DUE_SOON
        data["days_before"] = action.position
    else:
        step = next(s for s in deadline.rule.escalations.all() if s.level == action.position)
        who = recipients.for_level(deadline, step.target)
        kind = Kind.OVERDUE if step.target == EscalationTarget.ASSIGNEE_AND_DIRECTOR else Kind.ESCALATED
        data.update(level=step.level, target=step.target, may_reassign=step.may_reassign)
    data["notified"] = [person_name(u) for u in who]
    entry = timeline_entry(
        case=case,
        kind=TimelineEntry.Kind.REMINDER
        if action.kind == ScheduledAction.Kind.REMINDER
        else TimelineEntry.Kind.ESCALATION,
        at=action.fire_at,
        data=data,
    )
    context = _context(deadline, extra={"level": data.get("level", "")})
    return entry, who, kind, context


@dataclass(frozen=True)
class DeadlineChange:
    deadline: Deadline
    old_due: datetime.datetime
    new_due: datetime.datetime


def policy_preview(
    *, policy: DeadlinePolicy, calendar: WorkingCalendar | None = None
) -> list[DeadlineChange]:
    """Which open deadlines would move if `policy` were applied to them (nothing is written)."""
    calendar = calendar or working_calendar()
    rules = {(r.step, r.urgency): r for r in policy.rules.all()}
    changes = []
    for deadline in (
        Deadline.objects.filter(status=Deadline.Status.OPEN)
        .exclude(rule__policy=policy)
        .select_related("rule")
    ):
        rule = rules.get((deadline.step, deadline.urgency))
        if rule is None:
            continue
        new_due = calendar.deadline(deadline.started_at, rule.working_days)
        changes.append(DeadlineChange(deadline=deadline, old_due=deadline.due_at, new_due=new_due))
    return changes


@transaction.atomic
def policy_apply_to_open(*, policy: DeadlinePolicy, by: User, now: datetime.datetime) -> list[DeadlineChange]:
    """Move open tasks to `policy`: new due dates, pending reminders and escalations rescheduled (those
    already fired stay fired), each change written on its case's timeline."""
    calendar = working_calendar()
    changes = policy_preview(policy=policy, calendar=calendar)
    rules = {(r.step, r.urgency): r for r in policy.rules.prefetch_related("escalations")}
    for change in changes:
        deadline = Deadline.objects.select_for_update().get(pk=change.deadline.pk)
        rule = rules[(deadline.step, deadline.urgency)]
        deadline.rule = rule
        deadline.due_at = change.new_due
        deadline.save(update_fields=["rule", "due_at"])
        fired = set(
            deadline.actions.exclude(status=ScheduledAction.Status.PENDING).values_list("kind", "position")
        )
        deadline.actions.filter(status=ScheduledAction.Status.PENDING).delete()
        ScheduledAction.objects.bulk_create(
            a for a in _actions(deadline, rule, calendar) if (a.kind, a.position) not in fired
        )
        timeline_add(
            case=deadline.case,
            kind=TimelineEntry.Kind.DEADLINE_MOVED,
            at=now,
            actor=by,
            data={
                "step": deadline.step,
                "old_due_at": change.old_due.isoformat(),
                "due_at": change.new_due.isoformat(),
                "policy_version": policy.version,
            },
        )
    return changes


def failed_actions() -> models.QuerySet[ScheduledAction]:
    return ScheduledAction.objects.filter(status=ScheduledAction.Status.FAILED).select_related("deadline")


def failed_action_retry(*, action_ids: list[int]) -> int:
    return ScheduledAction.objects.filter(pk__in=action_ids, status=ScheduledAction.Status.FAILED).update(
        status=ScheduledAction.Status.PENDING, error=""
    )


def policy_in_use(policy: DeadlinePolicy) -> bool:
    return Deadline.objects.filter(rule__policy=policy).exists()


@transaction.atomic
def policy_copy(*, policy: DeadlinePolicy, by: User | None) -> DeadlinePolicy:
    """A new, inactive version with the same rules and ladders, to edit before activating it."""
    latest = DeadlinePolicy.objects.select_for_update().order_by("-version").first()
    copy = DeadlinePolicy.objects.create(
        version=(latest.version if latest else 0) + 1,
        name=policy.name,
        note=policy.note,
        created_by=by,
    )
    for rule in policy.rules.prefetch_related("escalations"):
        new_rule = DeadlineRule.objects.create(
            policy=copy,
            step=rule.step,
            urgency=rule.urgency,
            working_days=rule.working_days,
            reminders=rule.reminders,
        )
        EscalationStep.objects.bulk_create(
            EscalationStep(
                rule=new_rule,
                level=e.level,
                after_working_days=e.after_working_days,
                target=e.target,
                may_reassign=e.may_reassign,
            )
            for e in rule.escalations.all()
        )
    return copy


@transaction.atomic
def policy_activate(*, policy: DeadlinePolicy) -> DeadlinePolicy:
    DeadlinePolicy.objects.select_for_update().filter(is_active=True).exclude(pk=policy.pk).update(
        is_active=False
    )
    DeadlinePolicy.objects.filter(pk=policy.pk).update(is_active=True)
    policy.refresh_from_db()
    return policy
