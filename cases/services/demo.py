"""A realistic demo organisation for `make run`: four provinces with their people, central staff and a
bureau desk. Idempotent: when the demo is there already, nothing changes."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction

from cases.models import District, Officer, Province, Role, Unit
from cases.models.people import CivilServiceLevel
from cases.services.appointments import acting_deputy_set, role_appoint
from cases.services.assignments import district_assign

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
    former_district_officer: bool = False,
    phone: str = "",
) -> Officer:
    prefix, first_th, first_en, last_th, last_en = names.next()
    user = User.objects.create(
        username=username, password=_demo_password_hash(), email=f"{username}@demo.dla.go.th"
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


@functools.cache
def _demo_password_hash() -> str:
    """Hashed once: hashing forty times would make the first `make run` slow for nothing."""
    return make_password(DEMO_PASSWORD)


def demo_exists() -> bool:
    return User.objects.filter(username="central").exists()


@transaction.atomic
def demo_seed() -> bool:
    """Create the demo organisation; returns False (and changes nothing) when it exists already."""
    if demo_exists():
        return False
    admin = User.objects.create_superuser(
        username="admin", password=DEMO_PASSWORD, email="admin@demo.dla.go.th"
    )
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
        phone="02 241 9000 ต่อ 4101",
    )
    role_appoint(officer=desk, role=Role.BUREAU_DESK, start_date=DEMO_START, by=admin, unit=bureau)

    for demo in DEMO_PROVINCES:
        _seed_province(demo, names=names, admin=admin)
    return True


def _seed_province(demo: DemoProvince, *, names: _Names, admin: User) -> None:
    province = Province.objects.get(code=demo.code)
    office = Unit.objects.get(kind=Unit.Kind.PROVINCIAL_OFFICE, province=province)
    group = Unit.objects.get(kind=Unit.Kind.COORDINATION_GROUP, province=province)

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
    if demo.code == "50":
        # The director is away for two weeks around the demo's today: officer 3 acts for them.
        acting_deputy_set(
            province=province,
            deputy=officers[2],
            start_date=datetime.date(2026, 11, 16),
            end_date=datetime.date(2026, 12, 4),
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
