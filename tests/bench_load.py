"""Load test (issue 12): the production web command under signed-in clients, page by page, beside a bare
"hello" view served by the same gunicorn command in the same run.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python -m tests.bench_load   (make bench)

1. A PostgreSQL database with a national data set, kept for the next run under a name that says what is in it
   (<database of DATABASE_URL>_load_<requests>): the organisation (central staff, a group director and a
   provincial head per province, a district officer for nearly each of the 878 districts, a bureau desk),
   BENCH_LOAD_REQUESTS coordination requests (default 100,000, about 5.7 tasks each, in every state), five
   years of monthly reporting (about 52,700 district reports and a million values) and about 1.8
   notifications per request (each with its e-mail delivery, a few failed). Written with bulk inserts and
   COPY (two to six minutes on this shared machine); a later run only migrates it (the bench then takes
   about two and a half minutes). BENCH_LOAD_REBUILD=1 builds it again,
   BENCH_LOAD_DROP=1 drops it at the end.
2. The web command of docker-compose.yml (gunicorn with gunicorn.conf.py, WEB_CONCURRENCY workers) on a free
   port: DEBUG off, a random SECRET_KEY, ALLOWED_HOSTS, sessions and cache in Redis (REDIS_URL, under a key
   prefix of this run's own), DJANGO_SETTINGS_MODULE=tests.load_settings (the production settings and URLs
   plus the hello view). Beside it, the same command with tests.load_settings_bare (no middleware at all)
   serves the reference: the bare Django hello view every page is quoted against, as issue 12 quotes it,
   measured again just before each page (the machine's load drifts during a run). The hello view through the
   service's middleware (request id and log line, metrics, sessions, CSP...) is printed too: the floor of any
   page.
3. BENCH_LOAD_SESSIONS sessions per person (default 2: each sign-in costs a production password hash),
   signed in through the sign-in form (the CSRF token read from the form). Then, per page, after a short
   warm-up, a closed loop of 10 clients for BENCH_LOAD_SECONDS (default 6), the person's sessions shared among
   them (as tabs of one browser); and of 50 clients for a third of that, to count errors under overload. Any
   answer but a 200 is an error. Meanwhile the requests' work is written once a second (BENCH_LOAD_WRITES; 0:
   never), as workers and other officers write it: every write draws the held pages again on their next look.

Printed per page: requests/s, p50/p95/p99 (ms, as the client sees them), errors, the share of the bare hello
view's requests/s, and the database queries per request (the server's own count, from /metrics). Targets
(goal 1): a share of at least 0.10, p95 under 100 ms at 10 clients, no errors at 50. A missed target is
printed as a warning, not a failure: the machine is shared and its load changes the figures (the load
average is printed). A page that answers anything but 200 at 10 clients fails the bench (exit 1).

The client is a few lines of asyncio: gunicorn's sync workers close the connection after every answer, so a
request is a connection, a request line and a read to the end; no client library spends the two cores this
machine shares between the server and its clients. Without PostgreSQL and Redis it says so and exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = int(os.environ.get("BENCH_LOAD_REQUESTS", "100000"))
NOTIFICATIONS_PER_REQUEST = 1.8  # 180,000 at the national size
CYCLES = int(os.environ.get("BENCH_LOAD_CYCLES", "60"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "6"))
CLIENTS = 10
OVERLOAD_CLIENTS = 50
# Signing in costs a production password hash (PBKDF2, about 0.3-1 s of a core): two sessions a person,
# shared by the clients of a page (a person with several tabs open).
SESSIONS_PER_PERSON = int(os.environ.get("BENCH_LOAD_SESSIONS", "2"))
# Meanwhile the requests' work is written this many times a second (0: nothing is written). Each write renews the
# stamp every held request list, queue and home page is kept under, nationally: the next look at each is drawn
# in full. One a second is about ten times the national
# average of a working day (some 3,000 writes to the requests in eight hours) and above its morning peak.
WRITES_PER_SECOND = float(os.environ.get("BENCH_LOAD_WRITES", "1"))
TARGET_SHARE = 0.10
TARGET_P95_MS = 100.0
PASSWORD = "bench-load-only-password"  # a throw-away database's accounts
# Bump when the data set changes shape: a kept database of another version is built again.
DATA_VERSION = 1
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")


def _with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def _db_name() -> str:
    base = urlsplit(DATABASE_URL).path.lstrip("/") or "dla"
    return f"{base[:30]}_load_{REQUESTS}"


def _admin(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    import psycopg

    url = _with_db(DATABASE_URL, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(sql, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def _stamp() -> str:
    return f"dla-bench-load v{DATA_VERSION} requests={REQUESTS} cycles={CYCLES} complete"


# --- the data set ----------------------------------------------------------------------------------------


def _copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    from tests.bench_reporting import insert_rows

    return insert_rows(table, columns, rows)


def build(now: datetime.datetime) -> dict[str, int]:
    """Everything, into the empty migrated database Django is connected to."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.db import connection
    from django.utils import timezone

    from cases.services.requests import defaults_ensure as request_defaults
    from organisation.models import Officer, Role, RoleAssignment, Unit
    from organisation.models.people import CivilServiceLevel
    from organisation.services.geography import geography_load
    from reporting.services.cycles import defaults_ensure as reporting_defaults
    from tests.bench_reporting import build_history, build_organisation

    geography_load()
    request_defaults()
    reporting_defaults()
    build_organisation(timezone.localdate(now))
    User = get_user_model()
    desk = User.objects.create(username="desk", email="desk@bench.dla.go.th")
    bureau = Unit.objects.get(code="local-finance")
    officer = Officer.objects.create(
        user=desk,
        prefix="นาง",
        first_name_th="สุภาพร",
        last_name_th="บุญมา",
        position="นักวิชาการเงินและบัญชี",
        level=CivilServiceLevel.PROFESSIONAL,
        unit=bureau,
        email=desk.email,
    )
    RoleAssignment.objects.create(
        officer=officer, role=Role.BUREAU_DESK, unit=bureau, start_date=datetime.date(2020, 10, 1)
    )
    # Everyone signs in with one password, hashed as production hashes it (PBKDF2, Django's default).
    User.objects.update(password=PBKDF2PasswordHasher().encode(PASSWORD, secrets.token_hex(11)))
    history = build_history(CYCLES, now)
    counts = build_requests(now, bureau=bureau)
    counts["notifications"], counts["deliveries"] = build_notifications(now)
    counts["reports"], counts["values"] = history["reports"], history["values"]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # autovacuum may be off: the visibility map for index-only scans
    return counts


def build_requests(now: datetime.datetime, *, bureau: Any) -> dict[str, int]:
    """REQUESTS requests over the provinces, each in the shape the flow leaves it (bench_requests.py's
    shapes): a process, its tasks (start, review, gateway, handle, acceptance, end as far as it went), two
    timeline entries."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connection
    from viewflow.workflow.models import Process, Task
    from viewflow.workflow.status import PROCESS, STATUS

    from cases.models import Category, CoordinationRequest, RequestStatus
    from deadlines.models import TimelineEntry
    from flows.coordination import CoordinationFlow
    from organisation.models import DistrictAssignment, Province

    User = get_user_model()
    users = {u.username: u for u in User.objects.all()}
    provinces = list(Province.objects.outside_bangkok().order_by("code"))
    held: dict[int, int] = {}  # user id -> a district they hold
    for a in DistrictAssignment.objects.select_related("officer"):
        held.setdefault(a.officer.user_id, a.district_id)
    officers_of: dict[str, list[Any]] = {p.code: [] for p in provinces}
    for name, user in users.items():
        if name.startswith("off") and user.pk in held:
            officers_of[name[3:].split("-")[0]].append(user)
    for group in officers_of.values():
        group.sort(key=lambda u: u.pk)
    category = Category.objects.get(code="budget")
    ct_request = ContentType.objects.get_for_model(CoordinationRequest)
    cycle = [
        RequestStatus.REVIEW,
        RequestStatus.AT_TARGET,  # another province's director
        RequestStatus.AT_TARGET,  # the bureau pool
        RequestStatus.ANSWERED,
        RequestStatus.CLOSED,
        RequestStatus.CLOSED,
        RequestStatus.CLOSED,
        RequestStatus.REJECTED,
        RequestStatus.RETURNED,
        RequestStatus.CLOSED,
    ]
    node = CoordinationFlow
    n_provinces = len(provinces)
    requests: list[Any] = []
    processes: list[Any] = []
    tasks: list[Any] = []
    entries: list[Any] = []
    task_id = 0
    made = {"requests": 0, "tasks": 0}

    def flush() -> None:
        Process.objects.bulk_create(processes, batch_size=5000)
        Task.objects.bulk_create(tasks, batch_size=5000)
        CoordinationRequest.objects.bulk_create(requests, batch_size=5000)
        TimelineEntry.objects.bulk_create(entries, batch_size=5000)
        made["requests"] += len(requests)
        made["tasks"] += len(tasks)
        for rows in (processes, tasks, requests, entries):
            rows.clear()

    for i in range(1, REQUESTS + 1):
        p = provinces[i % n_provinces]
        target = provinces[(i + 1) % n_provinces]
        slot = (i // n_provinces) % 10
        status = cycle[slot]
        requester = officers_of[p.code][(i // n_provinces) % len(officers_of[p.code])]
        director = users[f"dir{p.code}"]
        to_pool = slot == 2
        # Five years of requests, the open ones recent.
        age = datetime.timedelta(days=1 + (i * 7919) % (40 if status != RequestStatus.CLOSED else 1800))
        sent = now - age - datetime.timedelta(hours=i % 7)
        due = sent + datetime.timedelta(days=3 if status == RequestStatus.REVIEW else 10)
        holder: Any = None
        holder_unit = None
        holder_province: Any = p
        if status == RequestStatus.REVIEW:
            holder = director
        elif status == RequestStatus.AT_TARGET and not to_pool:
            holder, holder_province = users[f"dir{target.code}"], target
        elif status == RequestStatus.AT_TARGET:
            holder_unit, holder_province = bureau, None
        elif status in (RequestStatus.ANSWERED, RequestStatus.RETURNED):
            holder = requester
        finished = status in (RequestStatus.CLOSED, RequestStatus.REJECTED)
        processes.append(
            Process(
                id=i,
                flow_class=CoordinationFlow,
                status=PROCESS.DONE if finished else PROCESS.NEW,
                created=sent,
                finished=sent + datetime.timedelta(days=5) if finished else None,
                data={"request": i},
            )
        )

        def task(
            flow_task: Any, kind: str, state: str, owner: Any = None, *, _i: int = i, _s: Any = sent
        ) -> int:
            nonlocal task_id
            task_id += 1
            open_ = state in (STATUS.NEW, STATUS.ASSIGNED)
            tasks.append(
                Task(
                    id=task_id,
                    process_id=_i,
                    flow_task=flow_task,
                    flow_task_type=kind,
                    status=state,
                    owner=owner,
                    created=_s,
                    assigned=_s if owner else None,
                    finished=None if open_ else _s + datetime.timedelta(hours=2),
                )
            )
            return task_id

        current = None
        task(node.start, "START", STATUS.DONE)
        if status == RequestStatus.REVIEW:
            current = task(node.review, "HUMAN", STATUS.ASSIGNED, holder)
        else:
            task(node.review, "HUMAN", STATUS.DONE, director)
            task(node.after_review, "SWITCH", STATUS.DONE)
            if status == RequestStatus.RETURNED:
                current = task(node.revise, "HUMAN", STATUS.ASSIGNED, requester)
            elif status == RequestStatus.AT_TARGET:
                current = task(node.handle, "HUMAN", STATUS.ASSIGNED if holder else STATUS.NEW, holder)
            elif status != RequestStatus.REJECTED:
                task(node.handle, "HUMAN", STATUS.DONE, users[f"dir{target.code}"])
                task(node.after_handle, "SWITCH", STATUS.DONE)
                if status == RequestStatus.ANSWERED:
                    current = task(node.acceptance, "HUMAN", STATUS.ASSIGNED, requester)
                    task(node.acceptance__timeout, "TIMER", STATUS.SCHEDULED)
                else:
                    task(node.acceptance, "HUMAN", STATUS.DONE, requester)
                    task(node.after_acceptance, "SWITCH", STATUS.DONE)
            if finished:
                task(node.end, "END", STATUS.DONE)
        requests.append(
            CoordinationRequest(
                id=i,
                number=f"ปส.{p.abbreviation or p.code} {i}/2569",
                fiscal_year=2569,
                running_number=i,
                subject=f"ขอหารือเรื่องที่ {i} การเบิกจ่ายงบประมาณ",
                details="รายละเอียด",
                category=category,
                urgency="NORMAL",
                province=p,
                district_id=held[requester.pk],
                target_unit=bureau if to_pool else None,
                target_province=None if to_pool else target,
                status=status,
                requester=requester,
                process_id=i,
                current_task_id=current,
                holder=holder,
                holder_unit=holder_unit,
                holder_province=holder_province,
                due_at=None if finished else due,
                created_at=sent,
                sent_at=sent,
                updated_at=sent,
                answered_at=sent + datetime.timedelta(days=4)
                if status in (RequestStatus.ANSWERED, RequestStatus.CLOSED)
                else None,
            )
        )
        for k, event in enumerate(("sent", "routed")):
            entries.append(
                TimelineEntry(
                    case_type=ct_request,
                    case_id=i,
                    kind=TimelineEntry.Kind.STEP,
                    at=sent + datetime.timedelta(minutes=k),
                    actor=requester if k == 0 else director,
                    data={"event": event, "number": f"{i}", "to": "สำนักบริหารการคลังท้องถิ่น"},
                )
            )
        if len(requests) == 20000:
            flush()
    flush()
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Process, Task, CoordinationRequest]):
            cursor.execute(sql)
    return made


def build_notifications(now: datetime.datetime) -> tuple[int, int]:
    """About 1.8 notifications a request, spread over everyone who takes part in requests, five years
    back, the latest few unread; each with its e-mail delivery: sent, a few pending, one in 200 failed."""
    from django.contrib.auth import get_user_model

    from notifications.models import Delivery, Kind, Notification
    from tests.bench_reporting import _next_id, _reset_sequences

    User = get_user_model()
    people = list(
        User.objects.exclude(username__in=["central", "desk"]).order_by("pk").values_list("pk", flat=True)
    )
    total = int(REQUESTS * NOTIFICATIONS_PER_REQUEST)
    kinds = [Kind.TASK_ASSIGNED, Kind.ANSWERED, Kind.CLOSED, Kind.RETURNED, Kind.DUE_SOON, Kind.CYCLE_OPENED]
    first = _next_id(Notification)
    rng = random.Random(2569)
    notifications: list[tuple[Any, ...]] = []
    deliveries: list[tuple[Any, ...]] = []
    for n in range(total):
        pk = first + n
        recipient = people[n % len(people)]
        age = datetime.timedelta(minutes=(total - n) * 876)  # about five years, oldest first
        created = now - age
        request_id = 1 + (n * 7) % REQUESTS
        due = (created + datetime.timedelta(days=3)).isoformat()
        context = {
            "subject": f"ปส.ชม. {request_id}/2569 ขอหารือเรื่องที่ {request_id} การเบิกจ่ายงบประมาณ",
            "number": f"ปส.ชม. {request_id}/2569",
            "url": f"/requests/{request_id}/",
            "due_at": due,
        }
        unread = age < datetime.timedelta(days=20)
        notifications.append(
            (
                pk,
                recipient,
                kinds[n % len(kinds)].value,
                json.dumps(context),
                created,
                None if unread else created,
                True,
            )
        )
        pick = rng.randrange(1000)
        status = "FAILED" if pick < 5 else "PENDING" if pick < 7 and unread else "SENT"
        deliveries.append(
            (
                pk, pk, "email", f"{pk}:email", status, created, False, 8 if status == "FAILED" else 1,
                None, created if status == "SENT" else None, "relay refused" if status == "FAILED" else "",
            )
        )  # fmt: skip
    made = _copy(
        "notifications_notification",
        ["id", "recipient_id", "kind", "context", "created_at", "read_at", "show_in_app"],
        notifications,
    )
    made_deliveries = _copy(
        "notifications_delivery",
        [
            "id",
            "notification_id",
            "channel",
            "dedupe_key",
            "status",
            "not_before",
            "digest",
            "attempts",
            "claimed_at",
            "sent_at",
            "last_error",
        ],
        deliveries,
    )
    _reset_sequences([Notification, Delivery])
    return made, made_deliveries


def database_ready() -> tuple[str, float | None]:
    """The kept database of this data set, built if missing (or BENCH_LOAD_REBUILD=1), migrated either way.
    Returns its URL and the seconds the build took (None: reused)."""
    name = _db_name()
    stamp = _stamp()
    found = _admin("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
    rebuild = os.environ.get("BENCH_LOAD_REBUILD") == "1"
    url = _with_db(DATABASE_URL, name)
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    if found and found[0][0] == stamp and not rebuild:
        call_command("migrate", verbosity=0)
        connections.close_all()
        return url, None
    if found:
        _admin(f'DROP DATABASE "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    build(timezone.now())
    connections.close_all()
    _admin(f"COMMENT ON DATABASE \"{name}\" IS '{stamp}'")
    return url, time.perf_counter() - started


def data_sizes() -> dict[str, int]:
    from django.db import connection

    tables = {
        "requests": "cases_coordinationrequest",
        "tasks": "viewflow_task",
        "reports": "reporting_districtreport",
        "values": "reporting_reportvalue",
        "notifications": "notifications_notification",
        "deliveries": "notifications_delivery",
        "officers": "organisation_officer",
    }
    sizes = {}
    with connection.cursor() as cursor:
        for label, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # the names above
            sizes[label] = cursor.fetchone()[0]  # type: ignore[index]
    return sizes


# --- the server -------------------------------------------------------------------------------------------


def compose_web() -> tuple[list[str], dict[str, str]]:
    """The web service's command and environment in docker-compose.yml (read as text: its command is one
    JSON-style list, and the machine's Python may lack PyYAML)."""
    text = (ROOT / "docker-compose.yml").read_text()
    web = text.split("\n  web:\n", 1)[1].split("\n  worker:\n", 1)[0]
    command = json.loads(re.search(r"^\s+command: (\[.*\])$", web, re.M).group(1))  # type: ignore[union-attr]
    environment = dict(re.findall(r"^\s{6}([A-Z_]+): \"([^\"]*)\"$", web, re.M))
    for name, value in environment.items():  # "${WEB_CONCURRENCY:-3}": from the environment, else the default
        default = re.fullmatch(r"\$\{(\w+):-([^}]*)\}", value)
        if default:
            environment[name] = os.environ.get(default.group(1), default.group(2))
    return command, environment


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    command: list[str]
    workers: str
    cache_prefix: str


def server_start(database_url: str, settings_module: str = "tests.load_settings") -> Server:
    command, compose_env = compose_web()
    port = free_port()
    prefix = f"dla-bench-load-{os.getpid()}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))},
        **compose_env,
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain http on the loopback: production's cookies are Secure (behind the TLS proxy).
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "PORT": str(port),
        "BENCH_LOAD_CACHE_PREFIX": prefix,
    }
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"dla-bench-load-{os.getpid()}.log"
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    server = Server(process, port, log, command, env["WEB_CONCURRENCY"], prefix)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError):
            status, _h, _b = asyncio.run(fetch(port, "/bench-hello/"))
            if status == 200:
                return server
        time.sleep(0.3)
    server_stop(server)
    raise RuntimeError(f"gunicorn did not start (60 s): {log.read_text()[-2000:]}")


def server_stop(server: Server) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()
    with contextlib.suppress(Exception):
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{server.cache_prefix}:*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])


def workers_memory(server: Server) -> str:
    """Resident memory of each gunicorn worker (the master's children), for sizing a machine."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            if fields.get("PPid", "").strip() == str(server.process.pid):
                sizes.append(int(fields["VmRSS"].split()[0]) // 1024)
    return ", ".join(f"{mb} MiB" for mb in sorted(sizes)) or "unknown"


# --- the client -------------------------------------------------------------------------------------------


async def fetch(
    port: int, path: str, *, cookie: str = "", method: str = "GET", form: dict[str, str] | None = None
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request on its own connection (gunicorn's sync workers close it after the answer)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        body = urlencode(form).encode() if form is not None else b""
        head = [
            f"{method} {path} HTTP/1.1",
            "Host: 127.0.0.1",
            "Connection: close",
            "User-Agent: dla-bench-load",
        ]
        if cookie:
            head.append(f"Cookie: {cookie}")
        if form is not None:
            head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        data = await reader.read()
    finally:
        writer.close()
    header, _, content = data.partition(b"\r\n\r\n")
    lines = header.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1]) if lines and lines[0].startswith("HTTP/") else 0
    headers = [(k.strip().lower(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])]
    return status, headers, content


def _cookies(headers: list[tuple[str, str]], jar: dict[str, str]) -> None:
    for name, value in headers:
        if name == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]


async def sign_in(port: int, username: str) -> str:
    """Through the sign-in form, as a person does: the form (its CSRF token and cookie), then the post.
    Returns the Cookie header of the signed-in session."""
    jar: dict[str, str] = {}
    status, headers, body = await fetch(port, "/accounts/login/")
    if status != 200:
        raise RuntimeError(f"sign-in form answered {status}")
    _cookies(headers, jar)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if token is None:
        raise RuntimeError("no CSRF token in the sign-in form")
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    status, headers, _b = await fetch(
        port,
        "/accounts/login/",
        cookie=cookie,
        method="POST",
        form={
            "csrfmiddlewaretoken": token.group(1).decode(),
            "username": username,
            "password": PASSWORD,
            "next": "/",
        },
    )
    _cookies(headers, jar)
    if status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"signing in {username} answered {status}, not a redirect with a session")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def quantile(self, q: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100)[q - 1]


@dataclass
class Writer:
    """Writes to the requests' work while the pages are read, as a Celery worker's deadline firing or another
    officer's step does: an UPDATE of one request every 1/WRITES_PER_SECOND seconds, from this process, through
    the ORM and the service's own execute wrapper (organisation/cached.py's WorkWrites), which renews the work's
    stamp in the server's cache. The row is left as it was (its subject set to itself)."""

    request_pk: int
    writes: int = 0

    async def write(self, stop: float) -> None:
        from django.db.models import F

        from cases.models import CoordinationRequest

        def one() -> None:
            CoordinationRequest.objects.filter(pk=self.request_pk).update(subject=F("subject"))

        while WRITES_PER_SECOND > 0 and time.perf_counter() < stop:
            began = time.perf_counter()
            await asyncio.to_thread(one)
            self.writes += 1
            await asyncio.sleep(max(0.0, 1 / WRITES_PER_SECOND - (time.perf_counter() - began)))


@contextlib.contextmanager
def server_cache(server: Server) -> Iterator[None]:
    """This process's cache is the server's (its Redis, its key prefix), so that the writer's writes renew the
    stamps the server's pages are held under."""
    from django.test.utils import override_settings

    from project.release import caches_for

    default = {
        "BACKEND": "project.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": server.cache_prefix,
    }
    with override_settings(CACHES=caches_for(default, "bench-writer")):  # the writer holds nothing
        yield


async def closed_loop(
    port: int, path: str, cookies: Sequence[str], clients: int, seconds: float, writer: Writer | None = None
) -> Run:
    """`clients` clients, each sending its next request when its last is answered, for `seconds`; and the
    writer's comments meanwhile, if there is one."""
    run = Run()
    stop = time.perf_counter() + seconds

    async def client(n: int) -> None:
        cookie = cookies[n % len(cookies)] if cookies else ""
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                status, _h, _b = await fetch(port, path, cookie=cookie)
            except OSError:
                status = 0
            run.latencies.append((time.perf_counter() - started) * 1000)
            run.statuses[status] = run.statuses.get(status, 0) + 1
            if status != 200:
                run.errors += 1

    began = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)), *([writer.write(stop)] if writer else []))
    run.seconds = time.perf_counter() - began
    return run


def scrape_queries(port: int) -> dict[str, tuple[float, float]]:
    """The server's own count of database queries, by view: (sum, count) from /metrics."""
    _s, _h, body = asyncio.run(fetch(port, "/metrics"))
    found: dict[str, list[float]] = {}
    for line in body.decode().splitlines():
        match = re.match(r'dla_http_request_db_queries_(sum|count)\{view="([^"]*)"\} ([0-9.e+]+)', line)
        if match:
            found.setdefault(match.group(2), [0.0, 0.0])[0 if match.group(1) == "sum" else 1] += float(
                match.group(3)
            )
    return {view: (s, c) for view, (s, c) in found.items()}


def measure(
    server: Server, page: Page, cookies: Sequence[str], writer: Writer | None = None
) -> tuple[Run, Run, float | None]:
    """A warm-up, CLIENTS clients for SECONDS, then OVERLOAD_CLIENTS for a third of that, while the writer
    writes; and the queries per request the server counted (None when it does not count: the bare reference)."""
    asyncio.run(closed_loop(server.port, page.path, cookies, CLIENTS, min(1.5, SECONDS / 4), writer))
    before = scrape_queries(server.port).get(page.view, (0.0, 0.0))
    ten = asyncio.run(closed_loop(server.port, page.path, cookies, CLIENTS, SECONDS, writer))
    after = scrape_queries(server.port).get(page.view, (0.0, 0.0))
    fifty = asyncio.run(closed_loop(server.port, page.path, cookies, OVERLOAD_CLIENTS, SECONDS / 3, writer))
    queries = (after[0] - before[0]) / (after[1] - before[1]) if after[1] > before[1] else None
    return ten, fifty, queries


# --- the run ----------------------------------------------------------------------------------------------


@dataclass
class Page:
    label: str
    person: str  # user name, "" for the hello view
    path: str
    view: str


def pages() -> list[Page]:
    from reporting.models import ReportingCycle

    cycle = ReportingCycle.objects.filter(status=ReportingCycle.Status.OPEN).order_by("-pk").first()
    assert cycle is not None
    officer = "off50-1"
    return [
        Page("home, district officer", officer, "/", "home"),
        Page("home, group director", "dir50", "/", "home"),
        Page("home, provincial head", "head50", "/", "home"),
        Page("home, central staff", "central", "/", "home"),
        Page("home, unit member (bureau desk)", "desk", "/", "home"),
        Page("directory search", officer, "/directory/?" + urlencode({"q": "สมชาย"}), "directory"),
        Page("officer's request list", officer, "/requests/", "requests:mine"),
        Page("director's queue", "dir50", "/requests/queue/", "requests:queue"),
        Page("national reporting page", "central", f"/reports/cycles/{cycle.pk}/", "reporting:national"),
        Page("notifications", officer, "/notifications/", "notifications:inbox"),
        # The fiscal year so far: every request of the year counted (held for MONITORING_FIGURES_SECONDS).
        Page(
            "coordination monitoring, country",
            "central",
            "/requests/monitoring/country/",
            "requests:monitor-national",
        ),
    ]


def main() -> int:
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")) or not REDIS_URL.startswith("redis"):
        print(
            "bench_load skipped: it runs the production web command against PostgreSQL and Redis; "
            "set DATABASE_URL=postgres://... and REDIS_URL=redis://..."
        )
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.test_settings")
    url, built = database_ready()
    sizes = data_sizes()
    listed = pages()
    if os.environ.get("BENCH_LOAD_PAGES"):  # e.g. "home,notifications": the pages whose label has one of them
        wanted = os.environ["BENCH_LOAD_PAGES"].split(",")
        listed = [p for p in listed if any(w.strip() in p.label for w in wanted)]
    print(
        f"bench_load on {_db_name()} ({f'built in {built:.0f} s' if built is not None else 'kept from an earlier run'}): "
        f"{sizes['requests']:,} requests, {sizes['tasks']:,} tasks, {sizes['reports']:,} district reports, "
        f"{sizes['values']:,} values, {sizes['notifications']:,} notifications, {sizes['deliveries']:,} "
        f"deliveries, {sizes['officers']:,} officers"
    )
    from django.db import connections

    connections.close_all()
    # The reference, on a server of its own that stays up beside the service's: the hello view with no middleware
    # (tests/load_settings_bare), measured first and again just before each page, and each page is quoted against
    # the measurement beside it: the load of this shared machine drifts during a run (the reference has moved by
    # a factor of two between runs), and a page compared with a reference measured minutes earlier would carry
    # that drift. The idle server costs nothing while the other is measured.
    bare = Page("hello view, bare Django", "", "/bench-hello/", "bench-hello")
    reference = server_start(url, "tests.load_settings_bare")
    try:
        bare_results = measure(reference, bare, [])
        server = server_start(url)
    except BaseException:
        server_stop(reference)
        raise
    failures: list[str] = []
    warnings: list[str] = []
    try:
        print(
            f"server: {' '.join(server.command)} (gunicorn.conf.py), WEB_CONCURRENCY={server.workers}, "
            f"port {server.port}; {CLIENTS} clients for {SECONDS:.0f} s a page, {OVERLOAD_CLIENTS} for "
            f"{SECONDS / 3:.0f} s"
        )
        people = sorted({p.person for p in listed})
        started = time.perf_counter()

        async def sign_everyone_in() -> dict[str, list[str]]:
            sessions = await asyncio.gather(
                *(sign_in(server.port, person) for person in people for _ in range(SESSIONS_PER_PERSON))
            )
            return {
                person: list(sessions[n * SESSIONS_PER_PERSON : (n + 1) * SESSIONS_PER_PERSON])
                for n, person in enumerate(people)
            }

        sessions = asyncio.run(sign_everyone_in())
        from cases.models import CoordinationRequest

        writer = Writer(CoordinationRequest.objects.order_by("pk").values_list("pk", flat=True)[0])
        print(
            f"signed in {len(people) * SESSIONS_PER_PERSON} sessions through the form in "
            f"{time.perf_counter() - started:.1f} s ({len(people)} people); meanwhile the requests' work is written "
            f"{WRITES_PER_SECOND:g} times a second (BENCH_LOAD_WRITES)"
        )
        hello = Page("hello view, service's middleware", "", "/bench-hello/", "bench-hello")
        results: list[tuple[Page, Run, Run, float | None]] = [(bare, *bare_results)]
        beside: dict[str, float] = {
            bare.label: bare_results[0].rate
        }  # the reference's req/s next to each page
        with server_cache(server):
            for page in [hello, *listed]:
                beside[page.label] = asyncio.run(
                    closed_loop(reference.port, bare.path, [], CLIENTS, SECONDS / 2)
                ).rate
                results.append((page, *measure(server, page, sessions.get(page.person, []), writer)))
        print(
            f"\n{'page':<34}{'queries':>8}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}{'errors':>8}"
            f"{'hello':>7}{'share':>7}{'req/s@50':>10}{'err@50':>8}"
        )
        for page, ten, fifty, queries in results:
            base = beside[page.label]
            share = ten.rate / base if base else 0.0
            q = f"{queries:.1f}" if queries is not None else "-"
            print(
                f"{page.label:<34}{q:>8}{ten.rate:>8.0f}{ten.quantile(50):>7.0f}{ten.quantile(95):>7.0f}"
                f"{ten.quantile(99):>7.0f}{ten.errors:>8}{base:>7.0f}{share:>7.3f}{fifty.rate:>10.0f}"
                f"{fifty.errors:>8}"
            )
            if ten.errors:
                failures.append(f"{page.label}: {ten.errors} errors at {CLIENTS} clients ({ten.statuses})")
            if fifty.errors:
                warnings.append(
                    f"{page.label}: {fifty.errors} errors at {OVERLOAD_CLIENTS} clients ({fifty.statuses})"
                )
            if page not in (bare, hello) and share < TARGET_SHARE:
                warnings.append(
                    f"{page.label}: {share:.3f} of the hello view's requests/s (target {TARGET_SHARE})"
                )
            if page not in (bare, hello) and ten.quantile(95) >= TARGET_P95_MS:
                warnings.append(
                    f"{page.label}: p95 {ten.quantile(95):.0f} ms (target < {TARGET_P95_MS:.0f} ms)"
                )
        print(
            f"(ms as the clients see them; hello: the bare hello view's req/s at {CLIENTS} clients, measured just "
            f"before the page; share: the page's req/s over it; all hello measurements: "
            f"{', '.join(f'{rate:.0f}' for rate in beside.values())}; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; gunicorn workers' memory: "
            f"{workers_memory(server)})"
        )
        print(f"written meanwhile: {writer.writes:,} writes to the requests ({WRITES_PER_SECOND:g} a second)")
        for warning in warnings:
            print(f"WARN: {warning}")
        for failure in failures:
            print(f"FAIL: {failure}")
        return 1 if failures else 0
    finally:
        server_stop(server)
        server_stop(reference)
        with contextlib.suppress(OSError):
            server.log.unlink()
        if os.environ.get("BENCH_LOAD_DROP") == "1":
            _admin(f'DROP DATABASE IF EXISTS "{_db_name()}" WITH (FORCE)')


if __name__ == "__main__":
    # Stopped (SIGTERM, or Ctrl-C's SIGINT): unwind, so that the servers are stopped by the `finally`s.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
