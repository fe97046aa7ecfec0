"""Webhook subscriptions: central staff's for the whole country (or a province), a provincial head's for
their province; each sees and changes only those of the provinces they reach."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from notifications import webhooks
from notifications.forms_webhooks import SubscriptionForm
from notifications.models import Delivery, Subscription
from organisation.models import Province, Role
from organisation.scope import scope_of
from organisation.selectors.roles import UserScope

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _head_provinces(scope: UserScope) -> frozenset[int]:
    return scope.provinces_by_role.get(Role.PROVINCIAL_HEAD, frozenset())


def _scope(request: HttpRequest) -> UserScope:
    scope = scope_of(request)
    if not (scope.is_central or _head_provinces(scope)):
        raise PermissionDenied(_("Only central staff and provincial heads manage webhooks."))
    return scope


def _visible(scope: UserScope) -> QuerySet[Subscription]:
    subscriptions = Subscription.objects.select_related("province", "owner__officer")
    if scope.is_central:
        return subscriptions
    return subscriptions.filter(province_id__in=_head_provinces(scope))


def _subscription(request: HttpRequest, pk: int) -> Subscription:
    subscription = _visible(_scope(request)).filter(pk=pk).first()
    if subscription is None:
        raise Http404
    return subscription


def _provinces(scope: UserScope) -> QuerySet[Province]:
    provinces = Province.objects.outside_bangkok() if scope.is_central else Province.objects.all()
    if not scope.is_central:
        provinces = provinces.filter(pk__in=_head_provinces(scope))
    return provinces.order_by("code")


def _secret_page(request: HttpRequest, subscription: Subscription, rotated: bool = False) -> HttpResponse:
    response = render(
        request, "notifications/webhooks/secret.html", {"subscription": subscription, "rotated": rotated}
    )
    response["Cache-Control"] = "no-store"  # neither the browser nor a proxy keeps the secret
    return response


@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    rows = list(_visible(scope).order_by("name", "pk"))
    return render(request, "notifications/webhooks/list.html", {"subscriptions": rows})


@login_required
@require_http_methods(["GET", "POST"])
def subscription_new(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    form = SubscriptionForm(
        request.POST or None, provinces=_provinces(scope), country=scope.is_central, editing=False
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscription = webhooks.subscription_create(
                owner=_user(request),
                province=data.get("province"),
                name=data["name"],
                url=data["url"],
                events=data["events"],
                now=timezone.now(),
            )
        except webhooks.UnsafeTarget as exc:
            form.add_error("url", str(exc))
        else:
            # The secret is shown once, here; afterwards only a new one can be made (rotation).
            return _secret_page(request, subscription)
    return render(request, "notifications/webhooks/form.html", {"form": form, "subscription": None})


@login_required
@require_http_methods(["GET", "POST"])
def subscription_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    subscription = _subscription(request, pk)
    initial = {
        "name": subscription.name,
        "url": subscription.url,
        "events": subscription.events,
        "is_active": subscription.is_active,
    }
    form = SubscriptionForm(
        request.POST or None,
        initial=initial,
        provinces=_provinces(scope),
        country=scope.is_central,
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            webhooks.subscription_update(
                subscription=subscription,
                name=data["name"],
                url=data["url"],
                events=data["events"],
                is_active=data["is_active"],
            )
        except webhooks.UnsafeTarget as exc:
            form.add_error("url", str(exc))
        else:
            messages.success(request, _("The subscription is saved."))
            return redirect("webhooks:edit", pk=subscription.pk)
    return render(request, "notifications/webhooks/form.html", {"form": form, "subscription": subscription})


@login_required
@require_POST
def subscription_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = webhooks.subscription_rotate_secret(
        subscription=_subscription(request, pk), now=timezone.now()
    )
    return render(
        request, "notifications/webhooks/secret.html", {"subscription": subscription, "rotated": True}
    )


@login_required
@require_http_methods(["GET", "POST"])
def subscription_delete(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _subscription(request, pk)
    if request.method == "POST":
        webhooks.subscription_delete(subscription=subscription)
        messages.success(request, _("The subscription is deleted."))
        return redirect("webhooks:list")
    return render(request, "notifications/webhooks/delete.html", {"subscription": subscription})


@login_required
def subscription_log(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _subscription(request, pk)
    deliveries = (
        Delivery.objects.filter(subscription=subscription)
        .select_related("event")
        .prefetch_related("webhook_attempts")
        .order_by("-pk")
    )
    status = request.GET.get("status", "")
    if status in Delivery.Status.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/webhooks/log.html",
        {
            "subscription": subscription,
            "page": page,
            "statuses": Delivery.Status.choices,
            "status": status,
            "querystring": f"status={status}" if status else "",
        },
    )
