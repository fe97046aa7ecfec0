"""The admin of the deadline engine: versioned deadline policies, and the
scheduled reminders and escalations, with repair of those that failed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from deadlines.models import DeadlinePolicy, DeadlineRule, EscalationStep, ScheduledAction
from deadlines.services.deadlines import (
    failed_action_retry,
    policy_activate,
    policy_apply_to_open,
    policy_copy,
    policy_in_use,
    policy_preview,
)


class LockedWhenInUse:
    """A policy version that tasks started with must not change under them: copy it to a new version."""

    def _locked(self, obj: Any) -> bool:
        policy = obj if isinstance(obj, DeadlinePolicy) else getattr(obj, "policy", None)
        return policy is not None and policy_in_use(policy)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class DeadlineRuleInline(LockedWhenInUse, admin.TabularInline):
    model = DeadlineRule
    extra = 0
    fields = ["step", "urgency", "working_days", "reminders"]
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_add_permission(request, obj)


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(LockedWhenInUse, admin.ModelAdmin):
    list_display = ["version", "name", "is_active", "created_at"]
    readonly_fields = ["is_active", "created_by", "created_at"]
    inlines = [DeadlineRuleInline]
    actions = ["copy_as_new_version", "activate", "apply_to_open_tasks"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The name and note stay editable; the rules (inline) are locked by LockedWhenInUse on the rule.
        return admin.ModelAdmin.has_change_permission(self, request, obj)

    @admin.action(description=_("Copy as a new version (to edit it)"))
    def copy_as_new_version(self, request: HttpRequest, queryset: QuerySet[DeadlinePolicy]) -> None:
        for policy in queryset:
            copy = policy_copy(policy=policy, by=request.user if isinstance(request.user, User) else None)
            self.message_user(
                request,
                _("Version %(version)s created; edit it, then activate it.") % {"version": copy.version},
            )

    @admin.action(description=_("Make active: new tasks take this version"))
    def activate(self, request: HttpRequest, queryset: QuerySet[DeadlinePolicy]) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one version."), messages.ERROR)
            return
        policy = policy_activate(policy=queryset.get())
        self.message_user(
            request, _("Version %(version)s is active for new tasks.") % {"version": policy.version}
        )

    @admin.action(description=_("Apply to open tasks (shows which deadlines move first)"))
    def apply_to_open_tasks(
        self, request: HttpRequest, queryset: QuerySet[DeadlinePolicy]
    ) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one version."), messages.ERROR)
            return None
        policy = queryset.get()
        if request.POST.get("confirm") == "yes" and isinstance(request.user, User):
            with transaction.atomic():
                changes = policy_apply_to_open(policy=policy, by=request.user, now=timezone.now())
            self.message_user(
                request,
                ngettext(
                    "%(count)s open task moved to version %(version)s.",
                    "%(count)s open tasks moved to version %(version)s.",
                    len(changes),
                )
                % {"count": len(changes), "version": policy.version},
            )
            return None
        return render(
            request,
            "admin/deadlines/deadlinepolicy/apply_preview.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Apply version %(version)s to open tasks") % {"version": policy.version},
                "policy": policy,
                "changes": policy_preview(policy=policy),
                "opts": self.model._meta,
            },
        )


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    extra = 0


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(LockedWhenInUse, admin.ModelAdmin):
    list_display = ["policy", "step", "urgency", "working_days", "reminders"]
    list_filter = ["policy", "step", "urgency"]
    inlines = [EscalationStepInline]


@admin.register(ScheduledAction)
class ScheduledActionAdmin(admin.ModelAdmin):
    list_display = ["fire_at", "kind", "position", "status", "deadline", "error"]
    list_filter = ["status", "kind"]
    readonly_fields = ["deadline", "kind", "position", "fire_at", "status", "fired_at", "error"]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Retry the failed ones"))
    def retry(self, request: HttpRequest, queryset: QuerySet[ScheduledAction]) -> None:
        count = failed_action_retry(action_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(count)s will fire again within a minute.") % {"count": count})
