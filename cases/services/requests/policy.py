"""The categories and each step's deadline policy, for a database that has lost them."""

from __future__ import annotations

from django.db import transaction

from cases.defaults import CATEGORIES, STEPS
from cases.models import Category
from deadlines.models import Urgency
from deadlines.services.deadlines import default_policy_ensure, policy_define_step


@transaction.atomic
def defaults_ensure() -> None:
    """The defaults of migration 0002 (cases/defaults.py) again, for a database a test's flush emptied."""
    for order, (code, name_th, name_en) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code, defaults={"name_th": name_th, "name_en": name_en, "order": order}
        )
    policy = default_policy_ensure()
    for step, (days, reminders, ladder) in STEPS.items():
        if not policy.rules.filter(step=step).exists():
            policy_define_step(
                policy=policy,
                step=step,
                working_days=dict(zip(list(Urgency), days, strict=True)),
                reminders=reminders,
                ladder=None if ladder else [],
            )
