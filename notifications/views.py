from __future__ import annotations

import functools
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications import selectors, services, texts
from notifications.forms import PreferencesForm
from notifications.models import PERSON_CHANNELS, URGENT_KINDS, Channel, Kind, Notification
from organisation.cached import PERSON_HELD_SECONDS, person_held_key
from organisation.models import Officer
from organisation.selectors.roles import scopes_forget

PAGE_SIZE = 30


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind login_required)."""
    assert isinstance(request.user, User)
    return request.user


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The person's notifications, newest first: held rendered (inbox.html's {% cache %}) until one arrives or
    is read, and read from the database only when they are rendered."""
    user = _user(request)
    number = request.GET.get("page")

    @functools.cache
    def page() -> Page[Notification]:
        return Paginator(selectors.notifications_for(user), PAGE_SIZE).get_page(number)

    return render(
        request,
        "notifications/inbox.html",
        {
            "page": SimpleLazyObject(page),
            "rows": SimpleLazyObject(
                lambda: [{"notification": n, "title": texts.title(n)} for n in page().object_list]
            ),
            "held_key": person_held_key(
                user,
                hashlib.sha256(str(number).encode()).hexdigest()[:16],
                covers=(services.inbox_version_key(user.pk),),
            ),
            "held_seconds": PERSON_HELD_SECONDS,
        },
    )


@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark as read and go to what it is about (only a path on this site)."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notifications_mark_read(user=_user(request), ids=[notification.pk], now=timezone.now())
    url = str(notification.context.get("url") or "")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts=None) and url.startswith("/"):
        return HttpResponseRedirect(url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_read(user=_user(request), ids=None, now=timezone.now())
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:inbox")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    officer = Officer.objects.filter(user=_user(request)).first()
    current = selectors.preferences_of(_user(request))
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            choices = {}
            for kind in Kind:
                digest = (
                    bool(form.cleaned_data.get(f"{kind.value}__digest")) and kind.value not in URGENT_KINDS
                )
                for channel in PERSON_CHANNELS:
                    enabled = form.cleaned_data[f"{kind.value}__{channel.value}"]
                    choices[(kind.value, channel.value)] = (enabled, digest and channel == Channel.EMAIL)
            services.preferences_save(user=_user(request), choices=choices)
            if officer is not None and officer.preferred_language != form.cleaned_data["language"]:
                Officer.objects.filter(pk=officer.pk).update(preferred_language=form.cleaned_data["language"])
                scopes_forget()  # the scope holds the officer
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    else:
        initial: dict[str, object] = {"language": officer.preferred_language if officer else "th"}
        for kind in Kind:
            for channel in PERSON_CHANNELS:
                pref = current.get((kind.value, channel.value))
                initial[f"{kind.value}__{channel.value}"] = pref.enabled if pref else True
            email = current.get((kind.value, Channel.EMAIL.value))
            initial[f"{kind.value}__digest"] = bool(email and email.digest)
        form = PreferencesForm(initial=initial)
    return render(request, "notifications/preferences.html", {"form": form})
