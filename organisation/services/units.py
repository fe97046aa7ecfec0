"""The contact details of units: the coordination centre, the bureaus and divisions, the provincial offices and
their coordination groups (issue 11 item 10)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from organisation.models import Unit
from organisation.selectors.roles import user_scope


def may_edit_unit_contacts(by: User, unit: Unit) -> bool:
    """Central staff edit every unit's contacts; a provincial head those of their own province's units."""
    scope = user_scope(by)
    if scope.is_central:
        return True
    return (
        unit.province is not None
        and unit.province.has_provincial_office
        and scope.may_manage_province(unit.province)
    )


@transaction.atomic
def unit_contacts_update(*, unit: Unit, by: User, phone: str, email: str, address: str) -> Unit:
    """Record the unit's phone, e-mail and address as given (blank removes one)."""
    if not may_edit_unit_contacts(by, unit):
        raise PermissionDenied(
            _(
                "Only central staff, or the provincial head for their own province, edit a unit's contact details."
            )
        )
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    unit.phone, unit.email, unit.address = phone.strip(), email.strip(), address.strip()
    unit.save(update_fields=["phone", "email", "address"])
    return unit
