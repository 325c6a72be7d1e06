"""The key groups (五类人群) and their visit intervals, kept by the office.

A changed interval applies from each member's next visit (a visit resets the due date with
the group's interval, residents.services) and to new memberships; the current members keep
the due dates they have. Only those who may configure the city change them
(grids.access.require_may_configure). A group is never deleted: memberships refer to it.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from grids import access
from hlgrid import inputs
from hlgrid.errors import InvalidInput
from residents.models import KeyGroup

MAX_INTERVAL_DAYS = 366
FIELDS = ("name", "visit_interval_days", "description", "order")


def _clean(values: dict, *, group: KeyGroup | None) -> dict:
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}

    def check(name, fn):
        try:
            cleaned[name] = fn()
        except InvalidInput as error:
            for field, messages in error.errors.items():
                errors.setdefault(field, []).extend(messages)

    def name():
        text = inputs.required("name", values.get("name"))
        if len(text) > 32:
            raise InvalidInput.field("name", _("At most %(n)d characters.") % {"n": 32})
        others = KeyGroup.objects.filter(name=text)
        if group is not None:
            others = others.exclude(pk=group.pk)
        if others.exists():
            raise InvalidInput.field("name", _("Another key group has this name."))
        return text

    def interval():
        value = values.get("visit_interval_days")
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_INTERVAL_DAYS:
            raise InvalidInput.field(
                "visit_interval_days",
                _("Enter a number of days from 1 to %(max)d.") % {"max": MAX_INTERVAL_DAYS},
            )
        return value

    def order():
        value = values.get("order", 0)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 999:
            raise InvalidInput.field("order", _("Enter a number from 0 to 999."))
        return value

    check("name", name)
    check("visit_interval_days", interval)
    check("order", order)
    description = (values.get("description") or "").strip()
    if len(description) > 200:
        errors.setdefault("description", []).append(_("At most %(n)d characters.") % {"n": 200})
    cleaned["description"] = description
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    return cleaned


def _save(group: KeyGroup) -> KeyGroup:
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:
        raise InvalidInput.field("name", _("Another key group has this name.")) from None
    return group


def key_group_create(
    *, actor, name: str, visit_interval_days: int, description: str = "", order: int = 0
) -> KeyGroup:
    access.require_may_configure(actor)
    values = {
        "name": name,
        "visit_interval_days": visit_interval_days,
        "description": description,
        "order": order,
    }
    return _save(KeyGroup(**_clean(values, group=None)))


def key_group_update(*, actor, group: KeyGroup, **changes) -> KeyGroup:
    """Change some fields; the current members keep their due dates until their next visit."""
    access.require_may_configure(actor)
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise InvalidInput.field(unknown[0], _("Unknown field."))
    with transaction.atomic():
        group = KeyGroup.objects.select_for_update().get(pk=group.pk)
        values = {name: getattr(group, name) for name in FIELDS}
        values.update(changes)
        for name, value in _clean(values, group=group).items():
            setattr(group, name, value)
        return _save(group)
