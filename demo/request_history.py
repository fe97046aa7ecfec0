"""A year of finished coordination requests across the country, so that the monitoring pages (issue 14) show
real shapes on a fresh `make run`: sent by the district officers of every province, routed by their group
directors to a central unit or another province, answered, accepted (or closed by themselves), some
reopened, rejected or withdrawn; each step with its deadline (met or missed, in working days of the
service's calendar) and escalations of the late ones.

Written with bulk inserts (a few thousand rows; seconds, not minutes): the requests are done, so they carry
no viewflow process. Their numbers continue each province's running numbers of the fiscal year. Once: a
request with the history's key marks it."""

from __future__ import annotations

import datetime
import random
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from viewflow.workflow.models import Task

from cases.models import Category, CoordinationRequest, RequestCounter, RequestStatus
from cases.services.requests import province_abbreviation, target_units
from deadlines.models import Deadline, DeadlinePolicy, DeadlineRule, ScheduledAction
from organisation.models import DistrictAssignment, Province, Role, RoleAssignment
from workdays.calendar import fiscal_year, working_calendar

HISTORY_KEY = uuid.UUID("14141414-1414-4141-8141-141414141414")
PER_PROVINCE = 40  # requests a province sends over the year (about 3,000 in all)
TASK_ID_BASE = 900_000_000  # the history's deadlines name tasks that do not exist: far from real ones

SUBJECTS = [
    ("budget", "ขอหารือการเบิกจ่ายเงินอุดหนุนทั่วไป"),
    ("budget", "ขอหารือการโอนงบประมาณรายจ่ายประจำปี"),
    ("law", "ขอหารือการตีความระเบียบว่าด้วยการพัสดุ"),
    ("law", "ขอหารือหลักเกณฑ์การจัดทำข้อบัญญัติ"),
    ("personnel", "ขอทราบแนวทางการบรรจุแต่งตั้งพนักงานส่วนท้องถิ่น"),
    ("planning", "ขอหารือการแก้ไขแผนพัฒนาท้องถิ่น"),
    ("complaint", "ขอส่งเรื่องร้องเรียนการก่อสร้างถนน"),
    ("disaster", "ขอหารือการช่วยเหลือผู้ประสบภัยน้ำท่วม"),
    ("other", "ขอข้อมูลประกอบการประชุมประจำเดือน"),
]


def demo_request_history_exists() -> bool:
    return CoordinationRequest.objects.filter(idempotency_key=HISTORY_KEY).exists()


@transaction.atomic
def demo_request_history_seed(now: datetime.datetime | None = None) -> int:
    """The year's requests; returns how many (0: already there, or no district officers to send them)."""
    if demo_request_history_exists():
        return 0
    now = now or timezone.now()
    today = timezone.localdate(now)
    rng = random.Random(14)
    calendar = working_calendar()
    on = today
    officers: dict[int, list[tuple[int, int]]] = {}  # province → (user, district)
    for user_id, district_id, province_id in (
        DistrictAssignment.objects.current(on)
        .filter(officer__user__isnull=False)
        .values_list("officer__user_id", "district_id", "district__province_id")
    ):
        officers.setdefault(province_id, []).append((user_id, district_id))
    if not officers:
        return 0
    directors = dict(
        RoleAssignment.objects.current(on)
        .filter(role=Role.GROUP_DIRECTOR, officer__user__isnull=False)
        .values_list("province_id", "officer__user_id")
    )
    desks: dict[int, list[int]] = {}
    for unit_id, user_id in (
        RoleAssignment.objects.current(on)
        .filter(role=Role.BUREAU_DESK, officer__user__isnull=False)
        .values_list("unit_id", "officer__user_id")
    ):
        desks.setdefault(unit_id, []).append(user_id)
    provinces = {p.pk: p for p in Province.objects.filter(pk__in=list(officers))}
    units = target_units()
    # Most requests go to the bureaus with a desk (their pages show who claimed what), some to the others.
    staffed = [u for u in units if u.pk in desks] or units
    categories = {c.code: c for c in Category.objects.all()}
    policy = DeadlinePolicy.objects.filter(is_active=True).first()
    rules = {(r.step, r.urgency): r for r in DeadlineRule.objects.filter(policy=policy)}
    counters = {
        (c.province_id, c.fiscal_year): c
        for c in RequestCounter.objects.filter(province_id__in=list(officers))
    }
    province_ids = sorted(officers)

    def moment(day: datetime.date, hour: int) -> datetime.datetime:
        return calendar.opening(day) + datetime.timedelta(hours=hour - 8, minutes=rng.randrange(0, 50))

    def later(start: datetime.datetime, working_days: int, hour: int) -> datetime.datetime:
        return moment(calendar.add_working_days(timezone.localdate(start), working_days), hour)

    requests: list[CoordinationRequest] = []
    steps: list[list[tuple[str, datetime.datetime, datetime.datetime]]] = []  # (step, started, done)
    first_day = today - datetime.timedelta(days=365)
    for province_id in province_ids:
        province = provinces[province_id]
        busy = 0.5 + rng.random()  # some provinces ask more than others
        for _n in range(int(PER_PROVINCE * busy)):
            day = calendar.add_working_days(first_day + datetime.timedelta(days=rng.randrange(0, 350)), 0)
            if day >= today - datetime.timedelta(days=14):
                continue  # the last weeks are the live demo's (demo_requests_seed)
            sent = moment(day, rng.choice([9, 10, 11, 13, 14, 15]))
            user_id, district_id = rng.choice(officers[province_id])
            code, subject = rng.choice(SUBJECTS)
            to_province = rng.random() < 0.35 and len(province_ids) > 1
            target_province = (
                rng.choice([p for p in province_ids if p != province_id]) if to_province else None
            )
            target_unit = (
                None if to_province else (rng.choice(staffed) if rng.random() < 0.8 else rng.choice(units))
            )
            urgency = "URGENT" if rng.random() < 0.15 else "NORMAL"
            fate = rng.random()
            review_days = rng.choice([0, 0, 1, 1, 1, 2, 2, 3, 4, 5])
            routed = later(sent, review_days, rng.choice([10, 11, 14, 15]))
            record: list[tuple[str, datetime.datetime, datetime.datetime]] = []
            r = CoordinationRequest(
                subject=subject,
                details=f"{subject} เพื่อให้การดำเนินการเป็นไปด้วยความถูกต้องตามระเบียบ",
                category=categories[code],
                urgency=urgency,
                province=province,
                district_id=district_id,
                target_unit=target_unit,
                target_province_id=target_province,
                requester_id=user_id,
                created_at=sent,
                sent_at=sent,
                updated_at=sent,
            )
            if fate < 0.05:  # withdrawn while in review
                r.status, r.closed_at = RequestStatus.WITHDRAWN, later(sent, max(review_days - 1, 0), 16)
                r.reason = "ได้รับคำแนะนำจากจังหวัดแล้ว"
            elif fate < 0.12:  # rejected by the director
                r.status, r.closed_at = RequestStatus.REJECTED, routed
                r.reason = "เป็นเรื่องที่อำเภอดำเนินการได้เอง"
                record.append(("coordination.review", sent, routed))
            else:
                answer_days = rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 15])
                answered = later(routed, answer_days, rng.choice([10, 11, 13, 15]))
                if answered >= now:
                    continue
                record += [("coordination.review", sent, routed), ("coordination.answer", routed, answered)]
                r.routed_at, r.answered_at = routed, answered
                r.answer = "ได้พิจารณาแล้ว ขอให้ดำเนินการตามระเบียบที่เกี่ยวข้อง"
                r.answered_by_id = (
                    rng.choice(desks[target_unit.pk])
                    if target_unit is not None and target_unit.pk in desks
                    else directors.get(target_province or 0)
                )
                if rng.random() < 0.06:  # reopened once, answered again
                    reopened = later(answered, rng.choice([1, 2]), 10)
                    record.append(("coordination.acceptance", answered, reopened))
                    answered = later(reopened, rng.choice([1, 2, 3]), 14)
                    record.append(("coordination.answer", reopened, answered))
                    r.reopened, r.reopened_at, r.answered_at = True, reopened, answered
                auto = rng.random() < 0.15
                closed = later(answered, 5 if auto else rng.choice([0, 1, 1, 2, 3]), 16 if auto else 11)
                if closed >= now:
                    continue
                r.status, r.closed_at, r.closed_automatically = RequestStatus.CLOSED, closed, auto
                if not auto:
                    record.append(("coordination.acceptance", answered, closed))
            r.updated_at = r.closed_at or sent
            requests.append(r)
            steps.append(record)
    # Numbers: each province's running numbers of the fiscal year, after those given already.
    requests.sort(key=lambda r: (r.sent_at, r.province_id))
    for r in requests:
        assert r.sent_at is not None
        year = fiscal_year(timezone.localdate(r.sent_at))
        counter = counters.get((r.province_id, year))
        if counter is None:
            counter = counters[(r.province_id, year)] = RequestCounter(
                province_id=r.province_id, fiscal_year=year, last=0
            )
        counter.last += 1
        r.fiscal_year, r.running_number = year, counter.last
        r.number = f"ปส.{province_abbreviation(provinces[r.province_id])} {counter.last}/{year}"
    if requests:
        requests[0].idempotency_key = HISTORY_KEY
    RequestCounter.objects.bulk_create(
        list(counters.values()),
        update_conflicts=True,
        unique_fields=["province", "fiscal_year"],
        update_fields=["last"],
    )
    CoordinationRequest.objects.bulk_create(requests, batch_size=2000)
    saved = {
        (r.province_id, r.fiscal_year, r.running_number): r.pk
        for r in CoordinationRequest.objects.filter(
            province_id__in=province_ids, sent_at__isnull=False, process__isnull=True
        ).only("pk", "province_id", "fiscal_year", "running_number")
    }
    ct_task = ContentType.objects.get_for_model(Task)
    ct_request = ContentType.objects.get_for_model(CoordinationRequest)
    deadlines: list[Deadline] = []
    for n, (r, record) in enumerate(zip(requests, steps, strict=True)):
        pk = saved[(r.province_id, r.fiscal_year, r.running_number)]
        for k, (step, started, done) in enumerate(record):
            rule = rules.get((step, r.urgency)) or rules.get((step, "NORMAL"))
            if rule is None:
                continue
            deadlines.append(
                Deadline(
                    task_type=ct_task,
                    task_id=TASK_ID_BASE + n * 10 + k,
                    case_type=ct_request,
                    case_id=pk,
                    step=step,
                    urgency=r.urgency,
                    rule=rule,
                    province_id=r.province_id,
                    started_at=started,
                    due_at=calendar.deadline(started, rule.working_days),
                    status=Deadline.Status.DONE,
                    closed_at=done,
                )
            )
    created = Deadline.objects.bulk_create(deadlines, batch_size=2000)
    if any(d.pk is None for d in created):  # a database that does not return the keys
        created = list(Deadline.objects.filter(task_id__gte=TASK_ID_BASE))
    actions = []
    for d in created:
        if d.closed_at is None or d.closed_at <= d.due_at or d.step == "coordination.acceptance":
            continue
        late_days = calendar.working_days_between(
            timezone.localdate(d.due_at), timezone.localdate(d.closed_at)
        )
        for level, after in ((1, 0), (2, 2), (3, 5)):
            if late_days >= after:
                fired = (
                    calendar.next_working_morning(d.due_at)
                    if after == 0
                    else calendar.opening(calendar.add_working_days(timezone.localdate(d.due_at), after))
                )
                actions.append(
                    ScheduledAction(
                        deadline=d,
                        kind=ScheduledAction.Kind.ESCALATION,
                        position=level,
                        fire_at=fired,
                        status=ScheduledAction.Status.FIRED,
                        fired_at=fired,
                    )
                )
    ScheduledAction.objects.bulk_create(actions, batch_size=2000)
    return len(requests)
