"""Opening a cycle at scale: each district's report with its viewflow process and tasks, its deadline with
the reminders and escalations, its timeline and the holder's notification, one province at a time in two
round trips to the database.

The rows are those `DistrictReportFlow.start.run(report=...)` writes (viewflow writes the process and its
start and fill tasks; the fill task's onCreate, `fill_opened`, starts the deadline and tells the holder
with `notify`): tests/reporting/test_spawn.py compares them field by field.

The first round trip locks the cycle's row and inserts the province's reports (a district that has its
report already is left out), returning their ids. The second writes everything else with INSERT ... SELECT
over those reports (the cycle's and province's, from the first new id on), in statements the ORM compiled
once for the opening, so they are right for PostgreSQL and SQLite alike; PostgreSQL also plans them once
(prepared statements) and receives them as one query. A column not computed per report takes the value the
ORM would write for a template instance built with the same arguments (defaults included), so the rows stay
those of the ORM when a model gains a column. Where a statement would have to find rows just written by
another (processes by their artifact, deadlines by their case), PostgreSQL takes their ids from the
INSERT's RETURNING instead, so that no plan depends on statistics that do not know the new rows yet.
"""

from __future__ import annotations

import contextlib
import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connections, router, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Expression,
    F,
    Field,
    Model,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.constants import OnConflict
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Concat, JSONObject, Trim
from django.db.models.sql import InsertQuery, UpdateQuery
from django.db.transaction import TransactionManagementError
from django.urls import reverse
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.token import Token

from cases.models import (
    ActingDeputy,
    Deadline,
    DistrictAssignment,
    Officer,
    Province,
    Role,
    RoleAssignment,
    ScheduledAction,
    TimelineEntry,
    Urgency,
)
from cases.models.geography import District
from cases.services.deadlines import _actions, _rule, active_policy
from cases.working_days import WorkingCalendar
from notifications.models import Channel, Delivery, Kind, Notification, Preference
from notifications.services import DELIVERY_CHANNELS, _not_before, enqueue
from reporting.defaults import FILL_STEP
from reporting.models import DistrictReport, ReportingCycle

# Stand for the province, its director's name and its first new report in the statements compiled once.
_PROVINCE = -914_000_001
_DIRECTOR_NAME = "<the director of the province>"
_FIRST_NEW = -914_000_003  # the lowest id of the province's new reports


@dataclass
class _Statement:
    sql: str
    params: tuple[Any, ...]
    fetch: str = ""  # the name its rows are returned under (none read when empty)


@dataclass
class SpawnPlan:
    """What an opening reads and compiles once: the districts, who holds each one's report, each
    province's director, and the statements that write a province's rows."""

    cycle: ReportingCycle
    on: datetime.date
    now: datetime.datetime
    calendar: WorkingCalendar
    districts: dict[int, list[District]]  # province id → its districts, by code
    responsible: dict[int, Officer]  # district id → the officer responsible on the opening date
    director: dict[int, Officer]  # province id → acting group director, else director, else head
    statements: list[_Statement] = field(default_factory=list)
    prepared: list[str] = field(default_factory=list)  # PostgreSQL: the statements' prepared names
    # Deliveries due at once, written so far: enqueued after the opening (the sweep covers a crash).
    deliveries_due: list[int] = field(default_factory=list)

    def close(self) -> None:
        """Forget the prepared statements (the connection may serve other work afterwards). Never raises:
        in a transaction an error left broken they stay until the connection closes (their names are the
        opening's own)."""
        names, self.prepared = self.prepared, []
        connection = connections[router.db_for_write(DistrictReport)]
        with contextlib.suppress(DatabaseError, TransactionManagementError), connection.cursor() as cursor:
            for name in names:
                cursor.execute(f"DEALLOCATE {name}")

    def director_user(self, province_id: int) -> User | None:
        officer = self.director.get(province_id)
        return officer.user if officer is not None and officer.is_active and officer.user else None


def plan_load(
    *,
    cycle: ReportingCycle,
    on: datetime.date,
    now: datetime.datetime,
    calendar: WorkingCalendar,
    provinces: Iterable[Province],
) -> SpawnPlan:
    province_ids = [p.pk for p in provinces]
    districts: dict[int, list[District]] = defaultdict(list)
    for district in District.objects.filter(province__in=province_ids).order_by("code"):
        districts[district.province_id].append(district)
    # The latest assignment wins when two overlap on the day.
    responsible = {
        a.district_id: a.officer
        for a in DistrictAssignment.objects.current(on)
        .filter(district__province__in=province_ids, officer__is_active=True, officer__user__is_active=True)
        .select_related("officer__user")
        .order_by("start_date", "pk")
    }
    # As acting_group_director, else role_holder(PROVINCIAL_HEAD): the latest appointment of each.
    director: dict[int, Officer] = {}
    for role in (Role.PROVINCIAL_HEAD, Role.GROUP_DIRECTOR):  # the director before the head
        for a in (
            RoleAssignment.objects.current(on)
            .filter(province__in=province_ids, role=role)
            .select_related("officer__user")
            .order_by("start_date", "pk")
        ):
            director[a.province_id] = a.officer
    for deputy in (
        ActingDeputy.objects.current(on)
        .filter(province__in=province_ids)
        .select_related("deputy__user")
        .order_by("start_date", "pk")
    ):
        director[deputy.province_id] = deputy.deputy
    plan = SpawnPlan(
        cycle=cycle,
        on=on,
        now=now,
        calendar=calendar,
        districts=districts,
        responsible=responsible,
        director=director,
    )
    plan.statements = _statements(plan)
    _prepare(plan)
    return plan


def _prepare(plan: SpawnPlan) -> None:
    """PostgreSQL plans each statement once per opening instead of once per province (a third of the
    database's time): the statements are prepared with the province, the director's name and the first new
    report's id as parameters, and each province executes them (`SpawnPlan.close` deallocates them).
    Prepared statements belong to the session: a pooler in front of PostgreSQL must keep the session
    (pgbouncer: session pooling)."""
    connection = connections[router.db_for_write(DistrictReport)]
    if connection.vendor != "postgresql":
        return
    prefix = f"spawn_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor  # psycopg's client-side binding cursor: it renders parameters as literals
        literals = [raw.mogrify("%s", [v]).strip() for v in (_PROVINCE, _DIRECTOR_NAME, _FIRST_NEW)]
        for i, statement in enumerate(plan.statements):
            text = raw.mogrify(statement.sql, statement.params)
            for n, literal in enumerate(literals, start=1):
                text = text.replace(literal, f"${n}")
            name = f"{prefix}_{i}"
            cursor.execute(f"PREPARE {name} (bigint, text, bigint) AS {text}")
            plan.prepared.append(name)
            plan.statements[i] = _Statement(
                f"EXECUTE {name} (%s, %s, %s)", (_PROVINCE, _DIRECTOR_NAME, _FIRST_NEW), statement.fetch
            )


def spawn_province(plan: SpawnPlan, province: Province) -> tuple[int, int] | None:
    """The reports of the province's districts that have none yet, with everything that goes with them, in
    the caller's transaction: (created, unassigned). The cycle's row is locked first; when the cycle is no
    longer opening (closed meanwhile, or opened by another run) nothing is written and None is returned."""
    cycle = plan.cycle
    director_user = plan.director_user(province.pk)
    reports = [
        DistrictReport(
            cycle=cycle,
            district=d,
            province=province,
            officer=plan.responsible.get(d.pk),
            unassigned=d.pk not in plan.responsible,
            assignee=plan.responsible[d.pk].user if d.pk in plan.responsible else director_user,
            due_at=cycle.due_at,
        )
        for d in plan.districts.get(province.pk, [])
    ]
    if not reports:
        return 0, 0
    first = _run(
        DistrictReport, [*_transaction_settings(), _cycle_locked(cycle), _insert_ignoring_existing(reports)]
    )
    if first["status"] != [(ReportingCycle.Status.OPENING,)]:
        transaction.set_rollback(True)  # the reports just written go with it
        return None
    new = first["new"]
    if not new:
        return 0, 0
    # Everything else selects the new reports by their ids (those above the first new one, in the cycle and
    # the province): the database finds them by index however stale its statistics.
    director = plan.director.get(province.pk)
    values = {
        _PROVINCE: province.pk,
        _DIRECTOR_NAME: str(director) if director else "",
        _FIRST_NEW: min(pk for pk, _unassigned in new),
    }
    rows = _run(
        DistrictReport,
        [
            _Statement(s.sql, tuple(_substitute(p, values) for p in s.params), s.fetch)
            for s in plan.statements
        ],
    )
    at_once = _not_before(Kind.TASK_ASSIGNED, False, plan.now, plan.calendar) <= plan.now
    plan.deliveries_due += [pk for pk, digest in rows["deliveries"] if not digest and at_once]
    return len(new), sum(1 for _pk, unassigned in new if unassigned)


def _cycle_locked(cycle: ReportingCycle) -> _Statement:
    """The cycle's status, its row locked until the end of the transaction (PostgreSQL; SQLite locks the
    whole database for the transaction already)."""
    connection = connections[router.db_for_write(ReportingCycle)]
    table = connection.ops.quote_name(ReportingCycle._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return _Statement(f'SELECT "status" FROM {table} WHERE "id" = %s{lock}', (cycle.pk,), "status")


def deliveries_enqueue(plan: SpawnPlan) -> None:
    """Hand the deliveries due at once to the workers, after the commit (at once outside a transaction)."""
    due, plan.deliveries_due = plan.deliveries_due, []
    if due:
        transaction.on_commit(lambda: enqueue(due))


def _transaction_settings() -> list[_Statement]:
    """PostgreSQL, for the province's transaction: its commit does not wait for the write-ahead log to reach
    the disk (a few milliseconds each; a database crash may lose the last provinces' work, never half of
    one, and the opening then runs again: it is idempotent; the commit that opens the cycle waits as usual,
    and with it the log of every province before it); and one generic plan of each prepared statement
    serves every province (they differ by their parameters only)."""
    if connections[router.db_for_write(DistrictReport)].vendor != "postgresql":
        return []
    return [
        _Statement("SET LOCAL synchronous_commit TO OFF", ()),
        _Statement("SET LOCAL plan_cache_mode TO force_generic_plan", ()),
    ]


def _substitute(param: Any, values: dict[Any, Any]) -> Any:
    if type(param) in (int, str) and param in values:
        return values[param]
    return param


def _statements(plan: SpawnPlan) -> list[_Statement]:
    """The statements that write one province's rows after its reports, compiled once."""
    from flows.reporting import DistrictReportFlow

    cycle, now = plan.cycle, plan.now
    report_type = ContentType.objects.get_for_model(DistrictReport)
    task_type = ContentType.objects.get_for_model(Task)
    new = DistrictReport.objects.filter(cycle=cycle, province_id=_PROVINCE, pk__gte=_FIRST_NEW).order_by("pk")
    start, fill = DistrictReportFlow.start, DistrictReportFlow.fill

    def task_of(node: Any) -> Subquery:
        return Subquery(
            Task.objects.filter(process=OuterRef("process_id"), flow_task=node).order_by().values("pk")[:1]
        )

    status = Task._meta.get_field("status")
    # viewflow: the process (linked to its report at once), its start task (done), its fill task (with the
    # holder: viewflow leaves the "assigned" moment empty when it assigns a task as it creates it), fill
    # after start
    statements = [
        *_processes_linked(
            _insert_select(
                Process,
                [
                    (
                        Process(
                            flow_class=DistrictReportFlow,
                            status=PROCESS.NEW,
                            created=now,
                            artifact_content_type=report_type,
                        ),
                        new,
                        {"data": JSONObject(report=F("pk")), "artifact_object_id": F("pk")},
                    )
                ],
            ),
            new,
            report_type,
        ),
        _insert_select(
            Task,
            [
                (
                    Task(
                        flow_task=start,
                        flow_task_type=start.task_type,
                        status=STATUS.DONE,
                        created=now,
                        started=now,
                        finished=now,
                        token=Token("start"),
                    ),
                    new,
                    {"process_id": F("process_id")},
                ),
                (
                    Task(flow_task=fill, flow_task_type=fill.task_type, created=now, token=Token("start")),
                    new,
                    {
                        "process_id": F("process_id"),
                        "owner_id": F("assignee_id"),
                        "status": Case(
                            When(assignee__isnull=True, then=_Param(STATUS.NEW, status)),
                            default=_Param(STATUS.ASSIGNED, status),
                        ),
                    },
                ),
            ],
        ),
        _insert_select(
            Task.previous.through,
            [
                (
                    Task.previous.through(),
                    new,
                    {"from_task_id": task_of(fill), "to_task_id": task_of(start)},
                )
            ],
        ),
    ]

    # The fill task's deadline (the cycle's due moment) with its reminders and escalations, as the engine
    # (cases.services.deadlines) schedules them: the same for every report, but for those the director
    # holds (the first level, which would tell the director about their own task, is left out).
    rule = _rule(active_policy(), FILL_STEP, Urgency.NORMAL)
    template = Deadline(
        task_type=task_type,
        case_type=report_type,
        step=FILL_STEP,
        urgency=Urgency.NORMAL,
        rule=rule,
        started_at=now,
        due_at=cycle.due_at,
    )
    deadline_insert = _insert_select(
        Deadline,
        [
            (
                template,
                new,
                {
                    "task_id": task_of(fill),
                    "case_id": F("pk"),
                    "province_id": F("province_id"),
                    "assignee_id": F("assignee_id"),
                    "assignee_is_director": F("unassigned"),
                },
            )
        ],
    )
    actions: dict[tuple[str, int, datetime.datetime], list[bool]] = {}
    for is_director in (False, True):
        template.assignee_is_director = is_director
        for action in _actions(template, rule, plan.calendar):
            actions.setdefault((action.kind, action.position, action.fire_at), []).append(is_director)
    statements += _deadlines_with_actions(deadline_insert, actions, new, task_type, report_type)

    # The timeline: opened for whom (the officer's name as Officer.full_name writes it in Thai; nobody
    # responsible: the director holds it), then the deadline.
    officer_name = Trim(
        Concat(
            "officer__prefix",
            "officer__first_name_th",
            Value(" "),
            "officer__last_name_th",
            output_field=CharField(),
        )
    )
    statements.append(
        _insert_select(
            TimelineEntry,
            [
                (
                    TimelineEntry(case_type=report_type, kind=TimelineEntry.Kind.STEP, at=now),
                    new,
                    {
                        "case_id": F("pk"),
                        "data": JSONObject(
                            event=Case(
                                When(unassigned=True, then=Value("report_unassigned")),
                                default=Value("report_opened"),
                            ),
                            to=Case(
                                When(officer__isnull=False, then=officer_name),
                                default=_Param(_DIRECTOR_NAME, CharField()),
                            ),
                        ),
                    },
                ),
                (
                    TimelineEntry(
                        case_type=report_type,
                        kind=TimelineEntry.Kind.DEADLINE_SET,
                        at=now,
                        data={
                            "step": FILL_STEP,
                            "due_at": cycle.due_at.isoformat(),
                            "policy_version": rule.policy.version,
                        },
                    ),
                    new,
                    {"case_id": F("pk")},
                ),
            ],
        )
    )
    statements += _notification_statements(plan, new)
    statements += [
        _update(
            ReportingCycle.objects.filter(pk=cycle.pk),
            districts_spawned=Coalesce(
                Subquery(
                    DistrictReport.objects.filter(cycle=cycle)
                    .order_by()
                    .values("cycle")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
        ),
    ]
    return statements


def _processes_linked(
    insert: _Statement, new: QuerySet[DistrictReport], report_type: ContentType
) -> list[_Statement]:
    """The processes' INSERT, and each new report linked to its process. PostgreSQL does both in one
    statement, from the ids the INSERT returns (looking the processes up by their artifact could pick the
    wrong index while the statistics do not know the new rows yet); SQLite looks them up."""
    connection = connections[router.db_for_write(DistrictReport)]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(DistrictReport._meta.db_table)
        return [
            _Statement(
                f'WITH new_process AS ({insert.sql} RETURNING "id", "artifact_object_id") '
                f'UPDATE {table} SET "process_id" = new_process."id" FROM new_process '
                f'WHERE {table}."id" = new_process."artifact_object_id"',
                insert.params,
            )
        ]
    process_of = Subquery(
        Process.objects.filter(artifact_content_type=report_type, artifact_object_id=OuterRef("pk"))
        .order_by()
        .values("pk")[:1]
    )
    return [insert, _update(new, process=process_of)]


def _deadlines_with_actions(
    insert: _Statement,
    actions: dict[tuple[str, int, datetime.datetime], list[bool]],
    new: QuerySet[DistrictReport],
    task_type: ContentType,
    report_type: ContentType,
) -> list[_Statement]:
    """The deadlines' INSERT and their reminders and escalations (`actions`: each one, and the values of
    assignee_is_director whose deadlines get it). PostgreSQL writes the actions from the ids the deadlines'
    INSERT returns, in the same statement (looking the deadlines up could pick the wrong index while the
    statistics do not know the new rows yet); SQLite looks them up."""
    connection = connections[router.db_for_write(DistrictReport)]
    if connection.vendor != "postgresql":
        deadlines = Deadline.objects.filter(
            task_type=task_type,
            case_type=report_type,
            case_id__in=new.values("pk"),
            status=Deadline.Status.OPEN,
        )
        parts = [
            (
                ScheduledAction(kind=kind, position=position, fire_at=fire_at),
                deadlines.filter(assignee_is_director__in=flags),
                {"deadline_id": F("pk")},
            )
            for (kind, position, fire_at), flags in actions.items()
        ]
        return [insert, _insert_select(ScheduledAction, parts)]
    fields = [f for f in ScheduledAction._meta.concrete_fields if not f.primary_key]
    selects, params = [], []
    for (kind, position, fire_at), flags in actions.items():
        template = ScheduledAction(kind=kind, position=position, fire_at=fire_at)
        columns = []
        for f in fields:
            if f.attname == "deadline_id":
                columns.append('new_deadline."id"')
            else:
                columns.append(f"%s::{f.cast_db_type(connection)}")
                params.append(f.get_db_prep_save(f.pre_save(template, add=True), connection=connection))
        flag_list = ", ".join(["%s"] * len(flags))
        selects.append(
            f'SELECT {", ".join(columns)} FROM new_deadline WHERE new_deadline."assignee_is_director" IN ({flag_list})'
        )
        params += flags
    table = connection.ops.quote_name(ScheduledAction._meta.db_table)
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    return [
        _Statement(
            f'WITH new_deadline AS ({insert.sql} RETURNING "id", "assignee_is_director") '
            f"INSERT INTO {table} ({names}) {' UNION ALL '.join(selects)}",
            (*insert.params, *params),
        )
    ]


def _notification_statements(plan: SpawnPlan, new: QuerySet[DistrictReport]) -> list[_Statement]:
    """What `notify` writes when a report's holder is told (notifications.services): a notification, one
    delivery per channel the person has not switched off (held for the digest when they chose it), and the
    deliveries due now, read to be enqueued after the commit."""
    kind = Kind.TASK_ASSIGNED
    cycle, now = plan.cycle, plan.now
    url = reverse("reporting:report", kwargs={"pk": 4_141_414_141}).split("4141414141")
    told = new.filter(assignee__isnull=False, assignee__is_active=True)
    choices = {
        (user_id, channel): (enabled, digest)
        for user_id, channel, enabled, digest in Preference.objects.filter(kind=kind).values_list(
            "user_id", "channel", "enabled", "digest"
        )
    }

    def users(channel: str, *, enabled: bool | None = None, digest: bool | None = None) -> list[int]:
        return [
            u
            for (u, c), (e, d) in choices.items()
            if c == channel and (enabled is None or e == enabled) and (digest is None or d == digest)
        ]

    shown = Notification._meta.get_field("show_in_app")
    statements = [
        _insert_select(
            Notification,
            [
                (
                    Notification(kind=kind, created_at=now),
                    told,
                    {
                        "recipient_id": F("assignee_id"),
                        "context": JSONObject(
                            subject=Concat(
                                Value(f"{cycle.label} · "), "district__name_th", output_field=CharField()
                            ),
                            url=Concat(
                                Value(url[0]),
                                Cast("pk", CharField()),
                                Value(url[1]),
                                output_field=CharField(),
                            ),
                            due_at=Value(cycle.due_at.isoformat()),
                        ),
                        "show_in_app": Case(
                            When(
                                assignee__in=users(Channel.IN_APP.value, enabled=False),
                                then=_Param(False, shown),
                            ),
                            default=_Param(True, shown),
                        ),
                    },
                )
            ],
        )
    ]
    notifications = (
        Notification.objects.filter(kind=kind, created_at=now, recipient__in=told.values("assignee"))
        .annotate(report_url=KT("context__url"))
        .filter(
            report_url__in=told.annotate(
                url=Concat(Value(url[0]), Cast("pk", CharField()), Value(url[1]), output_field=CharField())
            ).values("url")
        )
    )
    not_before = Delivery._meta.get_field("not_before")
    digest_field = Delivery._meta.get_field("digest")
    parts = []
    for channel in DELIVERY_CHANNELS:
        digest = users(channel.value, enabled=True, digest=True)
        parts.append(
            (
                Delivery(channel=channel),
                notifications.exclude(recipient__in=users(channel.value, enabled=False)),
                {
                    "notification_id": F("pk"),
                    "dedupe_key": Concat(
                        Value("n"), Cast("pk", CharField()), Value(f"-{channel}"), output_field=CharField()
                    ),
                    "not_before": Case(
                        When(
                            recipient__in=digest,
                            then=_Param(_not_before(kind, True, now, plan.calendar), not_before),
                        ),
                        default=_Param(_not_before(kind, False, now, plan.calendar), not_before),
                    ),
                    "digest": Case(
                        When(recipient__in=digest, then=_Param(True, digest_field)),
                        default=_Param(False, digest_field),
                    ),
                },
            )
        )
    # Each delivery's id and whether it waits for the digest: read back, to enqueue after the commit those
    # due at once, as notify does.
    statements.append(_insert_select(Delivery, parts, returning=("id", "digest"), fetch="deliveries"))
    return statements


# INSERT ... SELECT, compiled by the ORM for the database in use ------------------------------------------


class _Param(Expression):
    """A value prepared as the ORM prepares it for an INSERT; typed on PostgreSQL (a bare NULL or string in
    a UNION would be text)."""

    def __init__(self, value: Any, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.value = value

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        if connection.vendor == "postgresql":
            return f"%s::{self.output_field.cast_db_type(connection)}", (self.value,)
        return "%s", (self.value,)


def _insert_select(
    model: type[Model],
    parts: Sequence[tuple[Model, QuerySet[Any], dict[str, Any]]],
    *,
    returning: Sequence[str] = (),
    fetch: str = "",
) -> _Statement:
    """INSERT one row into `model` per row of each part's `source`: a column named in the part's `columns`
    (by field name or column attribute) takes that expression over the source's rows, any other column the
    value the ORM would write for `template` (its pre_save, then get_db_prep_save). The parts are joined
    with UNION ALL."""
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    selects = []
    for template, source, columns in parts:
        unknown = set(columns) - {f.name for f in fields} - {f.attname for f in fields}
        if unknown:
            raise ValueError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
        expressions: list[Any] = []
        for f in fields:
            if f.attname in columns or f.name in columns:
                expressions.append(columns.get(f.attname, columns.get(f.name)))
            else:
                value = f.get_db_prep_save(f.pre_save(template, add=True), connection=connection)
                expressions.append(_Param(value, f))
        selects.append(source.order_by().values_list(*expressions))
    query = selects[0] if len(selects) == 1 else selects[0].union(*selects[1:], all=True)
    sql, params = query.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    sql = f"INSERT INTO {table} ({names}) {sql}"
    if returning:
        sql += " RETURNING " + ", ".join(connection.ops.quote_name(name) for name in returning)
    return _Statement(sql, tuple(params), fetch)


def _update(queryset: QuerySet[Any], **values: Any) -> _Statement:
    query: Any = queryset.order_by().query.chain(UpdateQuery)
    query.add_update_values(values)
    query.clear_select_clause()
    sql, params = query.get_compiler(queryset.db).as_sql()
    return _Statement(sql, tuple(params))


def _insert_ignoring_existing(objs: Sequence[DistrictReport]) -> _Statement:
    """INSERT the reports as bulk_create(ignore_conflicts=True) would: a row that would break a unique
    constraint (a district that has its report already) is left out. Returns each new report's id and flag."""
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
    query.insert_values(fields, list(objs), raw=False)
    [(sql, params)] = query.get_compiler(connection=connection).as_sql()
    returning = ", ".join(connection.ops.quote_name(name) for name in ("id", "unassigned"))
    return _Statement(f"{sql} RETURNING {returning}", tuple(params), "new")


def _run(model: type[Model], statements: list[_Statement]) -> dict[str, list[tuple[Any, ...]]]:
    """Run the statements in order: in one round trip on PostgreSQL (its client-side binding sends them
    as one query), one after the other elsewhere (SQLite runs in this process: no round trip to save).
    Returns the rows of those that fetch, by name."""
    connection = connections[router.db_for_write(model)]
    fetched: dict[str, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                ";\n".join(s.sql for s in statements), tuple(p for s in statements for p in s.params)
            )
            for i, statement in enumerate(statements):
                if i:
                    cursor.nextset()
                if statement.fetch:
                    fetched[statement.fetch] = cursor.fetchall()
        else:
            for statement in statements:
                cursor.execute(statement.sql, statement.params)
                if statement.fetch:
                    fetched[statement.fetch] = cursor.fetchall()
    return fetched
