"""Reading coordination requests: who may see which, the lists of each role, filters, figures."""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import CoordinationRequest, RequestStatus
from cases.selectors import monitoring
from deadlines.models import TimelineEntry
from organisation.models import District, DistrictAssignment, Officer, Province, Role, RoleAssignment, Unit
from organisation.selectors.roles import UserScope, desk_members
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
    hours: list[float] = field(default_factory=list)

    @property
    def median_days(self) -> float | None:
        return round(statistics.median(self.hours) / 24, 1) if self.hours else None


def figures(qs: QuerySet[CoordinationRequest], now: datetime.datetime) -> dict[str, list[FigureRow]]:
    """Open, overdue and median time to answer (sent → answered, calendar days), by province and by target.
    One query: the rows are few columns of the filtered requests."""
    by_province: dict[str, FigureRow] = {}
    by_target: dict[str, FigureRow] = {}
    rows = qs.values_list(
        "status",
        "due_at",
        "sent_at",
        "answered_at",
        "province__name_th",
        "target_unit__name_th",
        "target_province__name_th",
    )
    open_states = set(RequestStatus.open_states())
    for status, due_at, sent_at, answered_at, province, unit, target_province in rows.iterator(
        chunk_size=5000
    ):
        target = unit or (f"จังหวัด{target_province}" if target_province else "-")
        for table, key in ((by_province, province), (by_target, target)):
            row = table.setdefault(key, FigureRow(label=key))
            if status in open_states:
                row.open += 1
                if due_at and due_at < now:
                    row.overdue += 1
            if answered_at and sent_at:
                row.answered += 1
                row.hours.append((answered_at - sent_at).total_seconds() / 3600)
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
