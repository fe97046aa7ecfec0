"""The default mission areas of a district officer and their indicators (notes/thai.md: a proposal, no
official list is public). Loaded by a data migration; central staff edit them afterwards as data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (code, Thai, English, [(indicator code, Thai, English, unit, upper bound, help text)])
MISSION_AREAS: list[tuple[str, str, str, list[tuple[str, str, str, str, int | None, str]]]] = [
    (
        "PLAN",
        "ส่งเสริมการจัดทำแผนพัฒนาท้องถิ่น",
        "Local development planning",
        [
            (
                "plan-meetings",
                "การประชุมหรือให้คำแนะนำการจัดทำแผนพัฒนาท้องถิ่น",
                "Planning meetings and advice given",
                "ครั้ง",
                200,
                "นับทุกครั้งที่เข้าร่วมประชุมหรือให้คำแนะนำ อปท.",
            ),
            ("plan-reviewed", "แผนพัฒนาท้องถิ่นที่ตรวจสอบ", "Local development plans reviewed", "แผน", 50, ""),
        ],
    ),
    (
        "LAW",
        "ให้คำปรึกษาด้านกฎหมาย ระเบียบ หนังสือสั่งการ",
        "Legal and regulatory advice",
        [
            (
                "law-advice",
                "ข้อหารือด้านกฎหมายและระเบียบที่ให้คำปรึกษา",
                "Legal and regulatory questions answered",
                "เรื่อง",
                500,
                "",
            ),
            ("law-circulars", "หนังสือสั่งการที่แจ้งเวียน อปท.", "Circulars passed on to LGOs", "ฉบับ", 1000, ""),
        ],
    ),
    (
        "HR",
        "การบริหารงานบุคคลส่วนท้องถิ่น",
        "Local personnel administration",
        [
            (
                "hr-cases",
                "เรื่องการบริหารงานบุคคลที่ดำเนินการ",
                "Personnel cases handled",
                "เรื่อง",
                500,
                "เช่น การสรรหา การโอนย้าย การประเมิน",
            ),
            ("hr-committees", "การประชุมคณะกรรมการที่เข้าร่วม", "Committee meetings attended", "ครั้ง", 100, ""),
        ],
    ),
    (
        "FIN",
        "การเงิน การคลัง งบประมาณ และพัสดุ",
        "Budget, finance and procurement",
        [
            ("fin-budgets", "ข้อบัญญัติงบประมาณที่ตรวจพิจารณา", "Budget ordinances reviewed", "ฉบับ", 50, ""),
            (
                "fin-procurement",
                "เรื่องการเงินและพัสดุที่ให้คำปรึกษา",
                "Finance and procurement questions answered",
                "เรื่อง",
                500,
                "",
            ),
        ],
    ),
    (
        "AUDIT",
        "กำกับดูแลและตรวจสอบ อปท.",
        "Supervision and inspection of LGOs",
        [
            (
                "audit-visits",
                "การตรวจติดตาม อปท.",
                "LGO inspection visits",
                "แห่ง",
                100,
                "นับ อปท. ที่ไปตรวจ แห่งละหนึ่งครั้งต่อการตรวจ",
            ),
            (
                "audit-findings",
                "ข้อสังเกตจากการตรวจที่ติดตามแก้ไข",
                "Inspection findings followed up",
                "เรื่อง",
                300,
                "",
            ),
        ],
    ),
    (
        "COMPLAINT",
        "รับและตรวจสอบเรื่องร้องเรียน",
        "Complaints",
        [
            ("complaints-received", "เรื่องร้องเรียนที่รับ", "Complaints received", "เรื่อง", 300, ""),
            (
                "complaints-closed",
                "เรื่องร้องเรียนที่ตรวจสอบแล้วเสร็จ",
                "Complaints investigated and closed",
                "เรื่อง",
                300,
                "",
            ),
        ],
    ),
    (
        "ELECTION",
        "การเลือกตั้งท้องถิ่นและกิจการสภาท้องถิ่น",
        "Local elections and council affairs",
        [
            (
                "election-tasks",
                "งานการเลือกตั้งท้องถิ่นที่ดำเนินการ",
                "Local election tasks carried out",
                "เรื่อง",
                200,
                "",
            ),
            ("council-sessions", "การประชุมสภาท้องถิ่นที่กำกับดูแล", "Council sessions supervised", "ครั้ง", 200, ""),
        ],
    ),
    (
        "DISASTER",
        "ประสานการป้องกันและบรรเทาสาธารณภัย",
        "Disaster prevention and relief coordination",
        [
            ("disaster-events", "สาธารณภัยที่ประสานการช่วยเหลือ", "Disasters coordinated", "ครั้ง", 100, ""),
            ("disaster-lgos", "อปท. ที่ได้รับการประสานการช่วยเหลือ", "LGOs helped", "แห่ง", 100, ""),
        ],
    ),
    (
        "SERVICE",
        "บริการสาธารณะ การศึกษา สวัสดิการ",
        "Public services, education and welfare",
        [
            (
                "service-projects",
                "โครงการบริการสาธารณะที่ให้คำแนะนำ",
                "Public service projects advised",
                "โครงการ",
                200,
                "",
            ),
            (
                "service-welfare",
                "เรื่องเบี้ยยังชีพและสวัสดิการที่ประสาน",
                "Allowance and welfare cases coordinated",
                "เรื่อง",
                1000,
                "",
            ),
            ("service-schools", "สถานศึกษาสังกัด อปท. ที่ติดตาม", "LGO schools followed up", "แห่ง", 100, ""),
        ],
    ),
    (
        "INFO",
        "ข้อมูลสารสนเทศท้องถิ่นและการประสานงาน",
        "Local information and coordination",
        [
            (
                "info-updates",
                "การปรับปรุงข้อมูลในระบบสารสนเทศท้องถิ่น",
                "Local information system updates",
                "ครั้ง",
                500,
                "",
            ),
            (
                "info-meetings",
                "การประชุมประสานงานกับหน่วยงานอื่น",
                "Coordination meetings with other agencies",
                "ครั้ง",
                200,
                "",
            ),
        ],
    ),
]

# Deadline rules of the report's steps: (working days by urgency, reminders, escalation ladder).
# The officer's step is due at the cycle's closing date (not counted in working days): reminders five and
# one working day before; overdue goes to the group director, then to the provincial head.
# The units and help texts in English, for English pages: the units are few words shared by the indicators.
UNITS_EN = {
    "เรื่อง": "matters",
    "ครั้ง": "times",
    "ฉบับ": "documents",
    "แห่ง": "places",
    "แผน": "plans",
    "โครงการ": "projects",
}
HELP_TEXTS_EN = {
    "plan-meetings": "Count every meeting attended and every piece of advice given to an LGO.",
    "hr-cases": "For example recruitment, transfers, evaluations.",
    "audit-visits": "Count each LGO inspected once per inspection.",
}

URGENCIES = ["NORMAL", "URGENT", "VERY_URGENT", "MOST_URGENT"]
FILL_STEP = "reporting.fill"
REVIEW_STEP = "reporting.review"
FILL_LADDER = [(1, 0, "ASSIGNEE_AND_DIRECTOR", False), (2, 2, "PROVINCIAL_HEAD", False)]
REVIEW_LADDER = [(1, 0, "ASSIGNEE_AND_DIRECTOR", False), (2, 1, "PROVINCIAL_HEAD", False)]
STEPS = {
    FILL_STEP: ([10, 10, 10, 10], [5, 1], FILL_LADDER),
    REVIEW_STEP: ([3, 3, 3, 3], [1], REVIEW_LADDER),
}


def load_defaults(get_model: Callable[[str, str], Any]) -> None:
    """Create what is missing of the defaults (a migration passes its historical models; tests and the
    demo pass django.apps.apps.get_model after a flush). Existing rows are never changed."""
    mission_area = get_model("reporting", "MissionArea")
    indicator_model = get_model("reporting", "Indicator")
    # A migration older than 0004 passes an indicator without the English unit and help (0004 fills them).
    english = {f.name for f in indicator_model._meta.get_fields()} >= {"unit_en", "help_text_en"}
    for area_order, (code, name_th, name_en, indicators) in enumerate(MISSION_AREAS):
        area, _ = mission_area.objects.get_or_create(
            code=code.lower(), defaults={"name_th": name_th, "name_en": name_en, "order": area_order}
        )
        for order, (icode, iname_th, iname_en, unit, bound, help_text) in enumerate(indicators):
            indicator_model.objects.get_or_create(
                code=icode,
                defaults={
                    "area": area,
                    "name_th": iname_th,
                    "name_en": iname_en,
                    "unit": unit,
                    "upper_bound": bound,
                    "help_text": help_text,
                    "order": order,
                }
                | (
                    {"unit_en": UNITS_EN.get(unit, ""), "help_text_en": HELP_TEXTS_EN.get(icode, "")}
                    if english
                    else {}
                ),
            )
    policy_model = get_model("deadlines", "DeadlinePolicy")
    rule_model = get_model("deadlines", "DeadlineRule")
    step_model = get_model("deadlines", "EscalationStep")
    for policy in policy_model.objects.filter(is_active=True):
        for step, (days, reminders, ladder) in STEPS.items():
            for urgency, working_days in zip(URGENCIES, days, strict=True):
                rule, created = rule_model.objects.get_or_create(
                    policy=policy,
                    step=step,
                    urgency=urgency,
                    defaults={"working_days": working_days, "reminders": reminders},
                )
                if created:
                    step_model.objects.bulk_create(
                        step_model(
                            rule=rule,
                            level=level,
                            after_working_days=after,
                            target=target,
                            may_reassign=reassign,
                        )
                        for level, after, target, reassign in ladder
                    )
