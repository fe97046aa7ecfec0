"""Walks every URL pattern of the project as each role of Chiang Mai (and a bureau desk the request never
reached, and an anonymous visitor), with every path parameter filled by an object of ANOTHER province
(Lamphun): its province and district codes, its coordination request, attachment, notification, role
assignment. No answer may be a 200 that shows Lamphun's data. Central staff are the positive control:
they must see that data, which proves the markers would catch a leak.

A new URL pattern is walked automatically; one with a parameter this test cannot fill fails it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from django.utils.http import urlsafe_base64_encode

from accounts.models import AuditLog
from api.models import AccessToken
from api.services import service_account_create, token_create
from cases.models import CoordinationRequest
from cases.services import requests as services
from notifications import webhooks
from notifications.models import Notification, Subscription, WebhookEventKind
from organisation.models import Officer, Role, RoleAssignment
from reporting.models import DistrictReport, ReportingCycle
from reporting.services import cycles
from tests.coordination import Org, clock, org  # noqa: F401  (fixtures)
from tests.factories import OfficerFactory, UserFactory, give_role
from tests.reporting.conftest import cycle_input, open_for

# What only someone with Lamphun in scope may see. Officer names are in the directory on purpose.
REQUEST_MARKERS = ["ความลับของลำพูน๙๙๗", "LAMPHUN-SECRET-DETAILS", "lamphun-secret-997", "LAMPHUN-FILE-BODY"]
PERSON_MARKERS = ["ลำพูนเท่านั้น"]

# Pages legitimately open to every signed-in user: the directory (DESIGN.md, "The organisation": any
# signed-in user searches the group directors of every province and the district officers of any
# district, with contact details). People's names may show there; requests never.
DIRECTORY = {"directory", "province-detail", "district-detail"}
# The same directory through the API (issue 13): provinces, districts, their officers, the central units.
API_DIRECTORY = {"api:provinces", "api:province", "api:districts", "api:district", "api:units"}
DIRECTORY |= API_DIRECTORY
# Pages open to anyone without signing in: the sign-in page and its list of SSO admins (issue 6),
# which show only SSO admins' names and office contacts.
PUBLIC = {
    "login",
    "about",  # the about page and help (issue 11 item 13): the centre's contacts, no person
    "accounts:sso-admins",
    "accounts:sso-refused",  # the SSO admins of the province a refused DLA-SSO sign-in named, nothing else
    "password_reset_confirm",
    "password_reset_complete",
}


@dataclass
class World:
    org: Org
    request: CoordinationRequest
    cycle: ReportingCycle  # a reporting cycle opened for Lamphun only: its reports name the Lamphun officer
    report: DistrictReport
    attachment_pk: int
    notification: Notification
    role: RoleAssignment
    lp_officer: Officer
    subscription: Subscription  # Lamphun's provincial head's webhook subscription
    users: dict[str, User | None]
    lp_token_pk: int  # an access token of the other province's officer


@pytest.fixture
def world(org: Org, settings: Any, tmp_path: Any) -> World:  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    lp_officer = org.lp_officer.officer
    lp_officer.last_name_th = PERSON_MARKERS[0]
    lp_officer.save()
    draft = services.request_save_draft(
        by=org.lp_officer,
        data=services.RequestInput(
            subject=REQUEST_MARKERS[0],
            details=REQUEST_MARKERS[1],
            category=org.category,
            urgency="NORMAL",
            district=org.lamphun_district,
            target_unit=org.bureau,
            target_province=None,
        ),
    )
    request = services.request_send(request=draft, by=org.lp_officer)
    upload = SimpleUploadedFile(
        f"{REQUEST_MARKERS[2]}.pdf", b"%PDF-1.4\n" + REQUEST_MARKERS[3].encode() + b"\n%%EOF\n"
    )
    attachment = services.attachment_add(request=request, by=org.lp_officer, upload=upload)
    notification = Notification.objects.filter(recipient=org.lp_director).latest("pk")
    role = RoleAssignment.objects.get(officer=org.lp_director.officer, role=Role.GROUP_DIRECTOR)
    cycles.defaults_ensure()
    cycle = open_for(cycles.cycle_create(data=cycle_input(), by=org.central), [org.lamphun])
    report = DistrictReport.objects.get(cycle=cycle, district=org.lamphun_district)
    sso_user = UserFactory(username="t.sso")
    give_role(OfficerFactory(user=sso_user, province=org.chiang_mai), Role.SSO_ADMIN)
    lp_sso = UserFactory(username="t.lp_sso")
    give_role(
        OfficerFactory(user=lp_sso, province=org.lamphun, last_name_th=PERSON_MARKERS[0]), Role.SSO_ADMIN
    )
    subscription = webhooks.subscription_create(
        owner=org.lp_head,
        province=org.lamphun,
        name=f"INFO {PERSON_MARKERS[0]}",
        url="http://127.0.0.1:9/hooks",
        events=[WebhookEventKind.REQUEST_SENT],
        now=timezone.now(),
    )
    webhooks.emit(
        kind=WebhookEventKind.REQUEST_SENT, province=org.lamphun, data={"id": 1}, now=timezone.now()
    )
    lp_token = token_create(user=org.lp_officer, name=REQUEST_MARKERS[2], days=30).token
    return World(
        lp_token_pk=lp_token.pk,
        org=org,
        request=request,
        cycle=cycle,
        report=report,
        attachment_pk=attachment.pk,
        notification=notification,
        role=role,
        lp_officer=lp_officer,
        subscription=subscription,
        users={
            "district officer": org.officer,
            "group director": org.director,
            "provincial head": org.head,
            "SSO admin": sso_user,
            "bureau desk of another unit": org.other_desk,
            "anonymous": None,
        },
    )


# --- the URL patterns ------------------------------------------------------------------------------


@dataclass
class Route:
    segments: list[URLPattern | URLResolver]
    name: str  # namespace-qualified, or "" when the pattern has none
    callback: Callable[..., Any]

    @property
    def params(self) -> list[str]:
        names: list[str] = []
        for segment in self.segments:
            names.extend(segment.pattern.regex.groupindex)
        return names

    @property
    def text(self) -> str:
        return "".join(str(segment.pattern) for segment in self.segments)


def routes(
    patterns: list[Any] | None = None, parents: list[Any] | None = None, ns: str = ""
) -> Iterator[Route]:
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        segments = [*(parents or []), pattern]
        if isinstance(pattern, URLResolver):
            inner = f"{ns}:{pattern.namespace}" if ns and pattern.namespace else (pattern.namespace or ns)
            yield from routes(pattern.url_patterns, segments, inner)
        else:
            name = f"{ns}:{pattern.name}" if ns and pattern.name else (pattern.name or "")
            yield Route(segments, name, pattern.callback)


def _fill_regex(regex: str, values: dict[str, str]) -> str:
    """A concrete path for a regex pattern: each named group replaced by its value (balanced parentheses)."""
    out, i = [], 0
    regex = regex.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    while i < len(regex):
        match = re.match(r"\(\?P<(\w+)>", regex[i:])
        if match:
            depth, j = 1, i + match.end()
            while depth:
                depth += {"(": 1, ")": -1}.get(regex[j], 0)
                j += 1
            out.append(values[match.group(1)])
            i = j
        else:
            out.append(regex[i].replace("\\", ""))
            i += 1
    return "".join(out)


def _fill_route(route: str, values: dict[str, str]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)


def build_url(route: Route, values: dict[str, str]) -> str:
    parts = []
    for segment in route.segments:
        text = str(segment.pattern)
        parts.append(
            _fill_regex(text, values)
            if segment.pattern.regex.pattern == text and "(?P<" in text
            else _fill_route(text, values)
        )
    return "/" + "".join(parts)


def _admin_object(world: World, model: type[models.Model]) -> str:
    """The other province's object of an admin's model where the world has one, else any row."""
    mine: dict[type[models.Model], models.Model] = {
        CoordinationRequest: world.request,
        Officer: world.lp_officer,
        RoleAssignment: world.role,
        Notification: world.notification,
        User: world.org.lp_officer,
    }
    if model in mine:
        return str(mine[model].pk)
    first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return str(first or 1)


def values_for(route: Route, world: World) -> dict[str, str] | None:
    """Values of the route's parameters, or None when one of them is unknown to this test."""
    name = route.name
    model_admin = getattr(route.callback, "model_admin", None)
    known: dict[str, str] = {}
    for param in route.params:
        value: str | None = None
        if param == "code":
            value = (
                world.org.lamphun_district.code
                if name in ("district-detail", "api:district")
                else world.org.lamphun.code
            )
        elif param == "district_code":
            value = world.org.lamphun_district.code
        elif param == "unit_code":  # the other province's office
            value = f"pao-office-{world.org.lamphun.code}"
        elif param == "pk" and name in ("api:request", "api:request-action"):
            value = str(world.request.pk)
        elif param == "pk" and name.startswith("api:report"):
            value = str(world.report.pk)
        elif param == "pk" and name == "tokens:revoke":
            value = str(world.lp_token_pk)
        elif param == "action" and name == "api:request-action":
            value = "route"
        elif param == "pk" and name.startswith("requests:"):
            value = str(world.request.pk)
        elif param == "pk" and name == "notifications:open":
            value = str(world.notification.pk)
        elif param == "pk" and name.startswith("webhooks:"):
            value = str(world.subscription.pk)
        elif param == "pk" and name == "manage:role-end":
            value = str(world.role.pk)
        elif param == "pk" and name.startswith("accounts:"):
            value = str(world.lp_officer.pk)
        elif param == "action" and name.startswith("accounts:"):
            value = "deactivate"
        elif param == "uidb64":
            value = urlsafe_base64_encode(str(world.org.lp_officer.pk).encode())
        elif param == "token":
            value = "set-password"  # Django's redirect after a valid token; an invalid one shows the refusal
        elif param == "attachment_pk":
            value = str(world.attachment_pk)
        elif param == "fmt":
            value = "csv"
        elif param == "cycle_pk":
            value = str(world.cycle.pk)
        elif param == "province_pk":
            value = str(world.org.lamphun.pk)
        elif param == "district_pk":
            value = str(world.org.lamphun_district.pk)
        elif param == "pk" and name.startswith("reporting:"):
            value = str(world.report.pk)
        elif param == "what" and name == "reporting:export":
            value = "reports"
        elif param == "what" and name == "requests:monitor-export":
            value = "figures"
        elif param == "unit_pk":  # the unit the other province's request went to (not the other desk's)
            value = str(world.org.bureau.pk)
        elif param == "action":
            value = "approve"
        elif name.startswith("admin:") or route.text.startswith("admin/"):
            if param == "app_label":
                value = "organisation"
            elif param == "content_type_id":
                value = str(ContentType.objects.get_for_model(CoordinationRequest).pk)
            elif param in ("object_id", "id") and model_admin is not None:
                value = _admin_object(world, model_admin.model)
            elif param == "id":  # the user admin's password change
                value = str(world.org.lp_officer.pk)
            elif param == "object_id":  # view_on_site
                value = str(world.request.pk)
            elif param == "url":
                value = "cases/coordinationrequest/"
        if value is None:
            return None
        known[param] = value
    return known


# --- the walk ------------------------------------------------------------------------------------


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _leaks(route: Route, body: str) -> list[str]:
    markers = REQUEST_MARKERS if route.name in DIRECTORY | PUBLIC else REQUEST_MARKERS + PERSON_MARKERS
    return [marker for marker in markers if marker in body]


def _walk(world: World) -> list[tuple[Route, str]]:
    unknown = [r.text for r in routes() if values_for(r, world) is None]
    assert not unknown, f"URL patterns with parameters this test cannot fill (teach values_for): {unknown}"
    urls = []
    for route in routes():
        values = values_for(route, world)
        assert values is not None
        url = build_url(route, values)
        assert resolve(url).func == route.callback, f"{url} does not resolve to {route.text}"
        urls.append((route, url))
    return urls


def test_every_url_pattern_is_walked(world: World) -> None:
    urls = _walk(world)
    names = {route.name for route, _url in urls}
    # A sample of what must be in the walk: if these go missing, the walk itself is broken.
    for name in [
        "requests:detail",
        "requests:attachment",
        "notifications:open",
        "manage:role-end",
        "directory",
        "accounts:officer-action",
    ]:
        assert name in names
    assert len(urls) > 50  # the admin's patterns too


ROLES = [
    "district officer",
    "group director",
    "provincial head",
    "SSO admin",
    "bureau desk of another unit",
    "anonymous",
]


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_another_provinces_data(world: World, role: str) -> None:
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user, backend="accounts.backends.LocalBackend")
    leaks = []
    for route, url in _walk(world):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code == 200 or method == "post":
                found = _leaks(route, _body(response))
                if found:
                    leaks.append(
                        f"{method.upper()} {url} ({route.name or route.text}) {response.status_code}: {found}"
                    )
            # /healthz answers 503 here: no worker heartbeat in the test database.
            assert response.status_code < 500 or route.name == "healthz", (
                f"{method.upper()} {url}: {response.status_code}"
            )
            if method == "get" and response.status_code != 405:
                break  # a page that answers GET: POST with no data would only be a form error
    assert not leaks, "\n".join(leaks)
    world.org.lp_officer.refresh_from_db()
    assert world.org.lp_officer.is_active, "an account of the other province was deactivated"
    assert not AuditLog.objects.exists()
    world.subscription.refresh_from_db()  # not rotated, switched off or deleted by another province
    assert world.subscription.is_active and not world.subscription.previous_secret
    assert AccessToken.objects.get(pk=world.lp_token_pk).revoked_at is None


def test_central_staff_see_the_other_province_so_the_markers_catch_leaks(world: World) -> None:
    client = Client()
    client.force_login(world.org.central, backend="accounts.backends.LocalBackend")
    seen = set()
    for route, url in _walk(world):
        response = client.get(url)
        if response.status_code == 200 and _leaks(route, _body(response)):
            seen.add(route.name)
    assert {
        "requests:detail",
        "requests:attachment",
        "requests:all",
        "manage:province",
        "accounts:officer",
        "reporting:province",
        "reporting:district",
        "reporting:export",
        "reporting:report",
        "webhooks:list",
        "webhooks:edit",
        "webhooks:log",
        "audit:search",  # the Lamphun officer's name, changed above, with its province
        "requests:monitor-province",  # the group director's queue names the request
        "api:request",
    } <= seen


# --- the API with tokens (issue 13 item 3) ---------------------------------------------------------------


def _api_queries(world: World) -> list[dict[str, str]]:
    """The other province's ids in every filter the API takes, for each of the pages' lists."""
    lp = world.org.lamphun
    ids = {
        "province": str(lp.pk),
        "district": str(world.org.lamphun_district.pk),
        "cycle": str(world.cycle.pk),
        "q": REQUEST_MARKERS[0],
    }
    return [{}, ids, *({"list": which} for which in ("mine", "queue", "pool", "province", "all"))] + [
        {"list": which, **ids} for which in ("province", "all")
    ]


def _api_body(world: World) -> dict[str, Any]:
    """A write naming the other province's objects: its request's version and task, its report's revision."""
    return {
        "version": world.request.version,
        "task": world.request.current_task_id,
        "target": f"province:{world.org.lamphun.pk}",
        "answer": "x",
        "reason": "x",
        "revision": world.report.revision,
        "values": {},
        "ids": [world.notification.pk],
        "district": world.org.lamphun_district.pk,
    }


@pytest.mark.parametrize("role", [*ROLES[:-1], "service account of Chiang Mai"])
def test_no_api_call_with_a_token_shows_another_provinces_data(world: World, role: str) -> None:
    if role == "service account of Chiang Mai":
        secret = service_account_create(
            name="INFO", province=world.org.chiang_mai, may_write=True, days=30, by=world.org.central
        ).secret
    else:
        user = world.users[role]
        assert user is not None
        secret = token_create(user=user, name="walk", days=30).secret
    client = Client()
    headers = {"Authorization": f"Bearer {secret}"}
    api_routes = [(route, url) for route, url in _walk(world) if route.name.startswith("api:")]
    assert len(api_routes) >= 18
    leaks = []
    for route, url in api_routes:
        for query in _api_queries(world):
            response = client.get(url, query, headers=headers)
            assert response.status_code < 500, f"GET {url} {query}: {response.status_code}"
            if _leaks(route, _body(response)):
                leaks.append(f"GET {url} {query} {response.status_code}: {_leaks(route, _body(response))}")
        response = client.post(url, _api_body(world), content_type="application/json", headers=headers)
        assert response.status_code < 500, f"POST {url}: {response.status_code}"
        if _leaks(route, _body(response)):
            leaks.append(f"POST {url} {response.status_code}: {_leaks(route, _body(response))}")
    assert not leaks, "\n".join(leaks)
    world.request.refresh_from_db()
    assert world.request.status == "REVIEW", "an action on the other province's request went through"
    world.report.refresh_from_db()
    assert world.report.revision == 0 or world.report.updated_by_id is None
    world.notification.refresh_from_db()
    assert world.notification.read_at is None


def test_central_staffs_token_sees_the_other_province_so_the_api_walk_would_catch_a_leak(
    world: World,
) -> None:
    secret = token_create(user=world.org.central, name="walk", days=30).secret
    client = Client()
    headers = {"Authorization": f"Bearer {secret}"}
    seen = set()
    for route, url in _walk(world):
        if not route.name.startswith("api:"):
            continue
        for query in _api_queries(world):
            if _leaks(route, _body(client.get(url, query, headers=headers))):
                seen.add(route.name)
    assert {"api:request", "api:requests"} <= seen
