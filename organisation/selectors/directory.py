"""Reads for the directory and the home pages: who holds which role and which district, with contacts.

Every selector here runs a fixed number of queries, whatever the number of rows it returns: current roles
and district assignments are prefetched with filtered ``Prefetch`` objects.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from organisation.cached import (
    DIRECTORY_VERSION_KEY,
    VERSION_KEY,
    held_cache,
    reference,
    stamp_anew,
    versions,
)
from organisation.models import (
    ActingDeputy,
    District,
    DistrictAssignment,
    DistrictNeighbour,
    LocalGovernmentOrganisation,
    Officer,
    Province,
    ReferenceDataVersion,
    Role,
    RoleAssignment,
    Unit,
)
from organisation.models.people import CivilServiceLevel
from organisation.services.geography import GEOTHAI_SOURCE
from workdays.templatetags.thai_dates import thai_date
from workdays.thai import thai_key, thai_order

T = TypeVar("T")

# Words people type before a place name that the stored names do not carry ("อำเภอแม่ริม" → "แม่ริม").
_PLACE_PREFIXES = ("จังหวัด", "อำเภอ", "ตำบล", "จ.", "อ.", "ต.")
# Role titles and office abbreviations typed before a name ("ท้องถิ่นอำเภอแม่ริม", "ผอ.กง.ทอ. เชียงใหม่"): left out
# of the words matched, and the holders of the role named come first. The dots of an abbreviation may be left
# out or followed by a space ("ผอ.กงทอ", "ผอ. กง.ทอ."). Longest first, so that "ท้องถิ่นอำเภอ" is not read as
# "ท้องถิ่น" + "อำเภอ".
_ROLE_WORDS: tuple[tuple[str, str | None], ...] = (
    ("ผู้อำนวยการกลุ่มงานส่งเสริมและประสานงานท้องถิ่นอำเภอ", Role.GROUP_DIRECTOR),
    ("ผอ.กง.ทอ.", Role.GROUP_DIRECTOR),
    ("ท้องถิ่นจังหวัด", Role.PROVINCIAL_HEAD),
    ("ท้องถิ่นอำเภอ", Role.DISTRICT_OFFICER),
    ("sso admin", Role.SSO_ADMIN),
    ("ทถจ.", Role.PROVINCIAL_HEAD),
    ("ทถอ.", Role.DISTRICT_OFFICER),
    ("สถจ.", None),
    ("สถอ.", None),
    ("ทอ.", Role.DISTRICT_OFFICER),
)


def _role_word_pattern(word: str) -> str:
    parts = [re.escape(part) for part in word.split(".") if part]
    if len(parts) == 1 and word.endswith("."):
        return parts[0] + r"\.\s*"  # "ทอ.": the dot tells it from a name such as ทองดี
    if "." in word:
        return r"\.?\s*".join(parts) + r"\.?\s*"
    return re.escape(word)


_ROLE_WORD_RE = re.compile(
    r"(?:^|(?<=\s))(?:"
    + "|".join(f"(?P<w{i}>{_role_word_pattern(word)})" for i, (word, _role) in enumerate(_ROLE_WORDS))
    + ")",
    re.IGNORECASE,
)
_ROLE_ORDER = {role: i for i, role in enumerate(Role.values)}


def normalise_query(text: str) -> str:
    """Normalise typed Thai for matching: NFC, the split sara am (nikhahit + sara aa) joined, spaces collapsed."""
    text = unicodedata.normalize("NFC", text or "")
    text = text.replace("\u0e4d\u0e32", "\u0e33")
    text = text.replace("\u200b", "")  # zero-width spaces pasted from documents
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class ParsedQuery:
    terms: list[str]  # the words every match must contain
    roles: frozenset[str]  # roles named by the words left out: their holders come first


def parse_query(query: str) -> ParsedQuery:
    """The words to match in what was typed, without role titles and place words before a name."""
    text = normalise_query(query)
    roles: set[str] = set()

    def drop(match: re.Match[str]) -> str:
        for i, (_word, role) in enumerate(_ROLE_WORDS):
            if match.group(f"w{i}") and role is not None:
                roles.add(role)
        return " "

    previous = None
    while previous != text:  # "ท้องถิ่นอำเภอ ทอ.แม่ริม": every role word before the name
        previous, text = text, _ROLE_WORD_RE.sub(drop, text)
    terms = []
    for term in text.split():
        stripped = True
        while stripped:  # "อำเภออำเภอแม่ริม"
            stripped = False
            for prefix in _PLACE_PREFIXES:
                if term.startswith(prefix) and len(term) > len(prefix):
                    term, stripped = term[len(prefix) :], True
                    break
        if term and term not in _PLACE_PREFIXES:
            terms.append(term)
    return ParsedQuery(terms=terms, roles=frozenset(roles))


def reference_data_version() -> str:
    """The version of the loaded provinces and districts (shown under the directory), held with the lists."""
    return reference(
        "data-version",
        lambda: (
            ReferenceDataVersion.objects.filter(source=GEOTHAI_SOURCE)
            .values_list("version", flat=True)
            .first()
            or ""
        ),
    )


# ---------------------------------------------------------------------------------------------------------
# Officers with their current roles and districts


@dataclass
class OfficerRow:
    """An officer ready to render: current roles (with province or unit) and current districts."""

    officer: Officer
    roles: list[RoleAssignment] = field(default_factory=list)
    acting: list[ActingDeputy] = field(default_factory=list)
    districts: list[District] = field(default_factory=list)

    @property
    def holds_several_districts(self) -> bool:
        return len(self.districts) > 1

    # Labels from a dictionary built once: Django's get_FOO_display() rebuilds the choices on every call,
    # which is most of the cost of a 50-row result page.
    @property
    def level_label(self) -> str:
        return _LEVEL_LABELS.get(self.officer.level, "")

    @property
    def role_labels(self) -> list[tuple[RoleAssignment, str]]:
        return [(role, str(_ROLE_LABELS.get(role.role, role.role))) for role in self.roles]

    @property
    def acting_labels(self) -> list[str]:
        """ "Acting group director · Chiang Mai until 31 Dec 2569" for each acting duty."""
        return [
            gettext("Acting group director · %(province)s until %(end)s")
            % {"province": acting.province.name, "end": thai_date(acting.end_date)}
            for acting in self.acting
        ]

    @property
    def place_label(self) -> str:
        """Where an officer without a role belongs: their province, else their unit ("" with a role)."""
        officer = self.officer
        if self.roles:
            return ""
        if officer.province is not None:
            return gettext("%(name)s province") % {"name": officer.province.name}
        return officer.unit.name if officer.unit is not None else ""


_LEVEL_LABELS: dict[str, str] = dict(CivilServiceLevel.choices)
_ROLE_LABELS = dict(Role.choices)


def _officers_with_current(on: datetime.date) -> QuerySet[Officer]:
    return Officer.objects.filter(is_active=True).prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.current(on).select_related("province", "unit"),
            to_attr="current_roles",
        ),
        Prefetch(
            "district_assignments",
            queryset=DistrictAssignment.objects.current(on)
            .select_related("district__province")
            .order_by(thai_order("district__name_th")),
            to_attr="current_districts",
        ),
    )


def _rows(officers: Sequence[Officer], on: datetime.date) -> list[OfficerRow]:
    """Rows for officers fetched through _officers_with_current, plus their current acting duties (1 query)."""
    acting: dict[int, list[ActingDeputy]] = defaultdict(list)
    if officers:
        for deputy in (
            ActingDeputy.objects.current(on)
            .filter(deputy__in=[o.pk for o in officers])
            .select_related("province")
        ):
            acting[deputy.deputy_id].append(deputy)
    return [
        OfficerRow(
            officer=o,
            roles=sorted(o.current_roles, key=lambda r: _ROLE_ORDER.get(r.role, 99)),  # type: ignore[attr-defined]
            acting=acting.get(o.pk, []),
            districts=[a.district for a in o.current_districts],  # type: ignore[attr-defined]
        )
        for o in officers
    ]


@dataclass
class SearchResult:
    rows: list[OfficerRow]
    has_more: bool  # more officers matched than the limit: the person should narrow the search
    provinces: list[Province]
    districts: list[District]
    units: list[Unit] = field(default_factory=list)  # the centre, bureaus and offices by name or abbreviation


def _bare(text: str) -> str:
    """An abbreviation as compared: without its dots and spaces ("สน.คท." → "สนคท")."""
    return text.replace(".", "").replace(" ", "")


def _caseless(term: str) -> bool:
    """Whether the word has no letter with a case (Thai has none): then comparing it needs no case folding."""
    return term.upper() == term.lower()


def _has(fields: Sequence[str], term: str) -> Q:
    """Some field contains the word, case aside. A Thai word is compared as it is (``LIKE``): folding the case of
    every name of every officer (``UPPER(...) LIKE``) was most of the search's time in the database."""
    lookup = "contains" if _caseless(term) else "icontains"
    q = Q()
    for name in fields:
        q |= Q(**{f"{name}__{lookup}": term})
    return q


def _exact(fields: Sequence[str], terms: Sequence[str]) -> Q:
    """Some field equals some word typed (case aside): such rows come before those that merely contain it."""
    q = Q()
    for name in fields:
        for term in terms:
            q |= Q(**{f"{name}__{'exact' if _caseless(term) else 'iexact'}": term})
    return q


def _active_units() -> list[Unit]:
    """Every active unit with its parent and province: a couple of hundred rows, held in the process (the
    directory matches them in Python); read again whenever a unit is saved (organisation/cached.py)."""
    return reference(
        "units", lambda: list(Unit.objects.filter(is_active=True).select_related("parent", "province"))
    )


def _contains(texts: Sequence[str], term: str) -> bool:
    term = term.casefold()
    return any(term in text.casefold() for text in texts if text)


def _units_matching(terms: list[str], province: Province | None) -> list[Unit]:
    """Units whose name or abbreviation (with or without its dots) has every word; the coordination centre also
    by the group that runs it ("กพร"). The centre first, then exact names and abbreviations, in Thai order."""
    found = []
    for unit in _active_units():
        if province is not None and unit.province_id != province.pk:
            continue
        own = [unit.name_th, unit.name_en, unit.abbreviation]
        parent = unit.parent
        run_by = [parent.name_th, parent.name_en] if parent else []
        bare_own, bare_parent = _bare(unit.abbreviation), _bare(parent.abbreviation) if parent else ""
        centre = unit.kind == Unit.Kind.COORDINATION_CENTRE
        if all(
            _contains(own, term)
            or (_bare(term) and _contains([bare_own], _bare(term)))
            or (
                centre
                and (_contains(run_by, term) or (_bare(term) and _contains([bare_parent], _bare(term))))
            )
            for term in terms
        ):
            found.append(unit)
    wanted = {t.casefold() for t in terms} | {_bare(t).casefold() for t in terms}
    wanted.discard("")

    def order(unit: Unit) -> tuple[int, int, str, tuple[str, str]]:
        names = {unit.name_th.casefold(), unit.name_en.casefold(), unit.abbreviation.casefold()}
        exact = bool(wanted & (names | {_bare(unit.abbreviation).casefold()}))
        return (unit.kind != Unit.Kind.COORDINATION_CENTRE, not exact, unit.kind, thai_key(unit.name_th))

    return sorted(found, key=order)[:8]


def directory_search(
    *,
    query: str,
    province: Province | None = None,
    limit: int = 50,
    on: datetime.date | None = None,
) -> SearchResult:
    """Officers whose name, unit, province or current district matches every word of the query, within the
    province when one is given: exact matches first, then the holders of a role the query names ("ท้องถิ่น
    อำเภอแม่ริม"), then the group directors and provincial heads. Also the units, provinces and districts whose
    names match, so that the centre, a bureau or a district with nobody assigned is found too.

    Seven queries, whatever the number of results (the units are held in the process). The subqueries are uncorrelated (``pk IN (...)``): the
    database evaluates each once, not once per officer. Held with the directory: the same search again (the
    same words, province and day) reads the result from the shared cache until someone is appointed, assigned
    or edited.
    """
    day = on or timezone.localdate()
    return directory_held(
        search_part(query=query, province=province, limit=limit),
        day,
        lambda: _directory_search(query=query, province=province, limit=limit, on=day),
    )


def search_part(*, query: str, province: Province | None, limit: int) -> str:
    """What names a search among the directory's held parts (its words, province and limit)."""
    asked = hashlib.sha256(f"{query}\x00{province.pk if province else ''}\x00{limit}".encode()).hexdigest()
    return f"search:{asked[:32]}"


def _directory_search(
    *, query: str, province: Province | None, limit: int, on: datetime.date
) -> SearchResult:
    parsed = parse_query(query)
    terms = parsed.terms
    if not terms and province is None:
        return SearchResult(rows=[], has_more=False, provinces=[], districts=[])

    current_districts = DistrictAssignment.objects.current(on)
    current_roles = RoleAssignment.objects.current(on)
    officers = _officers_with_current(on).select_related("province", "unit")
    for term in terms:
        in_district = current_districts.filter(_has(["district__name_th", "district__name_en"], term))
        names = ["first_name_th", "last_name_th", "first_name_en", "last_name_en", "province__name_th"]
        names += ["province__name_en", "unit__name_th", "unit__abbreviation"]
        officers = officers.filter(_has(names, term) | Q(pk__in=in_district.values("officer_id")))
    if province is not None:
        officers = officers.filter(
            Q(province=province)
            | Q(pk__in=current_districts.filter(district__province=province).values("officer_id"))
            | Q(pk__in=current_roles.filter(province=province).values("officer_id"))
        )
    leaders = current_roles.filter(role__in=[Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD]).values("officer_id")
    acting = ActingDeputy.objects.current(on).values("deputy_id")
    sso_admins = current_roles.filter(role=Role.SSO_ADMIN).values("officer_id")
    exact = _exact(["first_name_th", "last_name_th", "first_name_en", "last_name_en"], terms)
    if terms:
        exact |= Q(
            pk__in=current_districts.filter(_exact(["district__name_th", "district__name_en"], terms)).values(
                "officer_id"
            )
        )
    named = (
        Q(pk__in=current_roles.filter(role__in=parsed.roles).values("officer_id"))
        if parsed.roles
        else Q(pk__in=[])
    )
    officers = officers.annotate(
        exact=Case(When(exact, then=Value(0)), default=Value(1), output_field=IntegerField())
        if terms
        else Value(1),
        named=Case(When(named, then=Value(0)), default=Value(1), output_field=IntegerField()),
        rank=Case(
            When(Q(pk__in=leaders) | Q(pk__in=acting), then=Value(0)),
            When(pk__in=sso_admins, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
    ).order_by(
        "exact",
        "named",
        thai_order("province__name_th"),
        "rank",
        thai_order("first_name_th"),
        thai_order("last_name_th"),
        "pk",
    )
    found = list(officers[: limit + 1])  # one more than shown tells whether there are more, without a count
    rows = _rows(found[:limit], on)

    places_provinces: list[Province] = []
    places_districts: list[District] = []
    units: list[Unit] = []
    if terms:
        name_q = Q()
        for term in terms:
            name_q &= _has(["name_th", "name_en"], term)
        first = Case(
            When(_exact(["name_th", "name_en"], terms), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        if province is None:
            places_provinces = list(
                Province.objects.filter(name_q).annotate(first=first).order_by("first", "name_th")[:10]
            )
        districts = District.objects.filter(name_q).select_related("province")
        if province is not None:
            districts = districts.filter(province=province)
        places_districts = list(
            districts.annotate(first=first).order_by("first", "province__name_th", "name_th")[:20]
        )
        units = _units_matching(terms, province)
    return SearchResult(
        rows=rows,
        has_more=len(found) > limit,
        provinces=places_provinces,
        districts=places_districts,
        units=units,
    )


def provinces_for_filter() -> QuerySet[Province]:
    return Province.objects.order_by(thai_order("name_th"))


def provinces_in_thai_order() -> list[Province]:
    """The 77 provinces in Thai order, held in the process (the directory's select and list of provinces)."""
    return reference("provinces", lambda: list(provinces_for_filter()))


# ---------------------------------------------------------------------------------------------------------
# A province


@dataclass
class DistrictRow:
    district: District
    assignment: DistrictAssignment | None
    # How many districts of the province the responsible officer holds (more than one is flagged).
    officer_district_count: int = 0

    @property
    def officer(self) -> Officer | None:
        return self.assignment.officer if self.assignment else None

    @property
    def holds_label(self) -> str:
        """The badge of an officer who holds several districts of the province: "holds 3 districts"."""
        count = self.officer_district_count
        return ngettext("holds %(counter)s district", "holds %(counter)s districts", count) % {
            "counter": count
        }


@dataclass
class ProvinceDirectory:
    province: Province
    office: Unit | None
    group_director: RoleAssignment | None
    acting_deputies: list[ActingDeputy]
    provincial_head: RoleAssignment | None
    sso_admins: list[RoleAssignment]
    districts: list[DistrictRow]
    on: datetime.date

    @property
    def has_provincial_office(self) -> bool:
        return self.province.has_provincial_office

    @property
    def acting_today(self) -> ActingDeputy | None:
        for deputy in self.acting_deputies:
            if deputy.start_date <= self.on <= deputy.end_date:
                return deputy
        return None

    @property
    def unassigned(self) -> list[DistrictRow]:
        return [row for row in self.districts if row.assignment is None]

    @property
    def assigned_count(self) -> int:
        return len(self.districts) - len(self.unassigned)

    @property
    def officers_with_several_districts(self) -> list[tuple[Officer, list[District]]]:
        by_officer: dict[int, tuple[Officer, list[District]]] = {}
        for row in self.districts:
            if row.officer is not None:
                by_officer.setdefault(row.officer.pk, (row.officer, []))[1].append(row.district)
        return [item for item in by_officer.values() if len(item[1]) > 1]


def _districts_with_current(on: datetime.date) -> QuerySet[District]:
    return District.objects.select_related("province").prefetch_related(
        Prefetch(
            "assignments",
            queryset=DistrictAssignment.objects.current(on).select_related("officer"),
            to_attr="current_assignments",
        )
    )


def _district_row(district: District) -> DistrictRow:
    current = district.current_assignments  # type: ignore[attr-defined]
    return DistrictRow(district=district, assignment=current[0] if current else None)


# A province's directory is read on every group director's and provincial head's home page and on the province
# page, an officer's districts and their province's contacts on every officer's home page, the country's coverage
# on central staff's, a unit's members on its desk's. They change only when someone is appointed, assigned or
# edited: each is held in the shared cache under a
# version that every such change stamps anew (directory_forget, connected in organisation/apps.py to the saves
# and deletions of what it is made of; a reference data load stamps the reference version, part of the key too).
# The expiry only bounds what a change made behind the signals' back can leave.
DIRECTORY_CACHE_SECONDS = 300


def directory_held_key(part: str, on: datetime.date) -> str:
    """The key of a part of the directory as it is on the day `on`, under the directory's and the reference
    data's version stamps: also part of the key of a page that holds such a part rendered."""
    return f"organisation:directory:{versions(DIRECTORY_VERSION_KEY, VERSION_KEY)}:{part}:{on.isoformat()}"


def directory_held(part: str, on: datetime.date, build: Callable[[], T]) -> T:
    """`build()`, a part of the directory as it is on the day `on` (a province's directory, a person's districts,
    the country's coverage...), from the shared cache when nothing the directory is made of changed since it was
    read. `part` names it and whatever it is read for ("contacts:12,40")."""
    key = directory_held_key(part, on)
    found: T | None = held_cache.get(key)
    if found is None:
        found = build()
        held_cache.set(key, found, DIRECTORY_CACHE_SECONDS)
    return found


def province_directory(*, province: Province, on: datetime.date | None = None) -> ProvinceDirectory:
    """The provincial office, its role holders (and acting deputies from today on) and every district: from the
    shared cache when nothing of it changed since it was read (six queries otherwise)."""
    day = on or timezone.localdate()
    return directory_held(f"province:{province.pk}", day, lambda: _province_directory(province, day))


def directory_forget(**_signal: object) -> None:
    """Someone was appointed, assigned or edited: every held directory is stale, now and once it commits."""
    stamp_anew(DIRECTORY_VERSION_KEY)


def _province_directory(province: Province, on: datetime.date) -> ProvinceDirectory:
    office = Unit.objects.filter(province=province, kind=Unit.Kind.PROVINCIAL_OFFICE).first()
    roles = list(
        RoleAssignment.objects.current(on)
        .filter(province=province, role__in=[Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD, Role.SSO_ADMIN])
        .select_related("officer")
        .order_by("role", "-start_date", thai_order("officer__first_name_th"))
    )
    acting = list(
        ActingDeputy.objects.filter(province=province, end_date__gte=on)
        .select_related("deputy")
        .order_by("start_date")
    )
    districts = [_district_row(d) for d in _districts_with_current(on).filter(province=province)]
    held: dict[int, int] = defaultdict(int)
    for row in districts:
        if row.assignment is not None:
            held[row.assignment.officer_id] += 1
    for row in districts:
        if row.assignment is not None:
            row.officer_district_count = held[row.assignment.officer_id]
    return ProvinceDirectory(
        province=province,
        office=office,
        group_director=next((r for r in roles if r.role == Role.GROUP_DIRECTOR), None),
        acting_deputies=acting,
        provincial_head=next((r for r in roles if r.role == Role.PROVINCIAL_HEAD), None),
        sso_admins=[r for r in roles if r.role == Role.SSO_ADMIN],
        districts=districts,
        on=on,
    )


# ---------------------------------------------------------------------------------------------------------
# A district


@dataclass
class DistrictDirectory:
    district: District
    current: DistrictAssignment | None
    history: list[DistrictAssignment]
    lgos: list[LocalGovernmentOrganisation]
    neighbours: list[District]


def district_directory(*, district: District, on: datetime.date | None = None) -> DistrictDirectory:
    on = on or timezone.localdate()
    history = list(
        DistrictAssignment.objects.filter(district=district)
        .select_related("officer")
        .order_by("-start_date", "-pk")
    )
    current = next(
        (a for a in history if a.start_date <= on and (a.end_date is None or a.end_date >= on)), None
    )
    pairs = DistrictNeighbour.objects.filter(Q(district_a=district) | Q(district_b=district))
    neighbour_ids = {
        a if b == district.pk else b for a, b in pairs.values_list("district_a_id", "district_b_id")
    }
    neighbours = (
        list(
            District.objects.filter(pk__in=neighbour_ids)
            .select_related("province")
            .order_by(thai_order("name_th"))
        )
        if neighbour_ids
        else []
    )
    return DistrictDirectory(
        district=district,
        current=current,
        history=history,
        lgos=list(district.lgos.order_by("kind", thai_order("name_th"))),
        neighbours=neighbours,
    )


# ---------------------------------------------------------------------------------------------------------
# Home pages


@dataclass
class ProvinceContacts:
    province: Province
    group_director: Officer | None
    acting_deputy: ActingDeputy | None
    provincial_head: Officer | None


def province_contacts(
    *, provinces: list[Province], on: datetime.date | None = None
) -> list[ProvinceContacts]:
    """Group director (and the acting deputy of the day) and provincial head of each province: 2 queries, or
    none while the directory is held unchanged."""
    day = on or timezone.localdate()
    ids = ",".join(str(p.pk) for p in provinces)
    return directory_held(f"contacts:{ids}", day, lambda: _province_contacts(provinces, day))


def _province_contacts(provinces: list[Province], on: datetime.date) -> list[ProvinceContacts]:
    holders: dict[tuple[int, str], Officer] = {}
    for assignment in (
        RoleAssignment.objects.current(on)
        .filter(province__in=provinces, role__in=[Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD])
        .select_related("officer")
        .order_by("start_date")
    ):
        holders[(assignment.province_id, assignment.role)] = assignment.officer
    acting = {
        deputy.province_id: deputy
        for deputy in ActingDeputy.objects.current(on)
        .filter(province__in=provinces)
        .select_related("deputy")
        .order_by("start_date")
    }
    return [
        ProvinceContacts(
            province=p,
            group_director=holders.get((p.pk, Role.GROUP_DIRECTOR)),
            acting_deputy=acting.get(p.pk),
            provincial_head=holders.get((p.pk, Role.PROVINCIAL_HEAD)),
        )
        for p in provinces
    ]


def officer_districts(*, officer: Officer, on: datetime.date | None = None) -> list[DistrictAssignment]:
    """The districts the officer is responsible for on the day, in Thai order (held with the directory)."""
    day = on or timezone.localdate()
    return directory_held(
        f"officer-districts:{officer.pk}",
        day,
        lambda: list(
            DistrictAssignment.objects.current(day)
            .filter(officer=officer)
            .select_related("district__province")
            .order_by(thai_order("district__province__name_th"), thai_order("district__name_th"))
        ),
    )


@dataclass
class NationalCoverage:
    provinces: int
    provinces_with_director: int
    districts: int
    districts_with_officer: int
    provinces_without_director: list[Province]

    @property
    def provinces_without_director_count(self) -> int:
        return self.provinces - self.provinces_with_director

    @property
    def districts_without_officer(self) -> int:
        return self.districts - self.districts_with_officer

    @property
    def provinces_percent(self) -> int:
        return round(100 * self.provinces_with_director / self.provinces) if self.provinces else 0

    @property
    def districts_percent(self) -> int:
        return round(100 * self.districts_with_officer / self.districts) if self.districts else 0


def national_coverage(*, on: datetime.date | None = None) -> NationalCoverage:
    """Provinces with a group director and districts with a responsible officer, outside Bangkok: 2 queries, or
    none while the directory is held unchanged."""
    day = on or timezone.localdate()
    return directory_held("coverage", day, lambda: _national_coverage(day))


def _national_coverage(on: datetime.date) -> NationalCoverage:
    director = RoleAssignment.objects.current(on).filter(province=OuterRef("pk"), role=Role.GROUP_DIRECTOR)
    provinces = list(
        Province.objects.outside_bangkok()
        .annotate(has_director=Exists(director))
        .order_by(thai_order("name_th"))
    )
    districts = District.objects.outside_bangkok().aggregate(
        total=Count("pk"),
        assigned=Count(
            "pk", filter=Q(Exists(DistrictAssignment.objects.current(on).filter(district=OuterRef("pk"))))
        ),
    )
    without: list[Province] = [p for p in provinces if not p.has_director]
    return NationalCoverage(
        provinces=len(provinces),
        provinces_with_director=len(provinces) - len(without),
        districts=districts["total"],
        districts_with_officer=districts["assigned"],
        provinces_without_director=without,
    )


def unit_members(*, units: list[int], on: datetime.date | None = None) -> list[tuple[Unit, list[OfficerRow]]]:
    """Each unit with the officers who hold a current role in it or belong to it (held with the directory)."""
    day = on or timezone.localdate()
    ids = ",".join(str(pk) for pk in units)
    return directory_held(f"units:{ids}", day, lambda: _unit_members(units, day))


def _unit_members(units: list[int], on: datetime.date) -> list[tuple[Unit, list[OfficerRow]]]:
    unit_list = list(Unit.objects.filter(pk__in=units).order_by(thai_order("name_th")))
    in_unit = RoleAssignment.objects.current(on).filter(officer=OuterRef("pk"), unit__in=units)
    officers = list(
        _officers_with_current(on)
        .filter(Q(unit__in=units) | Exists(in_unit))
        .select_related("province", "unit")
        .order_by(thai_order("first_name_th"), thai_order("last_name_th"))
    )
    rows = _rows(officers, on)
    result = []
    for unit in unit_list:
        members = [
            row
            for row in rows
            if row.officer.unit_id == unit.pk or any(r.unit_id == unit.pk for r in row.roles)
        ]
        result.append((unit, members))
    return result


# ---------------------------------------------------------------------------------------------------------
# The coordination centre and the central units


def coordination_centre() -> Unit | None:
    """The coordination centre with the group that runs it (one query)."""
    return (
        Unit.objects.filter(kind=Unit.Kind.COORDINATION_CENTRE, is_active=True)
        .select_related("parent")
        .order_by("pk")
        .first()
    )


def central_units() -> list[Unit]:
    """The centre first, then the bureaus and divisions, with their contact details (one query)."""
    return list(
        Unit.objects.filter(province__isnull=True, is_active=True)
        .select_related("parent")
        .annotate(
            centre=Case(
                When(kind=Unit.Kind.COORDINATION_CENTRE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("centre", "kind", "name_th")
    )
