"""A realistic demo organisation for `make run`: four provinces with their people, central staff and a
bureau desk. Idempotent: when the demo is there already, nothing changes."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from cases.models import Category, CoordinationRequest
from cases.services import requests as svc
from deadlines.services.deadlines import due_actions_fire
from flows.task_life import outer_transaction_allowed
from organisation.cached import reference_forget
from organisation.models import (
    District,
    DistrictAssignment,
    DistrictNeighbour,
    Officer,
    Province,
    Role,
    RoleAssignment,
    Unit,
)
from organisation.models.people import CivilServiceLevel
from organisation.selectors.roles import scopes_forget
from organisation.services.appointments import acting_deputy_set, role_appoint
from organisation.services.assignments import district_assign
from organisation.services.imports import neighbours_import
from workdays.calendar import working_calendar

DEMO_PASSWORD = "demo-2568"
DEMO_START = datetime.date(2025, 10, 1)  # the first day of fiscal year 2569

FIRST_NAMES = [
    ("นาย", "สมชาย", "Somchai"),
    ("นาง", "สุภาพร", "Supaporn"),
    ("นาย", "ประเสริฐ", "Prasert"),
    ("นางสาว", "กมลวรรณ", "Kamonwan"),
    ("นาย", "วีระพงษ์", "Weerapong"),
    ("นาง", "อรุณี", "Arunee"),
    ("นาย", "ธนากร", "Thanakorn"),
    ("นางสาว", "พิมพ์ชนก", "Pimchanok"),
    ("นาย", "สุรเชษฐ์", "Surachet"),
    ("นาง", "รัตนาภรณ์", "Rattanaporn"),
    ("นาย", "ณัฐพล", "Nattapon"),
    ("นางสาว", "ศิริพร", "Siriporn"),
    ("นาย", "อนุชา", "Anucha"),
    ("นาง", "จันทร์เพ็ญ", "Chanpen"),
    ("นาย", "กิตติศักดิ์", "Kittisak"),
    ("นางสาว", "วราภรณ์", "Waraporn"),
    ("นาย", "ชัยวัฒน์", "Chaiwat"),
    ("นาง", "นงลักษณ์", "Nongluck"),
]
LAST_NAMES = [
    ("ศรีสุข", "Srisuk"),
    ("วงศ์ใหญ่", "Wongyai"),
    ("แก้วมณี", "Kaewmanee"),
    ("ทองดี", "Thongdee"),
    ("บุญมา", "Boonma"),
    ("จันทร์แก้ว", "Jankaew"),
    ("สายทอง", "Saithong"),
    ("พรหมมา", "Promma"),
    ("อินทร์แปลง", "Inplaeng"),
    ("ชัยมงคล", "Chaimongkol"),
    ("เรืองศรี", "Ruengsri"),
]


@dataclass(frozen=True)
class DemoProvince:
    code: str
    prefix: str  # username prefix
    officers: int  # district officers; the first two hold two districts each
    phone: str  # the provincial office's number


DEMO_PROVINCES = [
    DemoProvince("50", "cm", 14, "053 112 345"),  # เชียงใหม่ (25 districts: some left without an officer)
    DemoProvince("51", "lp", 6, "053 511 234"),  # ลำพูน (8 districts)
    DemoProvince("40", "kk", 12, "043 236 410"),  # ขอนแก่น (26 districts)
    DemoProvince("83", "pk", 2, "076 211 456"),  # ภูเก็ต (3 districts)
]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    name: str
    scope: str


class _Names:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> tuple[str, str, str, str, str]:
        prefix, first_th, first_en = FIRST_NAMES[self.n % len(FIRST_NAMES)]
        last_th, last_en = LAST_NAMES[(self.n * 7 + self.n // len(FIRST_NAMES)) % len(LAST_NAMES)]
        self.n += 1
        return prefix, first_th, first_en, last_th, last_en


def _officer(
    names: _Names,
    *,
    username: str,
    position: str,
    level: CivilServiceLevel,
    province: Province | None,
    unit: Unit | None,
    since: datetime.date,
    password: str | None,
    former_district_officer: bool = False,
    phone: str = "",
) -> Officer:
    prefix, first_th, first_en, last_th, last_en = names.next()
    user = User.objects.create(
        username=username, password=_password_hash(password), email=f"{username}@demo.dla.go.th"
    )
    return Officer.objects.create(
        user=user,
        prefix=prefix,
        first_name_th=first_th,
        last_name_th=last_th,
        first_name_en=first_en,
        last_name_en=last_en,
        position=position,
        level=level,
        province=province,
        unit=unit,
        phone=phone,
        email=user.email,
        position_since=since,
        former_district_officer=former_district_officer,
    )


def _password_hash(password: str | None) -> str:
    """The demo accounts' shared password (a developer's machine), or an unusable one for each account
    (they sign in through SSO)."""
    return _shared_password_hash(password) if password is not None else make_password(None)


@functools.cache
def _shared_password_hash(password: str) -> str:
    """Hashed once: hashing forty times would make the first `make run` slow for nothing."""
    return make_password(password)


def demo_exists() -> bool:
    return User.objects.filter(username="central").exists()


def demo_seed(*, password: str | None = None) -> bool:
    """Create the demo organisation and its coordination requests; returns False (and changes nothing) when
    they exist already. Its accounts share `password`; without one, none has a usable password."""
    created = _organisation_seed(password=password)
    return demo_requests_seed() or created


@transaction.atomic
def _organisation_seed(*, password: str | None) -> bool:
    if demo_exists():
        return False
    admin = User.objects.create_superuser(username="admin", password=password, email="admin@demo.dla.go.th")
    names = _Names()
    centre = Unit.objects.get(kind=Unit.Kind.COORDINATION_CENTRE)
    central = _officer(
        names,
        username="central",
        position="นักวิเคราะห์นโยบายและแผน",
        level=CivilServiceLevel.SENIOR_PROFESSIONAL,
        province=None,
        unit=centre,
        since=datetime.date(2021, 3, 1),
        password=password,
        phone="02 241 9013",
    )
    role_appoint(officer=central, role=Role.CENTRAL_STAFF, start_date=DEMO_START, by=admin, unit=centre)
    bureau = Unit.objects.get(code="local-finance")
    desk = _officer(
        names,
        username="bureau",
        position="นักวิชาการเงินและบัญชี",
        level=CivilServiceLevel.PROFESSIONAL,
        province=None,
        unit=bureau,
        since=datetime.date(2019, 6, 1),
        password=password,
        phone="02 241 9000 ต่อ 4101",
    )
    role_appoint(officer=desk, role=Role.BUREAU_DESK, start_date=DEMO_START, by=admin, unit=bureau)
    # The bureaus and divisions: the Department's switchboard and an extension each (made up for the demo).
    for n, unit in enumerate(Unit.objects.filter(kind__in=[Unit.Kind.BUREAU, Unit.Kind.DIVISION], phone="")):
        unit.phone, unit.email = f"02 241 9000 ต่อ {4100 + 100 * n}", f"{unit.code}@demo.dla.go.th"
        unit.save(update_fields=["phone", "email"])
    demo_neighbours_seed()

    for demo in DEMO_PROVINCES:
        _seed_province(demo, names=names, admin=admin, password=password)
    return True


DEMO_NEIGHBOURS = settings.BASE_DIR / "data" / "examples" / "neighbours-example.csv"


def demo_neighbours_seed() -> bool:
    """Adjoining districts of Chiang Mai (and the Lamphun district beside them) from the example file, so that
    assigning a district shows whether it adjoins an officer's other districts. Once: nothing when any pair is
    stored."""
    if DistrictNeighbour.objects.exists():
        return False
    neighbours_import(data=DEMO_NEIGHBOURS.read_bytes(), filename=DEMO_NEIGHBOURS.name)
    return True


def _seed_province(demo: DemoProvince, *, names: _Names, admin: User, password: str | None) -> None:
    province = Province.objects.get(code=demo.code)
    office = Unit.objects.get(kind=Unit.Kind.PROVINCIAL_OFFICE, province=province)
    group = Unit.objects.get(kind=Unit.Kind.COORDINATION_GROUP, province=province)
    office.phone, office.email = demo.phone, f"{demo.prefix}.office@demo.dla.go.th"
    office.save(update_fields=["phone", "email"])
    group.phone, group.email = f"{demo.phone} ต่อ 12", f"{demo.prefix}.group@demo.dla.go.th"
    group.save(update_fields=["phone", "email"])

    def make(
        username: str,
        position: str,
        level: CivilServiceLevel,
        unit: Unit,
        former_district_officer: bool = False,
        phone: str = demo.phone,
    ) -> Officer:
        return _officer(
            names,
            username=username,
            position=position,
            level=level,
            province=province,
            unit=unit,
            since=datetime.date(2020, 10, 1),
            password=password,
            phone=phone,
            former_district_officer=former_district_officer,
        )

    head = make(f"{demo.prefix}.head", "ท้องถิ่นจังหวัด", CivilServiceLevel.DIRECTOR_HIGHER, office)
    role_appoint(officer=head, role=Role.PROVINCIAL_HEAD, province=province, start_date=DEMO_START, by=admin)
    sso = make(f"{demo.prefix}.sso", "นักวิชาการคอมพิวเตอร์", CivilServiceLevel.PROFESSIONAL, office)
    role_appoint(officer=sso, role=Role.SSO_ADMIN, province=province, start_date=DEMO_START, by=admin)
    director = make(
        f"{demo.prefix}.director",
        "ผู้อำนวยการกลุ่มงานส่งเสริมและประสานงานท้องถิ่นอำเภอ",
        CivilServiceLevel.SENIOR_PROFESSIONAL,
        group,
        former_district_officer=True,
    )
    role_appoint(
        officer=director, role=Role.GROUP_DIRECTOR, province=province, start_date=DEMO_START, by=admin
    )

    districts = list(District.objects.filter(province=province).order_by("code"))
    position = "ท้องถิ่นอำเภอ"
    officers = []
    for i in range(demo.officers):
        level = CivilServiceLevel.PROFESSIONAL if i % 3 else CivilServiceLevel.PRACTITIONER
        # District officers work in the field: a mobile number each.
        mobile = f"08{1 + i % 9} {int(demo.code) * 7 + i:03d} {4000 + 37 * i:04d}"
        officer = make(f"{demo.prefix}.officer{i + 1}", position, level, group, phone=mobile)
        role_appoint(
            officer=officer, role=Role.DISTRICT_OFFICER, province=province, start_date=DEMO_START, by=admin
        )
        officers.append(officer)
    # The first two officers hold two districts each (staff is short, Part 1 question 4); the rest one.
    queue = [o for pair in zip(officers[:2], officers[:2], strict=True) for o in pair] + officers[2:]
    for officer, district in zip(queue, districts, strict=False):
        district_assign(district=district, officer=officer, start_date=DEMO_START, by=admin)
    if demo.code == "40":
        # Khon Kaen's director is away for two weeks around the demo's today: officer 3 acts for them
        # (Chiang Mai's director is at work: cm.director has reports and requests to review).
        today = timezone.localdate()
        acting_deputy_set(
            province=province,
            deputy=officers[2],
            start_date=today - datetime.timedelta(days=7),
            end_date=today + datetime.timedelta(days=9),
            by=admin,
            reason="ไปราชการต่างประเทศ",
        )


def demo_logins() -> list[DemoLogin]:
    """One demo sign-in per role, for the banner of `make run`."""
    rows = [
        (Role.DISTRICT_OFFICER, "cm.officer1", "เชียงใหม่ (2 อำเภอ)"),
        (Role.GROUP_DIRECTOR, "cm.director", "เชียงใหม่"),
        (Role.PROVINCIAL_HEAD, "cm.head", "เชียงใหม่"),
        (Role.SSO_ADMIN, "cm.sso", "เชียงใหม่"),
        (Role.CENTRAL_STAFF, "central", "ทั้งประเทศ"),
        (Role.BUREAU_DESK, "bureau", "สำนักบริหารการคลังท้องถิ่น"),
    ]
    officers = {
        username: str(o)
        for o in Officer.objects.filter(user__username__in=[r[1] for r in rows]).select_related("user")
        if o.user is not None and (username := o.user.username)
    }
    return [
        DemoLogin(
            role=str(role.label),
            username=username,
            name=officers.get(username, ""),
            scope=scope,
        )
        for role, username, scope in rows
    ] + [DemoLogin(role="Django admin", username="admin", name="", scope="")]


# Coordination requests in every state (issue 4), so that each role signs in to a living system ----------

DEMO_REQUEST_SUBJECTS = [
    ("budget", "ขอหารือการเบิกจ่ายงบกลางกรณีฉุกเฉินเพื่อซ่อมแซมถนนที่เสียหายจากน้ำท่วม"),
    ("law", "ขอหารือการตีความระเบียบกระทรวงมหาดไทยว่าด้วยการพัสดุ กรณีจ้างเหมาบริการ"),
    ("personnel", "ขอทราบแนวทางการสรรหาพนักงานจ้างตามภารกิจของเทศบาลตำบล"),
    ("planning", "ขอคำแนะนำการเพิ่มเติมโครงการในแผนพัฒนาท้องถิ่น (พ.ศ. 2566-2570)"),
    ("complaint", "เรื่องร้องเรียนการก่อสร้างรางระบายน้ำไม่เป็นไปตามแบบ"),
    ("disaster", "ขอประสานการสนับสนุนรถบรรทุกน้ำช่วยเหลือภัยแล้ง"),
    ("other", "ขอข้อมูลการจัดเก็บภาษีที่ดินและสิ่งปลูกสร้างของ อบต."),
]


def demo_requests_seed(now: datetime.datetime | None = None) -> bool:
    """Requests in every state in the demo provinces, started over the last weeks so that some are overdue
    and have escalated. Once: nothing happens when any request exists."""
    from viewflow.workflow.timers import fire_due_timers

    if CoordinationRequest.objects.exists() or not demo_exists():
        return False
    now = now or timezone.now()
    calendar = working_calendar()
    today = timezone.localdate(now)

    def ago(days: int, hour: int = 10) -> datetime.datetime:
        day = calendar.add_working_days(today, -days)
        return calendar.opening(day) + datetime.timedelta(hours=hour - 8, minutes=days * 7 % 50)

    users = {u.username: u for u in User.objects.filter(username__contains=".").select_related("officer")}
    users.update({u.username: u for u in User.objects.filter(username__in=["bureau", "central"])})
    categories = {c.code: c for c in Category.objects.all()}
    bureau = Unit.objects.get(code="local-finance")
    centre = Unit.objects.get(kind=Unit.Kind.COORDINATION_CENTRE)
    law = Unit.objects.get(code="local-law")
    pairs = {"cm": "lp", "lp": "cm", "kk": "pk", "pk": "kk"}
    provinces = {d.prefix: Province.objects.get(code=d.code) for d in DEMO_PROVINCES}
    subject_no = 0

    def open_request(
        prefix: str, officer_no: int, target: Unit | Province, at: datetime.datetime, urgency: str = "NORMAL"
    ) -> CoordinationRequest:
        nonlocal subject_no
        officers = next(d.officers for d in DEMO_PROVINCES if d.prefix == prefix)
        requester = users[f"{prefix}.officer{(officer_no - 1) % officers + 1}"]
        district = (
            DistrictAssignment.objects.current(timezone.localdate(at))
            .filter(officer=requester.officer)
            .select_related("district")
            .first()
        )
        assert district is not None
        code, subject = DEMO_REQUEST_SUBJECTS[subject_no % len(DEMO_REQUEST_SUBJECTS)]
        subject_no += 1
        data = svc.RequestInput(
            subject=subject,
            details=(
                f"{district.district.display_name} ขอหารือเรื่อง{subject} "
                "เพื่อให้การดำเนินการขององค์กรปกครองส่วนท้องถิ่นในพื้นที่เป็นไปด้วยความถูกต้องตามระเบียบ "
                "จึงเรียนมาเพื่อโปรดพิจารณาให้คำแนะนำ"
            ),
            category=categories[code],
            urgency=urgency,
            district=district.district,
            target_unit=target if isinstance(target, Unit) else None,
            target_province=target if isinstance(target, Province) else None,
        )
        return svc.request_save_draft(by=requester, data=data, now=at)

    def send(r, at):
        return svc.request_send(request=r, by=r.requester, now=at)

    def step(action, r, at, **kwargs):
        r = CoordinationRequest.objects.get(pk=r.pk)
        return action(
            request=r, task_id=r.current_task_id, by=kwargs.pop("by", None) or r.holder, now=at, **kwargs
        )

    with outer_transaction_allowed(), transaction.atomic():  # a single-user batch, all or nothing
        for prefix in provinces:
            other = provinces[pairs[prefix]]
            # A draft, not sent yet
            open_request(prefix, 1, bureau, ago(1))
            # Waiting for the director: one fresh, one overdue (most urgent: it has escalated)
            send(open_request(prefix, 2, bureau, ago(1)), ago(1))
            send(open_request(prefix, 3, law, ago(4), "MOST_URGENT"), ago(4))
            # Returned for more information
            r = send(open_request(prefix, 1, bureau, ago(5)), ago(5))
            step(svc.request_return, r, ago(4), reason="โปรดแนบสำเนาหนังสือขออนุมัติและใบประมาณการ")
            # In the bureau's pool, unclaimed; and one claimed by the desk
            r = send(open_request(prefix, 2, bureau, ago(6), "URGENT"), ago(6))
            step(svc.request_route, r, ago(5), comment="เห็นควรส่งสำนักบริหารการคลังท้องถิ่นพิจารณา")
            r = send(open_request(prefix, 4, bureau, ago(9)), ago(9))
            step(svc.request_route, r, ago(8))
            step(svc.request_claim, r, ago(7), by=users["bureau"])
            # At the coordination centre's pool
            r = send(open_request(prefix, 1, centre, ago(3)), ago(3))
            step(svc.request_route, r, ago(2), comment="ส่งศูนย์ประสานงานฯ")
            # At the paired province's director; one handed on to a district officer there
            r = send(open_request(prefix, 2, other, ago(5)), ago(5))
            step(svc.request_route, r, ago(4))
            r = send(open_request(prefix, 1, other, ago(8)), ago(8))
            step(svc.request_route, r, ago(7))
            step(
                svc.request_hand_on,
                r,
                ago(6),
                officer=users[f"{pairs[prefix]}.officer2"].officer,
                note="โปรดตอบตามข้อเท็จจริงในพื้นที่",
            )
            # Clarification asked by the desk
            r = send(open_request(prefix, 2, bureau, ago(10)), ago(10))
            step(svc.request_route, r, ago(9))
            step(svc.request_claim, r, ago(8), by=users["bureau"])
            step(svc.request_ask_clarification, r, ago(7), question="โปรดระบุวงเงินและแหล่งงบประมาณที่จะใช้")
            # Answered, waiting for the requester to accept
            r = send(open_request(prefix, 1, bureau, ago(9)), ago(9))
            step(svc.request_route, r, ago(8))
            step(svc.request_claim, r, ago(7), by=users["bureau"])
            step(svc.request_answer, r, ago(1), answer="สามารถดำเนินการได้ตามระเบียบฯ ข้อ 89 โดยให้จัดทำบันทึกขออนุมัติ")
            # Closed: accepted; answered directly by the director; closed by itself
            r = send(open_request(prefix, 2, other, ago(20)), ago(20))
            step(svc.request_route, r, ago(19))
            step(svc.request_answer, r, ago(15), answer="จังหวัดได้ประสานหน่วยงานที่เกี่ยวข้องแล้ว")
            step(svc.request_accept, r, ago(14))
            r = send(open_request(prefix, 3, bureau, ago(18)), ago(18))
            step(
                svc.request_answer,
                r,
                ago(17),
                answer="ดำเนินการได้ตามหนังสือสั่งการที่ มท 0808.2/ว 1234",
            )
            step(svc.request_accept, r, ago(16))
            r = send(open_request(prefix, 4, bureau, ago(16)), ago(16))
            step(svc.request_answer, r, ago(14), answer="โปรดดูแนวทางตามหนังสือเวียนที่แนบ")
            # Rejected, and withdrawn
            r = send(open_request(prefix, 3, law, ago(12)), ago(12))
            step(svc.request_reject, r, ago(11), reason="เป็นอำนาจของนายอำเภอ ไม่ต้องหารือส่วนกลาง")
            r = send(open_request(prefix, 1, other, ago(6)), ago(6))
            svc.request_withdraw(request=r, by=r.requester, reason="ได้รับคำแนะนำทางโทรศัพท์แล้ว", now=ago(5))
        fire_due_timers()  # the answers nobody accepted in time close themselves
        due_actions_fire(now=now)  # reminders and escalations of the overdue ones
    return True


# The whole country (issue 5): a group director, a provincial head and district officers in every province,
# so that a reporting cycle has someone for (nearly) every district. Written in bulk: about 1,000 people.

COUNTRY_MALE = [
    ("สมชาย", "Somchai"), ("สมศักดิ์", "Somsak"), ("ประเสริฐ", "Prasert"), ("วีระพงษ์", "Weerapong"),
    ("ธนากร", "Thanakorn"), ("สุรเชษฐ์", "Surachet"), ("ณัฐพล", "Nattapon"), ("อนุชา", "Anucha"),
    ("กิตติศักดิ์", "Kittisak"), ("ชัยวัฒน์", "Chaiwat"), ("วิชัย", "Wichai"), ("สุริยา", "Suriya"),
    ("ปิยะพงษ์", "Piyapong"), ("ธีรวัฒน์", "Teerawat"), ("เอกชัย", "Ekkachai"), ("พงศกร", "Pongsakorn"),
    ("อภิชาติ", "Apichat"), ("ศักดิ์ชัย", "Sakchai"), ("บุญเลิศ", "Boonlert"), ("สุเมธ", "Sumet"),
    ("จักรพันธ์", "Jakkapan"), ("ธวัชชัย", "Thawatchai"), ("วรวุฒิ", "Worawut"), ("ชาญวิทย์", "Chanwit"),
    ("ปรีชา", "Preecha"), ("สมบัติ", "Sombat"), ("อดิศักดิ์", "Adisak"), ("นพดล", "Noppadon"),
    ("ไพโรจน์", "Pairoj"), ("สุทธิพงษ์", "Sutthipong"),
]  # fmt: skip
COUNTRY_FEMALE = [
    ("สุภาพร", "Supaporn"), ("กมลวรรณ", "Kamonwan"), ("อรุณี", "Arunee"), ("พิมพ์ชนก", "Pimchanok"),
    ("รัตนาภรณ์", "Rattanaporn"), ("ศิริพร", "Siriporn"), ("จันทร์เพ็ญ", "Chanpen"), ("วราภรณ์", "Waraporn"),
    ("นงลักษณ์", "Nongluck"), ("ปิยะนุช", "Piyanuch"), ("สุนันทา", "Sunanta"), ("อัญชลี", "Anchalee"),
    ("กาญจนา", "Kanchana"), ("วิไลวรรณ", "Wilaiwan"), ("ดวงใจ", "Duangjai"), ("พรทิพย์", "Pornthip"),
    ("เยาวลักษณ์", "Yaowalak"), ("นิภาพร", "Nipaporn"), ("ศศิธร", "Sasithorn"), ("ปวีณา", "Paweena"),
    ("มาลัย", "Malai"), ("สุดารัตน์", "Sudarat"), ("จิราพร", "Jiraporn"), ("อรวรรณ", "Orawan"),
    ("ธิดารัตน์", "Thidarat"), ("ณัฐธิดา", "Nattida"), ("ชนิดา", "Chanida"), ("วันเพ็ญ", "Wanpen"),
    ("บุษบา", "Busaba"), ("สายสุนีย์", "Saisunee"),
]  # fmt: skip
COUNTRY_LAST = [
    ("ศรีสุข", "Srisuk"), ("วงศ์ใหญ่", "Wongyai"), ("แก้วมณี", "Kaewmanee"), ("ทองดี", "Thongdee"),
    ("บุญมา", "Boonma"), ("จันทร์แก้ว", "Jankaew"), ("สายทอง", "Saithong"), ("พรหมมา", "Promma"),
    ("อินทร์แปลง", "Inplaeng"), ("ชัยมงคล", "Chaimongkol"), ("เรืองศรี", "Ruengsri"), ("มั่นคง", "Mankong"),
    ("รักษาดี", "Raksadee"), ("คำแสน", "Khamsaen"), ("สุขเกษม", "Sukkasem"), ("ทองคำ", "Thongkham"),
    ("พึ่งบุญ", "Phuengboon"), ("ศรีสวัสดิ์", "Srisawat"), ("บุญเรือง", "Boonruang"), ("แสงทอง", "Saengthong"),
    ("ปัญญาดี", "Panyadee"), ("วงศ์สวัสดิ์", "Wongsawat"), ("สมบูรณ์", "Somboon"), ("จันทร์หอม", "Janhom"),
    ("ใจดี", "Jaidee"), ("ศรีวงศ์", "Sriwong"), ("นาคสุข", "Naksuk"), ("ทองมา", "Thongma"),
    ("สุวรรณรัตน์", "Suwannarat"), ("เพชรรัตน์", "Petcharat"), ("กาญจนวงศ์", "Kanchanawong"), ("พันธุ์ดี", "Phandee"),
    ("คงสมบูรณ์", "Khongsomboon"), ("อุดมสุข", "Udomsuk"), ("บุญประเสริฐ", "Boonprasert"), ("ศรีนวล", "Srinuan"),
    ("หอมจันทร์", "Homjan"), ("มณีวงศ์", "Maneewong"), ("เจริญผล", "Charoenphon"), ("ธรรมวงศ์", "Thammawong"),
]  # fmt: skip
COUNTRY_MARKER = "samutprakan.director"  # the first person the country step creates
# Districts left with nobody responsible in the demo provinces that have people already (the flag shows).
DEMO_PROVINCE_GAPS = {"50": 2, "40": 2}


def _country_name(n: int) -> tuple[str, str, str, str, str]:
    """The n-th generated person: (prefix, first name Thai, English, last name Thai, English). Each n below
    2,400 gives another pair of names; the lists hold common names, not anyone in particular."""
    if n % 2:
        first_th, first_en = COUNTRY_MALE[(n // 2) % len(COUNTRY_MALE)]
        prefix = "นาย"
    else:
        first_th, first_en = COUNTRY_FEMALE[(n // 2) % len(COUNTRY_FEMALE)]
        prefix = "นาง" if n % 4 == 0 else "นางสาว"
    last_th, last_en = COUNTRY_LAST[(7 * n + n // 60) % len(COUNTRY_LAST)]
    return prefix, first_th, first_en, last_th, last_en


def _slug(name_en: str) -> str:
    return "".join(c for c in name_en.lower() if c.isalnum())


def demo_country_exists() -> bool:
    return User.objects.filter(username=COUNTRY_MARKER).exists()


@transaction.atomic
def demo_country_seed(*, password: str | None = None) -> bool:
    """Every province outside the four demo ones gets a provincial head, a group director and district
    officers for its districts (about one in seven holds two, one in twenty-five three; the last district
    of one province in five has nobody); the demo provinces with gaps get officers for all but a couple.
    Once: nothing happens when the country is there already (or the demo organisation is not). Its
    accounts share `password`; without one, none has a usable password."""

    if demo_country_exists() or not demo_exists():
        return False
    admin = User.objects.get(username="admin")
    demo_codes = {d.code for d in DEMO_PROVINCES}
    provinces = list(Province.objects.outside_bangkok().order_by("code"))
    units = {
        (u.kind, u.province_id): u
        for u in Unit.objects.filter(
            kind__in=[Unit.Kind.PROVINCIAL_OFFICE, Unit.Kind.COORDINATION_GROUP], province__isnull=False
        )
    }
    districts: dict[int, list[District]] = {p.pk: [] for p in provinces}
    for district in District.objects.filter(province__in=provinces).order_by("code"):
        districts[district.province_id].append(district)
    held = set(DistrictAssignment.objects.current(timezone.localdate()).values_list("district_id", flat=True))

    # (username, province, role, position, level, districts)
    people: list[tuple[str, Province, str, str, str, list[District]]] = []
    serial = 0
    for n, province in enumerate(provinces):
        if province.code in demo_codes:
            free = [d for d in districts[province.pk] if d.pk not in held]
            gaps = DEMO_PROVINCE_GAPS.get(province.code, len(free))
            todo = free[: max(len(free) - gaps, 0)]
            prefix = next(d.prefix for d in DEMO_PROVINCES if d.code == province.code)
            number = next(d.officers for d in DEMO_PROVINCES if d.code == province.code)
        else:
            slug = _slug(province.name_en)
            people.append(
                (f"{slug}.head", province, Role.PROVINCIAL_HEAD, "ท้องถิ่นจังหวัด", "DIRECTOR_HIGHER", [])
            )
            people.append(
                (
                    f"{slug}.director",
                    province,
                    Role.GROUP_DIRECTOR,
                    "ผู้อำนวยการกลุ่มงานส่งเสริมและประสานงานท้องถิ่นอำเภอ",
                    "SENIOR_PROFESSIONAL",
                    [],
                )
            )
            todo = districts[province.pk][:-1] if n % 5 == 2 else list(districts[province.pk])
            prefix, number = slug, 0
        while todo:
            serial += 1
            take = 3 if serial % 25 == 0 else 2 if serial % 7 == 0 else 1
            take = min(take, len(todo))
            number += 1
            level = "PROFESSIONAL" if serial % 3 else "PRACTITIONER"
            people.append(
                (
                    f"{prefix}.officer{number}",
                    province,
                    Role.DISTRICT_OFFICER,
                    "ท้องถิ่นอำเภอ",
                    level,
                    todo[:take],
                )
            )
            todo = todo[take:]

    User.objects.bulk_create(
        [
            User(username=u, password=_password_hash(password), email=f"{u}@demo.dla.go.th")
            for u, *_ in people
        ],
        batch_size=500,
    )
    users = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in people])}
    officers = []
    for i, (username, province, role, position, level, _held) in enumerate(people):
        prefix, first_th, first_en, last_th, last_en = _country_name(i + 101)
        unit_kind = (
            Unit.Kind.PROVINCIAL_OFFICE if role == Role.PROVINCIAL_HEAD else Unit.Kind.COORDINATION_GROUP
        )
        if role == Role.DISTRICT_OFFICER:  # in the field: a mobile number
            phone = f"08{1 + i % 9} {100 + (i * 37) % 900:03d} {1000 + (i * 7919) % 9000:04d}"
        else:
            phone = f"0{20 + int(province.code) % 60:02d} {110 + i % 890:03d} {100 + (i * 13) % 900:03d}"
        officers.append(
            Officer(
                user=users[username],
                prefix=prefix,
                first_name_th=first_th,
                last_name_th=last_th,
                first_name_en=first_en,
                last_name_en=last_en,
                position=position,
                level=level,
                province=province,
                unit=units.get((unit_kind, province.pk)),
                phone=phone,
                email=f"{username}@demo.dla.go.th",
                position_since=datetime.date(2018 + i % 7, 1 + i % 12, 1),
                former_district_officer=role == Role.GROUP_DIRECTOR,
            )
        )
    Officer.objects.bulk_create(officers, batch_size=500)
    code_of = {p.pk: int(p.code) for p in provinces}
    offices = [u for (kind, _p), u in units.items() if kind == Unit.Kind.PROVINCIAL_OFFICE and not u.phone]
    for office in offices:  # each provincial office's own number (made up for the demo)
        code = code_of.get(office.province_id or 0, 0)
        office.phone = f"0{20 + code % 60:02d} {200 + code * 37 % 700:03d} {100 + code * 13 % 900:03d}"
    Unit.objects.bulk_update(offices, ["phone"], batch_size=500)
    transaction.on_commit(reference_forget)  # the directory's cached units (no signal for a bulk update)
    by_user = {o.user_id: o for o in Officer.objects.filter(user__in=users.values())}
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(
                officer=by_user[users[u].pk], role=role, province=p, start_date=DEMO_START, appointed_by=admin
            )
            for u, p, role, *_ in people
        ],
        batch_size=500,
    )
    DistrictAssignment.objects.bulk_create(
        [
            DistrictAssignment(
                district=d, officer=by_user[users[u].pk], start_date=DEMO_START, assigned_by=admin
            )
            for u, _p, _r, _pos, _l, held_districts in people
            for d in held_districts
        ],
        batch_size=500,
    )
    scopes_forget()  # written in bulk, without the signals: the people's cached scopes are stale
    return True
