"""Buddhist Era dates on screen: ``{{ d|thai_date }}`` gives ``1 ต.ค. 2568``; ``{{ d|thai_date:"long" }}``
gives ``1 ตุลาคม 2568``; ``{{ dt|thai_datetime }}`` adds the time. In English the year stays Buddhist Era
too (``1 Oct 2568 BE``), since every document the officers handle is dated so.
"""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
from django.utils.translation import get_language

register = template.Library()

BE_OFFSET = 543
MONTHS_SHORT_TH = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
]
MONTHS_LONG_TH = [
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
]  # fmt: skip
MONTHS_SHORT_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTHS_LONG_EN = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


def be_year(d: datetime.date) -> int:
    return d.year + BE_OFFSET


def _english() -> bool:
    return (get_language() or "th").startswith("en")


def _format(value: datetime.date, style: str, english: bool) -> str:
    if style == "numeric":
        return f"{value.day:02d}/{value.month:02d}/{be_year(value)}"
    if english:
        months = MONTHS_LONG_EN if style == "long" else MONTHS_SHORT_EN
        return f"{value.day} {months[value.month - 1]} {be_year(value)} BE"
    months = MONTHS_LONG_TH if style == "long" else MONTHS_SHORT_TH
    return f"{value.day} {months[value.month - 1]} {be_year(value)}"


def _local(value: datetime.datetime) -> datetime.datetime:
    # timezone.localtime() without its checks: an aware value in the current time zone (a list's rows call it).
    return value.astimezone(timezone.get_current_timezone()) if value.tzinfo is not None else value


@register.filter
def thai_date(value: datetime.date | datetime.datetime | None, style: str = "short") -> str:
    if value in (None, ""):
        return ""
    assert value is not None
    if isinstance(value, datetime.datetime):
        value = _local(value).date()
    return _format(value, style, _english())


@register.filter
def thai_datetime(value: datetime.datetime | None, style: str = "short") -> str:
    if value is None:
        return ""
    local = _local(value)
    english = _english()
    return f"{_format(local.date(), style, english)} {local:%H:%M}{'' if english else ' น.'}"
