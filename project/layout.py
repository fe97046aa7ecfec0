"""The site's header on every page: ``{% site_header %}`` in templates/base.html (a builtin: no {% load %}).

Rendered by Jinja2 (templates/jinja2/layout/header.html) from what is worked out here: the person's name and role labels
from their scope, the main menu for their roles with the page they are on marked, the unread count on the bell.
As a Django template the header cost about 2 ms of every page (a dozen URLs reversed, forty tags); the menu's
URLs are reversed once per process (workdays/fast.py) and the template is compiled Python.
"""

from __future__ import annotations

import functools
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template import engines
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_info, gettext, gettext_lazy, ngettext

from organisation.models import Role
from workdays.fast import fixed_url

register = template.Library()

# The roles held today, in this order on the user bar.
_ROLE_LABELS = [
    (Role.CENTRAL_STAFF, gettext_lazy("Central staff")),
    (Role.PROVINCIAL_HEAD, gettext_lazy("Provincial head")),
    (Role.GROUP_DIRECTOR, gettext_lazy("Group director")),
    (Role.SSO_ADMIN, gettext_lazy("SSO admin")),
    (Role.DISTRICT_OFFICER, gettext_lazy("District officer")),
    (Role.BUREAU_DESK, gettext_lazy("Bureau desk")),
]


@functools.cache
def _languages() -> list[tuple[str, str]]:
    """Each language of the service in its own name (ไทย, English), for the switch."""
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


def _person(request: HttpRequest, scope: Any) -> dict[str, Any]:
    officer = scope.officer if scope is not None else None
    roles = scope.roles if scope is not None else frozenset()
    labels = [str(label) for role, label in _ROLE_LABELS if role in roles]
    place = ""
    if labels and officer is not None:
        if officer.province_id:
            place = gettext("%(name)s province") % {"name": officer.province.name}
        elif officer.unit_id:
            place = officer.unit.name
    elif scope is not None and scope.is_superuser:
        labels = [gettext("System administrator")]
    return {
        "person_name": officer.full_name if officer is not None else request.user.get_username(),
        "role_labels": labels,
        "place": place,
    }


MenuItem = tuple[str, str, bool, int | None]


def _item(viewname: str, label: str, current: bool, bell: int | None = None) -> MenuItem:
    return (fixed_url(viewname), label, current, bell)


def _menu(request: HttpRequest, scope: Any, unread: int) -> list[MenuItem]:
    """(address, label, whether it is the page shown, the unread count on the bell) for each item the person has."""
    match = request.resolver_match
    page = (match.url_name or "") if match is not None else ""
    namespace = match.namespace if match is not None else ""
    roles = scope.roles if scope is not None else frozenset()
    central = scope is not None and scope.is_central
    manages = Role.GROUP_DIRECTOR in roles or Role.PROVINCIAL_HEAD in roles
    monitoring = namespace == "requests" and page.startswith("monitor")
    items = [_item("home", gettext("Home"), page == "home")]
    if roles:
        items.append(
            _item(
                "requests:mine", gettext("Coordination requests"), namespace == "requests" and not monitoring
            )
        )
    if central or manages or Role.DISTRICT_OFFICER in roles:
        reports = "reporting:cycles" if central else "reporting:queue" if manages else "reporting:mine"
        items.append(_item(reports, gettext("Workload reports"), namespace == "reporting"))
    if central or manages or Role.BUREAU_DESK in roles:
        items.append(_item("requests:monitor", gettext("Coordination monitoring"), monitoring))
    items.append(
        _item("directory", gettext("Directory"), page in ("directory", "province-detail", "district-detail"))
    )
    if central or Role.SSO_ADMIN in roles:
        items.append(_item("accounts:index", gettext("Accounts"), namespace == "accounts"))
    if scope is not None and scope.manages_provinces:
        items.append(_item("manage:index", gettext("Manage provinces"), namespace == "manage"))
    if central or Role.PROVINCIAL_HEAD in roles:
        items.append(_item("webhooks:list", gettext("Webhooks"), namespace == "webhooks"))
        items.append(_item("audit:search", gettext("Audit log"), namespace == "audit"))
    items.append(_item("notifications:inbox", gettext("Notifications"), namespace == "notifications", unread))
    if request.user.is_staff:
        items.append(_item("admin:index", gettext("Administration"), False))
    items.append(_item("about", gettext("Help"), page == "about"))
    return items


@register.simple_tag(takes_context=True)
def site_header(context: template.Context) -> SafeString:
    request: HttpRequest | None = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    values: dict[str, Any] = {
        "signed_in": signed_in,
        "logo": static("img/logo.svg"),
        "language": get_language(),
        "languages": _languages(),
        # None on the 500 page (no request, hence no CSRF token): no forms then.
        "csrf_token": get_token(request) if request is not None else "",
        "next_path": request.get_full_path() if request is not None else "",
    }
    if signed_in and request is not None:
        scope = getattr(request, "scope", None)
        unread = int(context.get("unread_notifications") or 0)
        values.update(
            _person(request, scope),
            menu=_menu(request, scope, unread),
            bell_label=ngettext("%(n)s unread", "%(n)s unread", unread) % {"n": unread},
        )
    return mark_safe(engines["jinja2"].get_template("layout/header.html").render(values))  # Jinja2 escaped it


@register.simple_tag(takes_context=True)
def site_footer_centre(context: template.Context) -> SafeString:
    """The coordination centre's name, phone and e-mail in the footer of every page (Jinja2, as the header)."""
    centre = context.get("coordination_centre")
    run_by = ""
    if centre and centre.parent:
        run_by = gettext("Run by the %(group)s (%(abbreviation)s), Department of Local Administration") % {
            "group": centre.parent.name,
            "abbreviation": centre.parent.abbreviation,
        }
    values = {"centre": centre, "run_by": run_by}
    return mark_safe(
        engines["jinja2"].get_template("layout/footer_centre.html").render(values)
    )  # escaped there
