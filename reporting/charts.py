"""Geometry of the monitoring charts. The templates draw them as inline SVG (the CSP allows no scripts
and no style attributes): each bar is a small <svg> with a 0-100 viewBox stretched to its row, beside
HTML text (labels and numbers stay readable on a phone and the colour is never the only signal)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from reporting.selectors.analysis import AreaFigure, Comparison, GroupRow
    from reporting.selectors.progress import Progress, ProvinceProgress

NAVY = "#1d3f72"
LOCAL = "#2a8a8a"  # สถอ.
# Oldest to newest cycle: light to dark.
CYCLE_SHADES = ["#9db7d9", "#7a9dcb", "#5a84bd", "#3d6aa8", "#2c5691", "#1d3f72", "#142d52", "#0b1c35"]


def _pct(value: float, top: float) -> float:
    return round(100 * value / top, 3) if top else 0.0


@dataclass
class Bar:
    """A bar of `value` (a part `late` of it from late reports), `width` percent of the widest bar."""

    label: str
    value: int
    width: float
    late: int = 0
    late_width: float = 0.0
    fill: str = NAVY

    @property
    def on_time_width(self) -> float:
        return round(self.width - self.late_width, 3)


def area_chart(areas: Sequence[AreaFigure]) -> list[Bar]:
    """Workload per mission area: the on-time part in navy, the late part in amber."""
    top = max((a.figure.total for a in areas), default=0)
    return [
        Bar(
            label=a.name,
            value=a.figure.total,
            width=_pct(a.figure.total, top),
            late=a.figure.late,
            late_width=_pct(a.figure.late, top),
        )
        for a in areas
    ]


@dataclass
class PairRow:
    label: str
    office: int
    local: int
    office_width: float
    local_width: float

    @property
    def office_x(self) -> float:
        return round(100 - self.office_width, 3)


def letters_chart(groups: Sequence[GroupRow], by: str) -> list[PairRow]:
    """Letters (received and sent) of the district office beside those of the district local office,
    one row per province or district: office to the left, local office to the right, on one scale."""
    top = max((max(g.letters_office, g.letters_local) for g in groups), default=0)
    return [
        PairRow(
            g.name, g.letters_office, g.letters_local, _pct(g.letters_office, top), _pct(g.letters_local, top)
        )
        for g in groups
    ]


def _zero(n: int, other: str = "") -> str:
    return other if n else "mzero"


def number(n: int) -> SafeString:
    """12,345: the thousands separator of Thai and English alike (digits and commas only: safe)."""
    return mark_safe(f"{n:,}")


def stacked_bar(progress: Progress, css: str = "rank-bar", height: int = 10) -> SafeString:
    """The five status colours of a progress as one small SVG bar, built here rather than in a template
    loop: the national page draws 76 of them. Only numbers and fixed colours go in (safe)."""
    parts = [
        f'<svg class="{css}" viewBox="0 0 100 {height}" preserveAspectRatio="none" aria-hidden="true" '
        f'focusable="false"><rect width="100" height="{height}" fill="#eef1f5"/>'
    ]
    for s in progress.segments:
        if s.count:
            parts.append(
                f'<rect x="{s.offset:.3f}" width="{s.percent:.3f}" height="{height}" fill="{s.fill}"/>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


@dataclass
class RankRow:
    row: ProvinceProgress
    rank: int
    bar: SafeString
    percent: str
    url: str


def ranking_chart(rows: Sequence[ProvinceProgress], url: Callable[[int], str]) -> list[RankRow]:
    return [
        RankRow(
            row, i, stacked_bar(row.progress), f"{row.progress.percent_complete:.0f}", url(row.province.pk)
        )
        for i, row in enumerate(rows, start=1)
    ]


@dataclass
class TableRow:
    """A province's line of the national table, its figures formatted once (76 lines, 11 figures each)."""

    row: ProvinceProgress
    cells: list[tuple[str, SafeString]]  # (extra class, figure)
    url: str


def progress_cells(p: Progress) -> list[tuple[str, SafeString]]:
    return [
        ("", number(p.total)),
        (
            "",
            mark_safe(
                f'<strong>{p.complete:,}</strong> <span class="muted">({p.percent_complete:.1f}%)</span>'
            ),
        ),
        (_zero(p.submitted), number(p.submitted)),
        (_zero(p.draft), number(p.draft)),
        (_zero(p.returned), number(p.returned)),
        (_zero(p.not_started), number(p.not_started)),
        (_zero(p.overdue, "mbad"), number(p.overdue)),
        (_zero(p.late), number(p.late)),
        (_zero(p.within_extension), number(p.within_extension)),
        (_zero(p.unassigned, "mwarn"), number(p.unassigned)),
    ]


def table_rows(rows: Sequence[ProvinceProgress], url: Callable[[int], str]) -> list[TableRow]:
    return [TableRow(row, progress_cells(row.progress), url(row.province.pk)) for row in rows]


@dataclass
class CycleBar:
    label: str
    value: int
    width: float
    fill: str
    late: int = 0
    late_width: float = 0.0


@dataclass
class CompareGroup:
    label: str
    bars: list[CycleBar] = field(default_factory=list)


def _shades(n: int) -> list[str]:
    if n <= 1:
        return [NAVY]
    step = (len(CYCLE_SHADES) - 1) / (n - 1) if n > 1 else 0
    return [CYCLE_SHADES[round(i * step)] for i in range(n)]


def compare_chart(comparison: Comparison) -> list[CompareGroup]:
    """Per mission area, one bar per cycle (oldest light, newest dark), each with its label and value."""
    shades = _shades(len(comparison.columns))
    top = max((f.total for a in comparison.areas for f in a.totals), default=0)
    return [
        CompareGroup(
            area.name,
            [
                CycleBar(
                    column.cycle.label,
                    figure.total,
                    _pct(figure.total, top),
                    shades[i],
                    figure.late,
                    _pct(figure.late, top),
                )
                for i, (column, figure) in enumerate(zip(comparison.columns, area.totals, strict=True))
            ],
        )
        for area in comparison.areas
    ]


def completion_chart(comparison: Comparison) -> list[CycleBar]:
    shades = _shades(len(comparison.columns))
    return [
        CycleBar(column.cycle.label, column.complete, column.percent_complete, shades[i], column.late, 0.0)
        for i, column in enumerate(comparison.columns)
    ]
