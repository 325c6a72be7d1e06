"""The functional departments (城管, 民政, ...), kept by the office: create, rename, change the
phone, deactivate. A department is never deleted (categories, posts and petitions refer to
it); a deactivated one is no longer offered for new categories, posts or whistles, and what
it holds now stays with it. A department is a city's (grids.cities): its code and name are
unique within the city, and only those who may configure that city change it
(grids.access.require_may_configure)."""

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from grids import access, cities
from grids.models import Department, GridNode
from hlgrid import inputs
from hlgrid.errors import InvalidInput

CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
FIELDS = ("code", "name", "phone", "is_active")


def _clean(values: dict, *, city: GridNode, department: Department | None) -> dict:
    errors: dict[str, list[str]] = {}
    others = Department.objects.filter(city=city)
    if department is not None:
        others = others.exclude(pk=department.pk)
    cleaned: dict = {"is_active": bool(values.get("is_active", True))}

    def check(name, fn):
        try:
            cleaned[name] = fn()
        except InvalidInput as error:
            for field, messages in error.errors.items():
                errors.setdefault(field, []).extend(messages)

    def code():
        text = inputs.required("code", values.get("code"))
        if not CODE.match(text):
            raise InvalidInput.field("code", _("Letters, digits, - and _ only, at most 32."))
        if others.filter(code__iexact=text).exists():
            raise InvalidInput.field("code", _("Another department has this code."))
        return text

    def name():
        text = inputs.required("name", values.get("name"))
        if len(text) > 64:
            raise InvalidInput.field("name", _("At most %(n)d characters.") % {"n": 64})
        if others.filter(name=text).exists():
            raise InvalidInput.field("name", _("Another department has this name."))
        return text

    check("code", code)
    check("name", name)
    check("phone", lambda: inputs.phone(values.get("phone") or ""))
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    return cleaned


def _save(department: Department) -> Department:
    try:
        with transaction.atomic():
            department.save()
    except IntegrityError:
        raise InvalidInput.field("code", _("Another department has this code.")) from None
    return department


def department_create(
    *, actor, code: str, name: str, phone: str = "", is_active: bool = True, city=None
) -> Department:
    """A new department of `city` (the one city the actor configures when not given)."""
    city = cities.city_for_new(actor, city)
    cleaned = _clean(
        {"code": code, "name": name, "phone": phone, "is_active": is_active}, city=city, department=None
    )
    return _save(Department(city=city, **cleaned))


def department_update(*, actor, department: Department, **changes) -> Department:
    """Change some fields (the others keep their value); `is_active=False` deactivates."""
    access.require_may_configure(actor, department.city)
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise InvalidInput.field(unknown[0], _("Unknown field."))
    with transaction.atomic():
        department = Department.objects.select_for_update().get(pk=department.pk)
        values = {name: getattr(department, name) for name in FIELDS}
        values.update(changes)
        for name, value in _clean(values, city=department.city, department=department).items():
            setattr(department, name, value)
        return _save(department)
