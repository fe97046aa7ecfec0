"""Reading coordination requests: who may see which, the lists of each role, filters, figures."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import Category, CoordinationRequest, RequestStatus
from cases.selectors import monitoring
from deadlines.models import TimelineEntry
from organisation.cached import reference
from organisation.models import District, DistrictAssignment, Officer, Province, Role, RoleAssignment, Unit
from organisation.selectors.directory import provinces_in_thai_order
from organisation.selectors.roles import UserScope, desk_members
from workdays.aggregates import Median, has_median, median_of
from workdays.calendar import BANGKOK
from workdays.thai import thai_key, thai_order

OPEN_TASK = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]

# What a list row renders. Few joins (PostgreSQL spends more time planning a twelve-table join than running
# it: 14 ms against 1 ms, measured); the small reference tables come in their own queries.
_LIST_RELATED = ("requester__officer", "holder__officer")
_LIST_PREFETCH = ("category", "target_unit", "target_province", "holder_unit")


def with_list_data(qs: QuerySet[CoordinationRequest]) -> QuerySet[CoordinationRequest]:
    """What a list row renders, in a constant number of queries."""
    return qs.select_related(*_LIST_RELATED).prefetch_related(
        *_LIST_PREFETCH, Prefetch("district", queryset=District.objects.select_related("province"))
    )


def _by_pk(rows: Iterable[Any]) -> dict[int, Any]:
    return {row.pk: row for row in rows}


def list_references() -> tuple[
    dict[int, Category], dict[int, District], dict[int, Unit], dict[int, Province]
]:
    """The categories, districts (with their province), units and provinces a list row names, held in the
    process under the reference data's version stamp (organisation/cached.py): stamped anew whenever one of
    them is saved or deleted. Shared between requests: read them, never change them."""
    return (
        reference("request-categories", lambda: _by_pk(Category.objects.all())),
        reference("districts", lambda: _by_pk(District.objects.select_related("province"))),
        reference("units-all", lambda: _by_pk(Unit.objects.all())),
        reference("provinces-by-pk", lambda: _by_pk(provinces_in_thai_order())),
    )


def with_references(rows: Iterable[CoordinationRequest]) -> list[CoordinationRequest]:
    """The rows, each with what a list shows of the small reference tables (category, district and its
    province, target unit or province, the unit holding it) taken from the copies held in the process: a page of
    a list in one query instead of with_list_data's five more. A row whose reference is not held (made since the
    stamp was read) reads it as usual."""
    categories, districts, units, provinces = list_references()
    found = list(rows)
    for row in found:
        for name, held in (
            ("category", categories),
            ("district", districts),
            ("target_unit", units),
            ("holder_unit", units),
            ("target_province", provinces),
        ):
            pk = getattr(row, f"{name}_id")
            if pk is not None and pk in held:
                setattr(row, name, held[pk])
    return found


def pool_units(scope: UserScope) -> frozenset[int]:
    """The pools the user draws from: their bureau desks, and the coordination centre for central staff."""
    units = set(scope.units_by_role.get(Role.BUREAU_DESK, frozenset()))
    if scope.is_central and scope.officer is not None:
        units |= set(Unit.objects.filter(kind=Unit.Kind.COORDINATION_CENTRE).values_list("pk", flat=True))
    return frozenset(units)


def current_district_ids(officer: Officer | None, on: datetime.date | None = None) -> list[int]:
    if officer is None:
        return []
    return list(
        DistrictAssignment.objects.current(on).filter(officer=officer).values_list("district_id", flat=True)
    )


def visible_requests(user: User | AnonymousUser, scope: UserScope) -> QuerySet[CoordinationRequest]:
    """Every request the user may see. Officers: their own and their districts'; directors and provincial
    heads: their province's and those routed to it; bureau desks: those routed to their unit; central staff:
    all; anyone: those where they hold or held a task."""
    qs = CoordinationRequest.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if scope.is_central:
        return qs
    condition = Q(requester=user)
    districts = current_district_ids(scope.officer) if scope.has_role(Role.DISTRICT_OFFICER) else []
    if districts:
        condition |= Q(district_id__in=districts) & ~Q(status=RequestStatus.DRAFT)
    provinces: set[int] = set()
    for role in (Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD):
        provinces |= scope.provinces_by_role.get(role, frozenset())
    if provinces:
        condition |= (
            Q(province_id__in=provinces)
            | Q(target_province_id__in=provinces)
            | Q(holder_province_id__in=provinces)
        ) & ~Q(status=RequestStatus.DRAFT)
    units = pool_units(scope)
    if units:
        condition |= Q(target_unit_id__in=units) & ~Q(status=RequestStatus.DRAFT)
    return qs.filter(
        condition | Q(Exists(Task.objects.filter(process_id=OuterRef("process_id"), owner=user)))
    )


def request_for(user: User | AnonymousUser, scope: UserScope, pk: int) -> CoordinationRequest | None:
    return (
        with_list_data(visible_requests(user, scope))
        .select_related("lgo", "answered_by__officer", "current_task")
        .filter(pk=pk)
        .first()
    )


# Lists of each role


def my_requests(user: User) -> QuerySet[CoordinationRequest]:
    return with_list_data(CoordinationRequest.objects.filter(requester=user)).order_by("-created_at", "-pk")


def waiting_for(user: User) -> QuerySet[CoordinationRequest]:
    """Requests whose current task is the user's: overdue first, then by deadline. (The holder is the user:
    not joined.)"""
    return (
        CoordinationRequest.objects.filter(holder=user, status__in=RequestStatus.open_states())
        .select_related("requester__officer")
        .prefetch_related(
            "category",
            "target_unit",
            "target_province",
            Prefetch("district", queryset=District.objects.select_related("province")),
        )
        .order_by("due_at", "pk")
    )


def waiting_for_first(user: User, count: int = 5) -> list[CoordinationRequest]:
    """The first `count` of `waiting_for`, with only what the home page lists of each (number, subject, status,
    deadline): one query, nothing joined or prefetched."""
    rows = waiting_for(user).select_related(None).prefetch_related(None)
    return list(rows.only("pk", "number", "subject", "status", "due_at")[:count])


def pool(units: frozenset[int]) -> QuerySet[CoordinationRequest]:
    """Requests waiting in a pool for someone to claim them."""
    return with_list_data(
        CoordinationRequest.objects.filter(
            holder_unit_id__in=units, holder__isnull=True, status=RequestStatus.AT_TARGET
        )
    ).order_by("due_at", "pk")


def province_requests(province_ids: frozenset[int] | set[int]) -> QuerySet[CoordinationRequest]:
    return with_list_data(
        CoordinationRequest.objects.filter(
            Q(province_id__in=province_ids) | Q(target_province_id__in=province_ids)
        ).exclude(status=RequestStatus.DRAFT)
    )


def unit_requests(units: frozenset[int] | set[int]) -> QuerySet[CoordinationRequest]:
    """The requests sent to the user's bureau (or the coordination centre): claimed, unclaimed, done."""
    return with_list_data(
        CoordinationRequest.objects.filter(target_unit_id__in=units).exclude(status=RequestStatus.DRAFT)
    )


def all_requests() -> QuerySet[CoordinationRequest]:
    return with_list_data(CoordinationRequest.objects.exclude(status=RequestStatus.DRAFT))


# Filters and search


@dataclass
class RequestFilter:
    q: str = ""
    status: str = ""
    urgency: str = ""
    category: int | None = None
    province: int | None = None
    district: int | None = None
    overdue: bool = False
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    # The monitoring pages' links (cases/selectors/monitoring.py): what happened between the dates (an
    # event, a step's deadline met or missed, an escalation of a level), where it went, how old it is.
    event: str = ""  # sent, routed, answered, ... or "open" (open now, whatever the dates)
    target_unit: int | None = None
    target_province: int | None = None
    involving: int | None = None  # a province, as requester or as target
    held_in: int | None = None  # held in this province now (its group director's queue)
    sent_range: tuple[datetime.date | None, datetime.date | None] | None = None  # open, sent on these days
    step: str = ""  # a monitored step (monitoring.STEPS) whose deadline closed between the dates
    deadline: str = ""  # with step: "met" or "missed"
    escalation: int | None = None  # an escalation of this level fired between the dates
    unclaimed: bool = False  # waiting in a pool, nobody has claimed it

    def _moments(self) -> tuple[datetime.datetime, datetime.datetime]:

        start = datetime.datetime.combine(
            self.date_from or datetime.date(1900, 1, 1), datetime.time(), BANGKOK
        )
        end = datetime.datetime.combine(
            (self.date_to or datetime.date(9000, 1, 1)) + datetime.timedelta(days=1), datetime.time(), BANGKOK
        )
        return start, end

    def _monitoring(self, qs: QuerySet[CoordinationRequest]) -> tuple[QuerySet[CoordinationRequest], bool]:
        """The monitoring filters; whether the dates were used by one of them."""
        used = False
        if self.target_unit:
            qs = qs.filter(target_unit_id=self.target_unit)
        if self.target_province:
            qs = qs.filter(target_province_id=self.target_province)
        if self.involving:
            qs = qs.filter(Q(province_id=self.involving) | Q(target_province_id=self.involving))
        if self.held_in:
            qs = qs.filter(holder_province_id=self.held_in)
        if self.sent_range is not None:
            first, last = self.sent_range
            qs = qs.filter(status__in=RequestStatus.open_states())
            if first:
                qs = qs.filter(sent_at__gte=monitoring.day_start(first))
            if last:
                qs = qs.filter(sent_at__lt=monitoring.day_start(last + datetime.timedelta(days=1)))
        if self.unclaimed:
            qs = qs.filter(status=RequestStatus.AT_TARGET, holder__isnull=True, holder_unit__isnull=False)
        if self.event == "open":
            qs = qs.filter(status__in=RequestStatus.open_states())
        elif self.event in monitoring.EVENTS:
            qs = qs.filter(monitoring.event_q(self.event, *self._moments()))
            used = True
        if self.step in monitoring.STEP_DEADLINES:
            qs = qs.filter(monitoring.deadline_q(self.step, self.deadline, *self._moments()))
            used = True
        if self.escalation:
            qs = qs.filter(monitoring.escalation_q(self.escalation, *self._moments()))
            used = True
        return qs, used

    def apply(
        self, qs: QuerySet[CoordinationRequest], now: datetime.datetime
    ) -> QuerySet[CoordinationRequest]:
        if self.q:
            terms = self.q.split()
            for term in terms:
                qs = qs.filter(
                    Q(number__icontains=term)
                    | Q(subject__icontains=term)
                    | Q(requester__officer__first_name_th__icontains=term)
                    | Q(requester__officer__last_name_th__icontains=term)
                    | Q(requester__officer__first_name_en__icontains=term)
                    | Q(requester__officer__last_name_en__icontains=term)
                )
        if self.status:
            qs = qs.filter(status=self.status)
        if self.urgency:
            qs = qs.filter(urgency=self.urgency)
        if self.category:
            qs = qs.filter(category_id=self.category)
        if self.province:
            qs = qs.filter(province_id=self.province)
        if self.district:
            qs = qs.filter(district_id=self.district)
        if self.overdue:
            qs = qs.filter(status__in=RequestStatus.open_states(), due_at__lt=now)
        qs, dates_used = self._monitoring(qs)
        if not dates_used:
            if self.date_from:
                qs = qs.filter(sent_at__date__gte=self.date_from)
            if self.date_to:
                qs = qs.filter(sent_at__date__lte=self.date_to)
        return qs

    @property
    def is_empty(self) -> bool:
        return self == RequestFilter()


# Figures for central staff


@dataclass
class FigureRow:
    label: str
    open: int = 0
    overdue: int = 0
    answered: int = 0
    median: datetime.timedelta | None = None

    @property
    def median_days(self) -> float | None:
        return round(self.median.total_seconds() / 86400, 1) if self.median is not None else None


def figures(qs: QuerySet[CoordinationRequest], now: datetime.datetime) -> dict[str, list[FigureRow]]:
    """Open, overdue and median time to answer (sent → answered, calendar days), by province and by target.
    Counted and the median taken by the database, one query a table, whatever the number of requests
    (on SQLite, `make run`'s database, the times to answer are read and the median taken here)."""
    is_open = Q(status__in=RequestStatus.open_states())
    answered = Q(answered_at__isnull=False, sent_at__isnull=False)
    to_answer = ExpressionWrapper(F("answered_at") - F("sent_at"), output_field=DurationField())
    measures: dict[str, Any] = {
        "open": Count("pk", filter=is_open),
        "overdue": Count("pk", filter=is_open & Q(due_at__lt=now)),
        "answered": Count("pk", filter=answered),
    }
    if has_median():
        measures["median"] = Median(to_answer, filter=answered)

    def table(*keys: str) -> dict[tuple[Any, ...], FigureRow]:
        """Grouped by the requests' own columns (ids: no join, no sort of names); named afterwards."""
        rows = {
            tuple(found[key] for key in keys): FigureRow(
                label="",
                open=found["open"],
                overdue=found["overdue"],
                answered=found["answered"],
                median=found.get("median"),
            )
            for found in qs.order_by().values(*keys).annotate(**measures)
        }
        if not has_median():
            times: dict[tuple[Any, ...], list[datetime.timedelta]] = {}
            for found in qs.filter(answered).order_by().values(*keys).annotate(time=to_answer):
                times.setdefault(tuple(found[key] for key in keys), []).append(found["time"])
            for group, values in times.items():
                rows[group].median = median_of(values)
        return rows

    by_province, by_target = table("province_id"), table("target_unit_id", "target_province_id")
    provinces = Province.objects.in_bulk(
        {key for (key,) in by_province} | {key for _, key in by_target} - {None}
    )
    units = Unit.objects.in_bulk({key for key, _ in by_target} - {None})
    for (province_id,), row in by_province.items():
        row.label = provinces[province_id].name
    for (unit_id, province_id), row in by_target.items():
        if unit_id is not None:
            row.label = units[unit_id].name
        elif province_id is not None:
            row.label = gettext("Province %(name)s") % {"name": provinces[province_id].name}
        else:
            row.label = "-"
    return {
        "by_province": sorted(by_province.values(), key=lambda r: thai_key(r.label)),
        "by_target": sorted(by_target.values(), key=lambda r: thai_key(r.label)),
    }


def totals(qs: QuerySet[CoordinationRequest], now: datetime.datetime) -> dict[str, int]:
    open_qs = qs.filter(status__in=RequestStatus.open_states())
    return {"open": open_qs.count(), "overdue": open_qs.filter(due_at__lt=now).count()}


# People the user can hand a request on to, or reassign it to


def district_officers_of(province: Province, on: datetime.date | None = None) -> list[Officer]:
    on = on or timezone.localdate()
    ids = RoleAssignment.objects.current(on).filter(role=Role.DISTRICT_OFFICER, province=province)
    return list(
        Officer.objects.filter(pk__in=ids.values("officer_id"), user__isnull=False, is_active=True)
        .select_related("user")
        .order_by(thai_order("first_name_th"))
    )


def pool_members(unit: Unit, on: datetime.date | None = None) -> list[Officer]:
    return desk_members(unit, on or timezone.localdate())


def reassign_candidates(request: CoordinationRequest) -> list[Officer]:
    """Who an open task may go to: the pool's members, else the officers of the province holding it."""
    if request.holder_unit is not None:
        return pool_members(request.holder_unit)
    province = request.holder_province or request.province
    on = timezone.localdate()
    ids = RoleAssignment.objects.current(on).filter(province=province).values("officer_id")
    return list(
        Officer.objects.filter(pk__in=ids, user__isnull=False, is_active=True)
        .select_related("user")
        .order_by(thai_order("first_name_th"))
    )


def timeline(request: CoordinationRequest) -> list[Any]:
    from django.contrib.contenttypes.models import ContentType

    return list(
        TimelineEntry.objects.filter(
            case_type=ContentType.objects.get_for_model(CoordinationRequest), case_id=request.pk
        ).select_related("actor__officer", "on_behalf_of__officer")
    )
