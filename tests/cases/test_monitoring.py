# ruff: noqa: F811  (the org fixture is imported; helpers and tests name their organisation org too)
"""The coordination monitoring pages (issue 14) against a hand-made set of requests in June 2026 (Chiang Mai,
a Lamphun request, the local-finance bureau): counts, within-deadline shares, medians and percentiles in working
days across the Queen's birthday (Wednesday 3 June) and the Visakha Bucha day in lieu (Monday 1 June), who sees
which page, the exports, and the link from each figure to the list of the requests behind it."""

from __future__ import annotations

import csv
import datetime
import io
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from cases.models import Category, CoordinationRequest, RequestStatus
from cases.selectors import monitoring as m
from cases.selectors.held import held
from deadlines.models import Deadline, DeadlineRule, ScheduledAction
from flows.coordination import CoordinationFlow
from organisation.models import Province
from tests.coordination import Org, clock, org  # noqa: F401  (fixtures)
from workdays.calendar import BANGKOK, working_calendar
from workdays.thai import thai_key

JUNE = "2569-06"
NOW = datetime.datetime(2026, 6, 8, 9, 0, tzinfo=BANGKOK)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 6) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=BANGKOK)


@dataclass
class World:
    org: Org
    r: dict[str, CoordinationRequest]


def _request(org: Org, name: str, **fields: Any) -> CoordinationRequest:
    defaults: dict[str, Any] = {
        "subject": f"เรื่อง {name}",
        "details": "รายละเอียด",
        "category": org.category,
        "urgency": "NORMAL",
        "province": org.chiang_mai,
        "district": org.district,
        "requester": org.officer,
        "target_unit": org.bureau,
        "status": RequestStatus.REVIEW,
        "number": f"ปส.ชม. {name}/2569",
    }
    defaults.update(fields)
    sent = defaults.get("sent_at") or NOW
    defaults.setdefault("created_at", sent)
    defaults.setdefault("updated_at", sent)
    return CoordinationRequest.objects.create(**defaults)


def _deadline(
    request: CoordinationRequest,
    step: str,
    *,
    started: datetime.datetime,
    due: datetime.datetime,
    closed: datetime.datetime | None,
    node: Any = None,
    **fields: Any,
) -> Deadline:
    """A step's deadline, done at `closed` (open when None); `node` makes a viewflow task of that node."""
    task_id = 10_000 + Deadline.objects.count()
    if node is not None:
        process = Process.objects.create(flow_class=CoordinationFlow, status=PROCESS.NEW, data={})
        task_id = Task.objects.create(
            process=process, flow_task=node, flow_task_type="HUMAN", status=STATUS.DONE
        ).pk
    return Deadline.objects.create(
        task_type=ContentType.objects.get_for_model(Task),
        task_id=task_id,
        case_type=ContentType.objects.get_for_model(CoordinationRequest),
        case_id=request.pk,
        step=step,
        urgency="NORMAL",
        rule=DeadlineRule.objects.filter(step=step).first(),
        started_at=started,
        due_at=due,
        status=Deadline.Status.DONE if closed else Deadline.Status.OPEN,
        closed_at=closed,
        **fields,
    )


@pytest.fixture
def world(org: Org) -> World:
    law = Category.objects.get(code="law")
    planning = Category.objects.get(code="planning")
    r: dict[str, CoordinationRequest] = {}
    # R1: routed across the Queen's birthday, answered by desk2, accepted.
    r["R1"] = _request(
        org,
        "R1",
        sent_at=at(2),
        routed_at=at(4),
        answered_at=at(5),
        answered_by=org.desk2,
        status=RequestStatus.CLOSED,
        closed_at=at(8, 8),
    )
    # R2: to Lamphun, routed the same day, handed on, answered on Monday 8 June: waits for acceptance.
    r["R2"] = _request(
        org,
        "R2",
        sent_at=at(2, 11),
        routed_at=at(2, 15),
        answered_at=at(8, 8, 30),
        status=RequestStatus.ANSWERED,
        target_unit=None,
        target_province=org.lamphun,
        due_at=at(15, 16, 30),
        holder=org.officer,
        holder_province=org.chiang_mai,
    )
    # R3: in the bureau's pool, nobody claimed it, overdue.
    r["R3"] = _request(
        org,
        "R3",
        sent_at=at(4, 9),
        routed_at=at(5, 9),
        status=RequestStatus.AT_TARGET,
        holder_unit=org.bureau,
        due_at=at(5, 16, 30),
    )
    # R4: waiting for the director's review.
    r["R4"] = _request(
        org,
        "R4",
        sent_at=at(5, 9),
        status=RequestStatus.REVIEW,
        holder=org.director,
        holder_province=org.chiang_mai,
        due_at=at(10, 16, 30),
        category=law,
        district=org.other_district,
    )
    r["R5"] = _request(
        org, "R5", sent_at=at(2, 9), status=RequestStatus.REJECTED, closed_at=at(3), category=law
    )
    r["R6"] = _request(
        org, "R6", sent_at=at(4), status=RequestStatus.WITHDRAWN, closed_at=at(5), category=planning
    )
    # R7: sent in May, answered on 4 June by the desk, reopened, the desk holds it again.
    r["R7"] = _request(
        org,
        "R7",
        sent_at=at(29, month=5),
        routed_at=at(29, 15, month=5),
        answered_at=at(4),
        answered_by=org.desk,
        reopened=True,
        reopened_at=at(5),
        status=RequestStatus.AT_TARGET,
        holder=org.desk,
        due_at=at(19, 16, 30),
    )
    _request(org, "R8", status=RequestStatus.DRAFT)  # a draft counts nowhere
    # R9: a Lamphun request to the bureau, in review there.
    r["R9"] = _request(
        org,
        "R9",
        sent_at=at(2),
        province=org.lamphun,
        district=org.lamphun_district,
        requester=org.lp_officer,
        status=RequestStatus.REVIEW,
        holder=org.lp_director,
        holder_province=org.lamphun,
        due_at=at(5, 16, 30),
    )
    review, answer, acceptance = "coordination.review", "coordination.answer", "coordination.acceptance"
    _deadline(r["R1"], review, started=at(2), due=at(5, 16, 30), closed=at(4))
    # As the flow writes them: a bureau's answer waits in its pool (no province); a target province's
    # handling is its group director's; a district officer's answer is held in the province by someone else.
    _deadline(r["R1"], answer, started=at(4), due=at(18, 16, 30), closed=at(5), unit=org.bureau)
    _deadline(r["R1"], acceptance, started=at(5), due=at(12, 16, 30), closed=at(8, 8))
    _deadline(r["R2"], review, started=at(2, 11), due=at(2, 16, 30), closed=at(2, 15))
    _deadline(
        r["R2"],
        answer,
        started=at(2, 15),
        due=at(16, 16, 30),
        closed=at(4),
        node=CoordinationFlow.handle,
        province=org.lamphun,
        assignee=org.lp_director,
        assignee_is_director=True,
    )
    late_answer = _deadline(
        r["R2"],
        answer,
        started=at(4),
        due=at(5, 16, 30),
        closed=at(8, 8, 30),
        node=CoordinationFlow.district_answer,
        province=org.lamphun,
        assignee=org.lp_officer,
    )
    late_review = _deadline(r["R3"], review, started=at(4, 9), due=at(4, 16, 30), closed=at(5, 9))
    _deadline(r["R5"], review, started=at(2, 9), due=at(5, 16, 30), closed=at(3))
    _deadline(r["R4"], review, started=at(5, 9), due=at(10, 16, 30), closed=None)  # open: not counted
    for deadline, level, fired in ((late_review, 1, at(5, 8, 30)), (late_answer, 2, at(8, 8, 30))):
        ScheduledAction.objects.create(
            deadline=deadline,
            kind=ScheduledAction.Kind.ESCALATION,
            position=level,
            fire_at=fired,
            status=ScheduledAction.Status.FIRED,
            fired_at=fired,
        )
    return World(org, r)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="accounts.backends.LocalBackend")
    return client


def test_the_holidays_the_figures_cross(db: None) -> None:
    calendar = working_calendar()
    assert not calendar.is_working_day(datetime.date(2026, 6, 3))
    assert not calendar.is_working_day(datetime.date(2026, 6, 1))


def test_periods_in_the_buddhist_era() -> None:
    today = datetime.date(2026, 6, 8)
    fy = m.parse_period("", today)
    assert fy is not None and fy.key == "2569"
    assert (fy.start, fy.end) == (datetime.date(2025, 10, 1), datetime.date(2026, 9, 30))
    q1 = m.parse_period("2569-Q1", today)
    assert q1 is not None and (q1.start, q1.end) == (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
    june = m.parse_period(JUNE, today)
    assert june is not None and (june.start, june.end) == (
        datetime.date(2026, 6, 1),
        datetime.date(2026, 6, 30),
    )
    assert june.label() == "มิถุนายน 2569"
    assert q1.label() == "ไตรมาส 1 ปีงบประมาณ 2569"
    for bad in ("2569-13", "abcd", "2569-Q5", "1999", "9999"):
        assert m.parse_period(bad, today) is None
    months = m.last_twelve_months(today)
    assert [months[0].key, months[-1].key] == ["2568-07", "2569-06"]


def test_weighted_percentile_is_percentile_cont() -> None:
    assert m.weighted_percentile([(2, 2), (3, 1)], 0.5) == 2
    assert m.weighted_percentile([(2, 2), (3, 1)], 0.9) == pytest.approx(2.8)
    assert m.weighted_percentile([(1, 1), (4, 1)], 0.5) == 2.5
    assert m.weighted_percentile([], 0.5) is None


def test_the_province_figures_by_hand(world: World) -> None:
    ms = m.MonitorScope(provinces=frozenset({world.org.chiang_mai.pk}))
    june = m.parse_period(JUNE, NOW.date())
    assert june is not None
    f = m.figures(
        m.requests_in(ms, province=world.org.chiang_mai.pk), june, now=NOW, calendar=working_calendar()
    )
    assert f.events == {
        "sent": 6,
        "routed": 3,
        "answered": 3,
        "accepted": 1,
        "reopened": 1,
        "closed": 1,
        "rejected": 1,
        "withdrawn": 1,
    }
    assert (f.open_now, f.overdue_now) == (4, 1)
    assert {s: n for s, _l, n in f.by_step if n} == {"REVIEW": 1, "AT_TARGET": 2, "ANSWERED": 1}
    # Ages on Monday 8 June: R2, R4 and R7 ... in working days since sending.
    ages = {k: n for k, _l, n in f.by_age}
    # R2 sent 2 June: 4, 5, 8 June = 3; R3 sent 4 June: 5, 8 = 2; R4 sent 5 June: 8 = 1; R7 29 May: 2, 4, 5, 8 = 4
    assert ages == {"0-2": 2, "3-5": 2, "6-10": 0, "11-20": 0, "21-": 0}
    shares = {s.key: (s.done, s.on_time, s.percent) for s in f.shares}
    assert shares == {
        "review": (4, 3, 75.0),
        "handling": (2, 2, 100.0),
        "district_answer": (1, 0, 0.0),
        "reply": (0, 0, None),
        "acceptance": (1, 1, 100.0),
    }
    # Sending to routing (routed in June): R1 2→4 June across the 3rd = 1, R2 same day = 0, R3 4→5 June = 1.
    assert (f.to_routing.count, f.to_routing.median, f.to_routing.p90) == (3, 1, 1)
    # Sending to an answer (answered in June): R1 2→5 June = 2 (not 3: the 3rd is a holiday), R2 2→8 June = 3,
    # R7 29 May→4 June = 2 (1 and 3 June are holidays).
    assert (f.to_answer.count, f.to_answer.median) == (3, 2)
    assert f.to_answer.p90 == pytest.approx(2.8)
    assert f.escalations == [(1, 1), (2, 1)]
    assert [(c.code, n) for c, n in f.categories] == [("budget", 3), ("law", 2), ("planning", 1)]


def test_the_unit_figures_by_hand(world: World) -> None:
    org = world.org
    ms = m.MonitorScope(units=frozenset({org.bureau.pk}))
    june = m.parse_period(JUNE, NOW.date())
    assert june is not None
    qs = m.requests_in(ms, unit=org.bureau.pk)
    f = m.figures(qs, june, now=NOW, calendar=working_calendar())
    # R1, R3, R4, R5, R6 (Chiang Mai) and R9 (Lamphun) were sent to the bureau in June; R1 and R3 routed.
    assert (f.events["sent"], f.events["routed"], f.events["answered"]) == (6, 2, 2)
    people = m.unit_people(org.bureau, qs, june, NOW)
    assert (people["waiting"], people["overdue"]) == (1, 1)
    got = {p.officer.user.username: (p.holding, p.overdue, p.answered) for p in people["people"]}
    assert got == {"t.desk": (1, 0, 1), "t.desk2": (0, 0, 1)}


def test_the_national_rows(world: World) -> None:
    org = world.org
    june = m.parse_period(JUNE, NOW.date())
    assert june is not None
    qs = m.requests_in(m.MonitorScope(everything=True))
    rows = {r.pk: r for r in m.province_rows(qs, june, now=NOW, calendar=working_calendar())}
    cm, lp = rows[org.chiang_mai.pk], rows[org.lamphun.pk]
    assert (cm.sent, cm.routed, cm.closed, cm.open, cm.overdue) == (6, 3, 1, 4, 1)
    assert (lp.sent, lp.received, lp.answered, lp.answered_on_time, lp.median_answer) == (1, 1, 1, 1, 3)
    units = {r.pk: r for r in m.unit_rows(qs, june, now=NOW, calendar=working_calendar())}
    assert (units[org.bureau.pk].received, units[org.bureau.pk].answered) == (2, 2)
    assert units[org.bureau.pk].answered_on_time == 1  # R1's answer; R7's answer had no deadline here


PAGES = ["national", "province-cm", "province-lp", "unit", "other-unit", "trends", "trends-lp"]


def _urls(org: Org) -> dict[str, str]:
    q = f"?period={JUNE}"
    return {
        "national": reverse("requests:monitor-national") + q,
        "province-cm": reverse("requests:monitor-province", args=[org.chiang_mai.pk]) + q,
        "province-lp": reverse("requests:monitor-province", args=[org.lamphun.pk]) + q,
        "unit": reverse("requests:monitor-unit", args=[org.bureau.pk]) + q,
        "other-unit": reverse("requests:monitor-unit", args=[org.other_bureau.pk]) + q,
        "trends": reverse("requests:monitor-trends") + q,
        "trends-lp": reverse("requests:monitor-trends") + q + f"&province={org.lamphun.pk}",
    }


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("central", set(PAGES)),
        ("director", {"province-cm"}),
        ("head", {"province-cm"}),
        ("desk", {"unit"}),
        ("other_desk", {"other-unit"}),
        ("officer", set()),
    ],
)
def test_who_sees_which_page(world: World, who: str, allowed: set[str]) -> None:
    client = _client(getattr(world.org, who))
    for name, url in _urls(world.org).items():
        response = client.get(url)
        assert response.status_code == (200 if name in allowed else 404), (who, name, response.status_code)
    index = client.get(reverse("requests:monitor"))
    assert index.status_code == (302 if allowed else 404)


def test_the_nav_shows_the_page_to_those_who_see_it(world: World) -> None:
    for who, shown in (("central", True), ("director", True), ("desk", True), ("officer", False)):
        body = _client(getattr(world.org, who)).get(reverse("home")).content.decode()
        assert (reverse("requests:monitor") in body) is shown, who


def test_bad_periods_answer_404(world: World) -> None:
    client = _client(world.org.central)
    assert client.get(reverse("requests:monitor-national") + "?period=2569-13").status_code == 404
    assert client.get(reverse("requests:monitor-national") + "?sort=nonsense").status_code == 200


def _count(body: str) -> int:
    return body.count('class="req-number-cell"')


def _figure_links(body: str) -> list[tuple[str, int]]:
    """(list URL, the number shown) of every figure linked to a request list."""
    found = []
    for href, inner in re.findall(
        r'<a (?:class="[^"]*" )?href="(/requests/(?:all|province|unit)/\?[^"]+)"[^>]*>(.*?)</a>', body, re.S
    ):
        text = re.sub(r"<[^>]+>", " ", inner)
        digits = re.search(r"\d[\d,]*", text)
        if digits and "%" not in text:
            found.append((href.replace("&amp;", "&"), int(digits.group().replace(",", ""))))
    return found


@pytest.mark.parametrize("who", ["central", "director", "desk"])
def test_every_figure_links_to_the_requests_behind_it(world: World, who: str) -> None:
    org = world.org
    user = getattr(org, who)
    client = _client(user)
    page = {"central": "national", "director": "province-cm", "desk": "unit"}[who]
    body = client.get(_urls(org)[page]).content.decode()
    links = _figure_links(body)
    assert len(links) > 20
    for url, shown in links:
        listed = client.get(url)
        assert listed.status_code == 200, url
        assert _count(listed.content.decode()) == shown, (url, shown)


def test_the_list_says_which_figure_it_shows(world: World) -> None:
    client = _client(world.org.director)
    body = client.get(
        reverse("requests:province") + "?event=answered&date_from=2026-06-01&date_to=2026-06-30"
    ).content.decode()
    assert "req-monitor-note" in body
    assert _count(body) == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_of_every_table(world: World, fmt: str) -> None:
    org = world.org
    client = _client(org.central)
    base = f"?period={JUNE}"
    for what, scope in (
        ("figures", ""),
        ("provinces", ""),
        ("units", ""),
        ("districts", f"&province={org.chiang_mai.pk}"),
        ("people", f"&unit={org.bureau.pk}"),
        ("trends", f"&province={org.chiang_mai.pk}"),
    ):
        response = client.get(reverse("requests:monitor-export", args=[what, fmt]) + base + scope)
        assert response.status_code == 200, what
        assert f".{fmt}" in response["Content-Disposition"]
    csv_body = client.get(reverse("requests:monitor-export", args=["provinces", "csv"]) + base).content
    rows = list(csv.reader(io.StringIO(csv_body.decode("utf-8-sig"))))
    cm = next(row for row in rows if row[0] == org.chiang_mai.name_th)
    assert cm[1:6] == ["6", "3", "1", "4", "1"]


def test_exports_keep_to_the_scope(world: World) -> None:
    org = world.org
    director = _client(org.director)
    base = f"?period={JUNE}"
    assert (
        director.get(reverse("requests:monitor-export", args=["provinces", "csv"]) + base).status_code == 404
    )
    assert (
        director.get(
            reverse("requests:monitor-export", args=["districts", "csv"])
            + base
            + f"&province={org.lamphun.pk}"
        ).status_code
        == 404
    )
    desk = _client(org.other_desk)
    assert (
        desk.get(
            reverse("requests:monitor-export", args=["people", "csv"]) + base + f"&unit={org.bureau.pk}"
        ).status_code
        == 404
    )


def test_trends_month_by_month(world: World) -> None:
    org = world.org
    months = m.last_twelve_months(NOW.date())
    qs = m.requests_in(m.MonitorScope(provinces=frozenset({org.chiang_mai.pk})), province=org.chiang_mai.pk)
    series = {s.key: s.values for s in m.trends(qs, months, calendar=working_calendar())}
    assert series["sent"][-2:] == [1, 6]  # May: R7; June: R1 to R6
    assert series["answered"][-1] == 3 and series["reopened"][-1] == 1
    assert series["on_time"][-1] == pytest.approx(100 * 6 / 8, abs=0.1)  # 8 steps done in June, 6 in time
    assert series["to_answer"][-1] == 2 and series["to_routing"][-2] == 0  # R7 routed on the day, in May
    assert series["escalations"][-1] == 2


def test_the_directors_queue_links_to_what_the_director_holds(world: World) -> None:
    """A Lamphun request to Chiang Mai still in Lamphun's review is not in Chiang Mai's queue, nor in its list."""
    org = world.org
    _request(
        org,
        "R10",
        sent_at=at(5),
        province=org.lamphun,
        district=org.lamphun_district,
        requester=org.lp_officer,
        target_unit=None,
        target_province=org.chiang_mai,
        status=RequestStatus.REVIEW,
        holder=org.lp_director,
        holder_province=org.lamphun,
        due_at=at(10, 16, 30),
    )
    client = _client(org.director)
    body = client.get(_urls(org)["province-cm"]).content.decode()
    queue = [(url, n) for url, n in _figure_links(body) if "held_in=" in url]
    assert len(queue) == 4
    for url, shown in queue:
        assert _count(client.get(url).content.decode()) == shown, url
    assert ("status=REVIEW" in queue[0][0]) and queue[0][1] == 1  # R4 only


def _sent_by_chiang_mai(client: Client) -> str:
    body = client.get(
        reverse("requests:monitor-export", args=["provinces", "csv"]) + f"?period={JUNE}"
    ).content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    return next(row for row in rows if row[0] == Province.objects.get(code="50").name_th)[1]


def test_a_pages_figures_are_counted_once_for_everyone_for_a_few_minutes(world: World, settings: Any) -> None:
    """At national scale the figures take seconds to count: the first look counts them, everyone else who
    sees the same scope and period gets the same figures (the page and its downloads) until they are
    MONITORING_FIGURES_SECONDS old, and the page says when they were counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MONITORING_FIGURES_SECONDS = 300
    org = world.org
    url = reverse("requests:monitor-national") + f"?period={JUNE}"
    first, second = _client(org.central), _client(org.central)
    with CaptureQueriesContext(connection) as counting:
        page = first.get(url)
    assert page.status_code == 200
    with CaptureQueriesContext(connection) as held:
        again = second.get(url)
    assert again.status_code == 200
    counted = [q["sql"] for q in counting.captured_queries if "cases_coordinationrequest" in q["sql"]]
    recounted = [q["sql"] for q in held.captured_queries if "cases_coordinationrequest" in q["sql"]]
    assert len(counted) >= 5 and recounted == []
    assert "ตัวเลข ณ" in again.content.decode() and "คำนวณใหม่ทุก 5 นาที" in again.content.decode()
    assert _sent_by_chiang_mai(second) == "6"

    _request(org, "R99", sent_at=at(10), status=RequestStatus.REVIEW)
    assert _sent_by_chiang_mai(second) == "6"  # the figures counted a moment ago, as the page shows them
    settings.MONITORING_FIGURES_SECONDS = 0
    assert _sent_by_chiang_mai(second) == "7"


def test_those_who_arrive_while_the_figures_are_counted_wait_for_that_count(settings: Any) -> None:
    """Ten people opening the national page together at a cold cache cost one count (1.3 s at national
    scale), not ten at once: the first counts, the others wait for its figures."""
    settings.MONITORING_FIGURES_SECONDS = 300
    counting, done = threading.Event(), threading.Event()
    counts: list[datetime.datetime] = []
    seen: list[int] = []

    def build(now: datetime.datetime) -> int:
        counts.append(now)
        counting.set()
        done.wait(5)
        return len(counts)

    def look() -> None:
        seen.append(held("test:arriving-together", build)[0])

    first = threading.Thread(target=look)
    first.start()
    assert counting.wait(5)
    others = [threading.Thread(target=look) for _ in range(3)]
    for other in others:
        other.start()
    time.sleep(0.3)  # the others have asked and are waiting
    done.set()
    for thread in [first, *others]:
        thread.join(5)
    assert len(counts) == 1 and seen == [1, 1, 1, 1]


def _province_order(body: str) -> list[str]:
    table = body.split('id="provinces-title"', 1)[1]
    return re.findall(r'<th scope="row"><a href="[^"]*">([^<]+)</a>', table.split("</table>", 1)[0])


def test_the_held_tables_follow_the_sort_the_language_and_the_count(
    world: World, settings: Any, clock: time_machine.Traveller
) -> None:
    """The national page's province and unit tables are rendered once while the figures are held: one copy per
    sort and language, and a new one as soon as the figures are counted again."""
    from organisation.cached import held_cache

    settings.MONITORING_FIGURES_SECONDS = 300
    org = world.org
    client = _client(org.central)
    url = reverse("requests:monitor-national") + f"?period={JUNE}"
    by_sent = _province_order(client.get(url + "&sort=sent").content.decode())
    by_name = _province_order(client.get(url + "&sort=name").content.decode())
    assert by_sent[0] == org.chiang_mai.name_th  # six requests sent: the most
    assert by_name == sorted(by_name, key=thai_key) and by_name != by_sent
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(url + "&sort=name").content.decode()
    client.post(reverse("set_language"), {"language": "th", "next": "/"})
    assert "Received as target" in english and org.chiang_mai.name_en in _province_order(english)

    _request(org, "R99", sent_at=at(10), status=RequestStatus.REVIEW)
    assert _sent_in_table(client.get(url).content.decode(), org.chiang_mai.pk) == "6"  # still held
    # The held figures are gone (expired, or evicted from a full cache) while a rendered table is still held:
    # the next look counts them again, a moment later, and the tables follow the new count.
    held_cache.delete(f"monitoring:national:{JUNE}:th")
    clock.shift(datetime.timedelta(seconds=1))
    assert _sent_in_table(client.get(url).content.decode(), org.chiang_mai.pk) == "7"


def _sent_in_table(body: str, province_pk: int) -> str:
    table = body.split('id="provinces-title"', 1)[1]
    row = re.search(
        rf'monitoring/province/{province_pk}/\?period=[^"]*">[^<]+</a></th>\s*<td[^>]*><a href="[^"]*">(\d+)',
        table,
    )
    assert row is not None
    return row.group(1)


def test_beat_counts_the_figures_the_national_page_opens_with_before_anyone_looks(
    world: World, settings: Any, clock: Any
) -> None:
    """The fiscal year so far, the whole country: a second or more to count at national scale. Beat counts it
    a minute before the held figures expire, in both languages, and the page itself never counts it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.tasks import count_national_figures

    settings.MONITORING_FIGURES_SECONDS = 300
    entry = settings.CELERY_BEAT_SCHEDULE["count-national-figures"]
    assert entry["task"] == count_national_figures.name and entry["schedule"] == 240
    assert count_national_figures.apply().get() == "2569"  # the fiscal year of 8 June 2026

    org = world.org
    url = reverse("requests:monitor-national")
    thai, english = _client(org.central), _client(org.central)
    english.post(reverse("set_language"), {"language": "en", "next": "/"})
    for client, words in ((thai, "ตัวเลข ณ"), (english, "Figures as of")):
        with CaptureQueriesContext(connection) as look:
            page = client.get(url)
        assert page.status_code == 200 and words in page.content.decode()
        assert [q for q in look.captured_queries if "cases_coordinationrequest" in q["sql"]] == []
    sent = _sent_in_table(thai.get(url).content.decode(), org.chiang_mai.pk)

    _request(org, "R99", sent_at=at(10), status=RequestStatus.REVIEW)
    clock.shift(datetime.timedelta(minutes=4))
    count_national_figures.apply()  # beat, four minutes later: the page shows the new count, still counting nothing
    with CaptureQueriesContext(connection) as look:
        page = thai.get(url)
    assert [q for q in look.captured_queries if "cases_coordinationrequest" in q["sql"]] == []
    assert _sent_in_table(page.content.decode(), org.chiang_mai.pk) == str(int(sent) + 1)
